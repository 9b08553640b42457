/**
 * /collections/{id}/items and /items/{featureId}: one FeatureQuery run through the shared page reader
 * (openPage: plain query or cursor, the WFS seek into the unfiltered observations, the numberMatched
 * rule) and streamed through the shared writer with bounded memory.
 */
import type { CollectionInfo, FeatureEncoder, FeatureRow } from '../encoders/features/featureEncoder';
import { csvEncoder } from '../encoders/features/csv';
import { contentDisposition, downloadName } from '../http/downloadName';
import { ApiLink, ogcapiFeature, ogcapiItemsEncoder } from '../encoders/features/ogcapiGeojson';
import { renderRows, streamRows } from '../encoders/features/streamFeatures';
import { pageText } from '../query/pageCache';
import type { RequestLabels } from '../metrics/metrics';
import { invalidParam, OwsError } from '../ows/errors';
import type { OwsResponse } from '../ows/types';
import { dbCall, openPage, readFirstRow } from '../query/featurePages';
import { FeatureQuery, pageSql } from '../query/features';
import type { Collection } from './collections';
import type { ApiContext } from './context';
import { Format, FORMATS, negotiate } from './formats';
import { htmlItemPage, htmlItemsEncoder } from './html/features';
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

/** The encoder of a negotiated format; GeoJSON asks for its links (JSON text) once its last row is written. */
function encoderOf(format: Format, links: (lastRow: FeatureRow | undefined) => string): FeatureEncoder {
  if (format.id === 'csv') return csvEncoder;
  return ogcapiItemsEncoder(links);
}

/**
 * What the links of a page read whole depend on besides its rows: the format, the page's place, the
 * collection's URL and title, and every query parameter (NUL never occurs in one: request.ts refuses it).
 */
function linksKey(format: Format, q: FeatureQuery, url: string, collection: Collection, ctx: ApiContext): string {
  let key = `ogcapi-links\n${format.id}\n${q.count}\n${q.startIndex}\n${url}\n${collection.type.title}`;
  for (const [k, v] of ctx.query.entries) key += `\u0000${k}\u0000${v}`;
  return key;
}

/** Headers every feature response carries: the CRS of its coordinates (Part 2) and what it varied on. */
function headers(q: FeatureQuery, extra: Record<string, string> = {}): Record<string, string> {
  return { 'Content-Crs': `<${q.crs.name}>`, Vary: 'Accept', ...extra };
}

/**
 * The CSV file name of an items request (issue 17): collection, the dataset or station asked for, the
 * datetime period's days and, past the first page, its offset — `observations_OUVEA01_TEMP_0A_SBE56_2024-03-01_2024-03-04.csv`.
 */
function csvDisposition(collection: Collection, ctx: ApiContext, q: FeatureQuery, featureId?: string): Record<string, string> {
  const subject = [collection.id, featureId ?? ctx.query.get('datasetId') ?? ctx.query.get('stationId')].filter(Boolean).join('_');
  const datetime = ctx.query.get('datetime');
  const period = datetime
    ?.split('/')
    .map((part) => (/^\d{4}-\d\d-\d\d/.test(part.trim()) ? part.trim().slice(0, 10) : 'open'))
    .join('_');
  const page = q.startIndex > 0 ? `from${q.startIndex}` : undefined;
  const name = downloadName(subject, [period, page].filter(Boolean).join('_') || undefined, 'csv');
  return { 'Content-Disposition': contentDisposition(name) };
}

/** The same request at another offset (and keyset position): every other parameter carried as sent, limit made explicit. */
function pageUrl(url: string, ctx: ApiContext, q: FeatureQuery, offset: number, after?: string): string {
  const rest = ctx.query.entries.filter(([k]) => k !== 'offset' && k !== 'limit' && k !== 'after');
  return withQuery(url, [...rest, ['limit', String(q.count)], ['offset', String(offset)], ...(after ? [['after', after] as [string, string]] : [])]);
}

const AFTER = /^(\d{1,10})\.(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z)$/;

/**
 * Keyset paging applies to filtered observations in their natural order: the one case where an
 * OFFSET would read every skipped row (the unfiltered collection seeks; stations and datasets are small).
 */
function keysetPaging(q: FeatureQuery, after: string | undefined): void {
  const eligible = q.type.name === 'Observation' && q.filters.length > 0 && q.sortBy.length === 0;
  if (after !== undefined) {
    const m = AFTER.exec(after.trim());
    if (!m || !eligible) throw invalidParam('after', eligible ? `after must be <n>.<time> as the next links write it, got "${after.slice(0, 60)}"` : 'after only applies to filtered observation queries without sortby (as their next links write it)');
    q.after = { datasetId: Number(m[1]), time: m[2] };
  }
  q.withKey = eligible;
}

/** The `after` value (`<n>.<RFC 3339 time>`) of a row read with its key (the trailing `<n>.<YYYY-MM-DD HH:MM:SS[.f]>` column). */
function afterOf(q: FeatureQuery, row: FeatureRow | undefined): string | undefined {
  const key = q.withKey ? row?.[2 + q.properties.length] : undefined;
  return key ? `${key.replace(' ', 'T')}Z` : undefined;
}

