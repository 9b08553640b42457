/**
 * /collections/{id}/items and /items/{featureId}: one FeatureQuery run through the shared page reader
 * (openPage: plain query or cursor, the WFS seek into the unfiltered observations, the numberMatched
 * rule) and streamed through the shared writer with bounded memory.
 */
import type { CollectionInfo, FeatureEncoder } from '../encoders/features/featureEncoder';
import { csvEncoder } from '../encoders/features/csv';
import { ApiLink, ogcapiFeature, ogcapiItemsEncoder } from '../encoders/features/ogcapiGeojson';
import { renderRows, streamRows } from '../encoders/features/streamFeatures';
import type { RequestLabels } from '../metrics/metrics';
import { OwsError } from '../ows/errors';
import type { OwsResponse } from '../ows/types';
import { dbCall, openPage, readFirstRow } from '../query/featurePages';
import { FeatureQuery, pageSql } from '../query/features';
import type { Collection } from './collections';
import type { ApiContext } from './context';
import { Format, FORMATS, negotiate } from './formats';
import { itemsQuery, responseCrs } from './itemsQuery';
import { seg, selfAndAlternates, withQuery } from './links';
import { routeDef } from './routes';

const ITEMS_LABELS: RequestLabels = { service: 'OGCAPI', operation: 'items' };

/** The collection info the encoders read (WFS-only members filled with what OGC API has). */
function info(q: FeatureQuery, ctx: ApiContext, numberMatched: number | 'unknown', numberReturned: number): CollectionInfo {
  return {
    type: q.type,
    prefix: ctx.config.namespacePrefix,
    namespaceUri: ctx.config.namespaceUri,
    properties: q.properties,
    includeGeometry: q.includeGeometry,
    numberMatched,
    numberReturned,
    timeStamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    srsName: q.crs.name,
    schemaUrl: `${ctx.root}/collections/${seg(ctx.path.collectionId)}/queryables`,
    baseUrl: ctx.baseUrl,
  };
}

/** The encoder of a negotiated format. */
function encoderOf(format: Format, links: ApiLink[]): FeatureEncoder {
  if (format.id === 'csv') return csvEncoder;
  return ogcapiItemsEncoder(links);
}

/** Headers every feature response carries: the CRS of its coordinates (Part 2) and what it varied on. */
function headers(q: FeatureQuery, extra: Record<string, string> = {}): Record<string, string> {
  return { 'Content-Crs': `<${q.crs.name}>`, Vary: 'Accept', ...extra };
}

/** The same request at another offset: every other parameter carried as sent, limit made explicit. */
function pageUrl(url: string, ctx: ApiContext, q: FeatureQuery, offset: number): string {
  const rest = ctx.query.entries.filter(([k]) => k !== 'offset' && k !== 'limit');
  return withQuery(url, [...rest, ['limit', String(q.count)], ['offset', String(offset)]]);
}

/** GET /collections/{collectionId}/items */
export async function itemsHandler(collection: Collection, ctx: ApiContext): Promise<OwsResponse> {
  const route = routeDef(ctx.config, 'items');
  const format = negotiate(route.formats, ctx.query.get('f'), ctx.accept);
  const q = itemsQuery(ctx.query, collection, ctx.config);
  // The links depend on the page's counts; the geometry encoding does not.
  const page = await openPage(ctx.store, q, encoderOf(format, []).geometryEncoding, ctx.signal);
  const url = `${ctx.root}/collections/${seg(collection.id)}/items`;
  const links: ApiLink[] = selfAndAlternates(url, ctx.query.entries, route.formats, format.id, 'This page');
  const more = page.numberReturned === q.count && (page.numberMatched === 'unknown' || q.startIndex + q.count < page.numberMatched);
  const next = more ? pageUrl(url, ctx, q, q.startIndex + q.count) : undefined;
  const prev = q.startIndex > 0 ? pageUrl(url, ctx, q, Math.max(0, q.startIndex - q.count)) : undefined;
  if (next) links.push({ href: next, rel: 'next', type: format.mediaType, title: 'Next page' });
  if (prev) links.push({ href: prev, rel: 'prev', type: format.mediaType, title: 'Previous page' });
  links.push({ href: `${ctx.root}/collections/${seg(collection.id)}`, rel: 'collection', type: FORMATS.json.mediaType, title: collection.type.title });
  const encoder = encoderOf(format, links);
  const meta = info(q, ctx, page.numberMatched, page.numberReturned);
  // CSV has no links member: the pages are in the Link header (RFC 8288) for every format.
  const linkHeader = [next && `<${next}>; rel="next"`, prev && `<${prev}>; rel="prev"`].filter(Boolean).join(', ');
  const hdrs = headers(q, linkHeader ? { Link: linkHeader } : {});
  // A page read whole (at most one cursor batch) goes out in one piece; larger pages stream from the cursor.
  if (!page.rows?.rest) return { kind: 'body', contentType: format.contentType, headers: hdrs, body: renderRows(page.rows, encoder, meta, ITEMS_LABELS) };
  return { kind: 'stream', contentType: format.contentType, headers: hdrs, produce: (sink) => dbCall(() => streamRows(page.rows, encoder, meta, sink, ITEMS_LABELS)) };
}

/** GET /collections/{collectionId}/items/{featureId}: one feature, 404 when there is none. */
export async function itemHandler(collection: Collection, ctx: ApiContext): Promise<OwsResponse> {
  const route = routeDef(ctx.config, 'item');
  const format = negotiate(route.formats, ctx.query.get('f'), ctx.accept);
  const id = ctx.path.featureId;
  const q: FeatureQuery = {
    type: collection.type,
    filters: [],
    resourceIds: [id],
    sortBy: [],
    properties: collection.type.properties,
    includeGeometry: true,
    crs: responseCrs(ctx.query),
    startIndex: 0,
    count: 1,
  };
  const encoder = encoderOf(format, []);
  const row = await dbCall(() => readFirstRow(ctx.store, pageSql(q, encoder.geometryEncoding), ctx.signal));
  if (!row) throw new OwsError('NotFound', 'featureId', `No feature "${id.slice(0, 120)}" in collection ${collection.id}`, { status: 404 });
  const meta = info(q, ctx, 1, 1);
  if (format.id === 'csv') return { kind: 'body', contentType: format.contentType, headers: headers(q), body: renderRows({ first: [row] }, encoder, meta, ITEMS_LABELS) };
  const url = `${ctx.root}/collections/${seg(collection.id)}/items/${seg(id)}`;
  const links: ApiLink[] = [
    ...selfAndAlternates(url, ctx.query.entries, route.formats, format.id, 'This feature'),
    { href: `${ctx.root}/collections/${seg(collection.id)}`, rel: 'collection', type: FORMATS.json.mediaType, title: collection.type.title },
  ];
  return { kind: 'body', contentType: format.contentType, headers: headers(q), body: ogcapiFeature(row, meta, links) };
}
