import { featureTypes } from '../catalog/featureTypes';
import type { CollectionInfo, FeatureEncoder, FeatureRow } from '../encoders/featureEncoder';
import { geojsonEncoder } from '../encoders/geojson';
import { gml32Feature, GML32_NS } from '../encoders/gml32';
import { escAttr } from '../xml/escape';
import { invalidParam, missingParam, OwsError } from '../ows/errors';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { FeatureQuery, pageSql } from '../query/features';
import { GetFeatureRequest, parseGetFeature, selectProperties, StoredQueryRequest } from './getFeatureRequest';
import { describeFeatureTypeUrl, pageLink } from './links';
import { dbCall, exactCount, openPage } from '../query/featurePages';
import { defaultCrs, parseSrsName } from './srsName';
import { isGetFeatureById } from './storedQueryDefs';
import { renderRows, streamCollection, streamRows } from './streamCollection';

/** Collection metadata shared by GetFeature and GetPropertyValue. */
export function collectionInfo(q: FeatureQuery, req: OwsRequest, ctx: OwsContext, version: string, numberMatched: number | 'unknown', numberReturned: number): CollectionInfo {
  const { namespacePrefix: prefix, namespaceUri } = ctx.config;
  const more = numberReturned === q.count && q.count > 0 && (numberMatched === 'unknown' || q.startIndex + q.count < numberMatched);
  const paging = version === '2.0.0';
  return {
    type: q.type,
    prefix,
    namespaceUri,
    properties: q.properties,
    includeGeometry: q.includeGeometry,
    numberMatched,
    numberReturned,
    timeStamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    srsName: q.crs.name,
    next: paging && more ? pageLink(ctx.baseUrl, req, q.startIndex + q.count, q.count) : undefined,
    previous: paging && q.startIndex > 0 && q.count > 0 ? pageLink(ctx.baseUrl, req, Math.max(0, q.startIndex - q.count), q.count) : undefined,
    schemaUrl: describeFeatureTypeUrl(ctx.baseUrl, version, prefix, namespaceUri, q.type.name),
    baseUrl: ctx.baseUrl,
  };
}

/** Runs a query through an encoder as a streamed collection (or just the counts for hits). */
export async function featureCollection(parsed: GetFeatureRequest, encoder: FeatureEncoder, req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  const q = parsed.query;
  if (parsed.resultType === 'hits') {
    const matched = await exactCount(ctx.store, q);
    const info = collectionInfo(q, req, ctx, parsed.version, matched, 0);
    info.hits = true;
    // A hits response points at the first page of results (the conformance suite follows it).
    if (parsed.version === '2.0.0' && q.count > 0 && matched > q.startIndex) info.next = pageLink(ctx.baseUrl, req, q.startIndex, q.count);
    info.previous = undefined;
    return { kind: 'stream', contentType: encoder.contentType, produce: (sink) => streamCollection(ctx.store, null, encoder, info, sink) };
  }
  const page = await openPage(ctx.store, q, encoder.geometryEncoding, ctx.signal);
  const info = collectionInfo(q, req, ctx, parsed.version, page.numberMatched, page.numberReturned);
  // A page read whole (at most one batch) goes out in one piece; larger pages stream from the cursor.
  if (!page.rows?.rest) return { kind: 'body', contentType: encoder.contentType, body: renderRows(page.rows, encoder, info) };
  return {
    kind: 'stream',
    contentType: encoder.contentType,
    produce: (sink) => dbCall(() => streamRows(page.rows, encoder, info, sink)),
  };
}

/** First row of a query in array form (the feature SELECT list has unnamed, repeating column names). */
async function firstRow(ctx: OwsContext, text: string, values: unknown[]): Promise<FeatureRow | undefined> {
  // Read to the end (the query has LIMIT 1) so the cursor closes normally instead of being cancelled.
  let first: FeatureRow | undefined;
  for await (const batch of ctx.store.stream<FeatureRow>(text, values, { signal: ctx.signal, batchSize: 10, rowMode: 'array' })) {
    first ??= batch[0];
  }
  return first;
}

/** GetFeatureById: the bare feature as the root element; an unknown id is 404 NotFound. */
async function getFeatureById(parsed: StoredQueryRequest, req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  const params = parsed.params;
  const id = params.get('id');
  if (id === undefined || id.trim() === '') throw missingParam('id', 'GetFeatureById needs the parameter ID');
  const types = featureTypes(ctx.config);
  const dot = id.indexOf('.');
  const type = dot > 0 ? types.find((t) => t.name === id.slice(0, dot)) : undefined;
  const notFound = () => new OwsError('NotFound', 'id', `No feature with id "${id.slice(0, 120)}"`, { status: 404 });
  if (!type) throw notFound();
  const srs = params.get('srsname');
  const crs = srs !== undefined && srs.trim() !== '' ? parseSrsName(srs) : defaultCrs(parsed.version);
  const { properties, includeGeometry } = selectProperties(type, undefined);
  const q: FeatureQuery = { type, filters: [], resourceIds: [id.slice(dot + 1)], sortBy: [], properties, includeGeometry, crs, startIndex: 0, count: 1 };
  const json = parsed.encoder === geojsonEncoder;
  const sql = pageSql(q, json ? 'geojson' : 'gml32');
  const row = await dbCall(() => firstRow(ctx, sql.text, sql.values));
  if (!row) throw notFound();
  const info = collectionInfo(q, req, ctx, '2.0.0', 1, 1);
  if (json) return { kind: 'body', contentType: 'application/geo+json; charset=utf-8', body: geojsonEncoder.feature(row, info) };
  const ns = ctx.config.namespaceUri;
  const attrs =
    ` xmlns:${info.prefix}="${escAttr(ns)}" xmlns:gml="${GML32_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"` +
    ` xsi:schemaLocation="${escAttr(ns)} ${escAttr(info.schemaUrl)} ${GML32_NS} http://schemas.opengis.net/gml/3.2.1/gml.xsd"`;
  return { kind: 'body', contentType: 'application/gml+xml; version=3.2; charset=utf-8', body: `<?xml version="1.0" encoding="UTF-8"?>\n${gml32Feature(row, info, attrs)}\n` };
}

/** WFS GetFeature (all versions, KVP and XML). */
export async function getFeature(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  const parsed = parseGetFeature(req, ctx.config);
  if (parsed.kind === 'stored') {
    if (!isGetFeatureById(parsed.id)) throw invalidParam('storedQuery_id', `Unknown stored query "${parsed.id.slice(0, 120)}"`);
    return getFeatureById(parsed, req, ctx);
  }
  return featureCollection(parsed, parsed.encoder, req, ctx);
}
