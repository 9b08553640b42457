/**
 * The small JSON documents of the API (landing page, conformance, collections, one collection) built
 * from the configuration and the catalogue; no database access of their own.
 */
import type { Config } from '../config/config';
import { timeSpan } from '../catalog/extents';
import { typeExtents } from '../catalog/featureTypes';
import { metadataUrl } from '../catalog/links';
import type { Catalogue } from '../catalog/model';
import { Collection, collections } from './collections';
import { CONFORMANCE } from './conformance';
import { CRS84, CRS_URIS, STORAGE_CRS } from './crs';
import { withEdr } from './edr/collection';
import { FORMATS, FormatId } from './formats';
import { Link, seg, selfAndAlternates, withQuery } from './links';
import { routeDef } from './routes';

/** Where a document is served and in which format: what its self and alternate links need. */
export interface DocContext {
  config: Config;
  /** Public base URL of the gateway (no trailing slash). */
  baseUrl: string;
  /** API root: baseUrl + base path. */
  root: string;
  format: FormatId;
  /** The request's query parameters (alternates keep them). */
  query: [string, string][];
}

/** The landing page. */
export function landingDoc(ctx: DocContext): Record<string, unknown> {
  const { root, config } = ctx;
  const links: Link[] = [
    ...selfAndAlternates(root, ctx.query, routeDef(config, 'landing').formats, ctx.format, 'This document'),
    { href: `${root}/api`, rel: 'service-desc', type: FORMATS.openapi.mediaType, title: 'The API definition (OpenAPI 3.0)' },
    { href: withQuery(`${root}/api`, [['f', 'html']]), rel: 'service-doc', type: FORMATS.openapiHtml.mediaType, title: 'The API documentation (HTML)' },
    { href: `${root}/conformance`, rel: 'conformance', type: FORMATS.json.mediaType, title: 'Conformance classes implemented' },
    { href: `${root}/collections`, rel: 'data', type: FORMATS.json.mediaType, title: 'The feature collections' },
  ];
  return { title: config.serviceTitle, description: config.serviceAbstract, links };
}

/** The conformance declaration. */
export function conformanceDoc(ctx: DocContext): Record<string, unknown> {
  return { conformsTo: CONFORMANCE, links: selfAndAlternates(`${ctx.root}/conformance`, ctx.query, routeDef(ctx.config, 'conformance').formats, ctx.format, 'This document') };
}

/** Spatial (CRS84 box of the stations carrying the type) and temporal (first to last observation) extent. */
function extent(c: Collection, cat: Catalogue): Record<string, unknown> {
  const box = typeExtents([c.type], cat).get(c.type.name)!;
  const span = timeSpan(cat.datasets);
  return {
    spatial: { bbox: [box], crs: CRS84 },
    temporal: { interval: [[span.start, span.end]], trs: 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian' },
  };
}

/** One collection's description (the collections list repeats it per collection). */
export function collectionDoc(c: Collection, cat: Catalogue, ctx: DocContext, self: boolean): Record<string, unknown> {
  const { root, config } = ctx;
  const url = `${root}/collections/${seg(c.id)}`;
  const items = `${url}/items`;
  const itemFormats = routeDef(config, 'items').formats.map((id) => FORMATS[id]).filter((f) => f.served);
  const links: Link[] = [
    ...(self ? selfAndAlternates(url, ctx.query, routeDef(config, 'collection').formats, ctx.format, 'This collection') : [{ href: url, rel: 'self', type: FORMATS.json.mediaType, title: c.title ?? c.type.title }]),
    ...itemFormats.map((f) => ({ href: withQuery(items, [['f', f.fNames[f.fNames.length - 1]]]), rel: 'items', type: f.mediaType, title: `${c.type.title} as ${f.title}` })),
    { href: `${url}/queryables`, rel: 'http://www.opengis.net/def/rel/ogc/1.0/queryables', type: FORMATS.schema.mediaType, title: 'Queryables' },
    { href: metadataUrl(ctx.baseUrl, c.type.name), rel: 'describedby', type: 'application/xml', title: 'ISO 19139 metadata record' },
  ];
  const doc = {
    id: c.id,
    title: c.title ?? c.type.title,
    description: c.description ?? c.type.abstract,
    keywords: c.type.keywords,
    itemType: 'feature',
    extent: extent(c, cat),
    crs: CRS_URIS,
    storageCrs: STORAGE_CRS,
    links,
  };
  return c.edr ? withEdr(doc, c, cat, root) : doc;
}

/** The collections list. */
export function collectionsDoc(cat: Catalogue, ctx: DocContext): Record<string, unknown> {
  return {
    links: selfAndAlternates(`${ctx.root}/collections`, ctx.query, routeDef(ctx.config, 'collections').formats, ctx.format, 'This document'),
    collections: collections(ctx.config).map((c) => collectionDoc(c, cat, ctx, false)),
  };
}