/** GET /collections/{collectionId}/items */
export async function itemsHandler(collection: Collection, ctx: ApiContext): Promise<OwsResponse> {
  const route = routeDef(ctx.config, 'items');
  const format = negotiate(route.formats, ctx.query.get('f'), ctx.accept);
  const q = itemsQuery(ctx.query, collection, ctx.config);
  keysetPaging(q, ctx.query.get('after'));
  const encoding = format.id === 'csv' ? csvEncoder.geometryEncoding : 'geojson-crs';
  const page = await openPage(ctx.store, q, encoding, ctx.signal);
  const url = `${ctx.root}/collections/${seg(collection.id)}/items`;
  const more = page.numberReturned === q.count && (page.numberMatched === 'unknown' || q.startIndex + q.count < page.numberMatched);
  const prev = q.startIndex > 0 ? pageUrl(url, ctx, q, Math.max(0, q.startIndex - q.count)) : undefined;
  const nextAfter = (lastRow: FeatureRow | undefined) => (more ? pageUrl(url, ctx, q, q.startIndex + q.count, afterOf(q, lastRow)) : undefined);
  const links = (lastRow: FeatureRow | undefined): ApiLink[] => {
    const out: ApiLink[] = selfAndAlternates(url, ctx.query.entries, route.formats, format.id, 'This page');
    const next = nextAfter(lastRow);
    if (next) out.push({ href: next, rel: 'next', type: format.mediaType, title: 'Next page' });
    if (prev) out.push({ href: prev, rel: 'prev', type: format.mediaType, title: 'Previous page' });
    out.push({ href: `${ctx.root}/collections/${seg(collection.id)}`, rel: 'collection', type: FORMATS.json.mediaType, title: collection.type.title });
    return out;
  };
  // The links of a kept page (stations, datasets: src/query/pageCache.ts) are written once per URL and
  // reused with it, as its features are; only keyset paging (filtered observations, never kept) reads the last row.
  const whole = page.rows && !page.rows.rest && !q.withKey ? page.rows.first : undefined;
  const linksJson = whole ? () => pageText(whole, linksKey(format, q, url, collection, ctx), () => JSON.stringify(links(undefined))) : (lastRow: FeatureRow | undefined) => JSON.stringify(links(lastRow));
  const encoder = format.id === 'html' ? htmlItemsEncoder(ctx, collection, q.startIndex, links) : encoderOf(format, linksJson);
  const meta = info(q, ctx, page.numberMatched, page.numberReturned);
  const fileName = format.id === 'csv' ? csvDisposition(collection, ctx, q) : {};
  // A page read whole (at most one cursor batch) goes out in one piece, its pages also in the Link
  // header (RFC 8288; CSV has no other place for them). Larger pages stream from the cursor.
  if (!page.rows?.rest) {
    const rows = page.rows?.first ?? [];
    const next = nextAfter(rows[rows.length - 1]);
    const linkHeader = [next && `<${next}>; rel="next"`, prev && `<${prev}>; rel="prev"`].filter(Boolean).join(', ');
    return { kind: 'body', contentType: format.contentType, headers: headers(q, { ...fileName, ...(linkHeader ? { Link: linkHeader } : {}) }), body: renderRows(page.rows, encoder, meta, ITEMS_LABELS) };
  }
  return { kind: 'stream', contentType: format.contentType, headers: headers(q, fileName), produce: (sink) => dbCall(() => streamRows(page.rows, encoder, meta, sink, ITEMS_LABELS)) };
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
  const encoding = format.id === 'csv' ? csvEncoder.geometryEncoding : 'geojson-crs';
  const row = await dbCall(() => readFirstRow(ctx.store, pageSql(q, encoding), ctx.signal));
  if (!row) throw new OwsError('NotFound', 'featureId', `No feature "${id.slice(0, 120)}" in collection ${collection.id}`, { status: 404 });
  const meta = info(q, ctx, 1, 1);
  if (format.id === 'csv') return { kind: 'body', contentType: format.contentType, headers: headers(q, csvDisposition(collection, ctx, q, id)), body: renderRows({ first: [row] }, csvEncoder, meta, ITEMS_LABELS) };
  const url = `${ctx.root}/collections/${seg(collection.id)}/items/${seg(id)}`;
  const links: ApiLink[] = [
    ...selfAndAlternates(url, ctx.query.entries, route.formats, format.id, 'This feature'),
    { href: `${ctx.root}/collections/${seg(collection.id)}`, rel: 'collection', type: FORMATS.json.mediaType, title: collection.type.title },
  ];
  const body = format.id === 'html' ? htmlItemPage(ctx, collection, row, meta, links) : ogcapiFeature(row, meta, links);
  return { kind: 'body', contentType: format.contentType, headers: headers(q), body };
}
