import type { CollectionInfo, FeatureEncoder } from '../encoders/features/featureEncoder';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { dbCall, exactCount, openPage } from '../query/featurePages';
import type { FeatureQuery } from '../query/features';
import type { GetFeatureRequest } from './getFeatureRequest';
import { describeFeatureTypeUrl, pageLink } from './links';
import { renderRows, streamCollection, streamRows } from '../encoders/features/streamFeatures';

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

/** Runs a query through an encoder as a streamed collection (or just the counts for hits): GetFeature and GetPropertyValue. */
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
