import { geojsonEncoder } from '../encoders/geojson';
import { gml32Feature, GML32_NS } from '../encoders/gml32';
import { escAttr } from '../xml/escape';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { dbCall, readFirstRow } from '../query/featurePages';
import { pageSql } from '../query/features';
import { collectionInfo, featureCollection } from './featureCollection';
import { featureNotFound, GetFeatureRequest, parseGetFeature } from './getFeatureRequest';

/** GetFeatureById: the bare feature as the root element; an unknown id is 404 NotFound. */
async function getFeatureById(parsed: GetFeatureRequest, req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  const q = parsed.query;
  const json = parsed.encoder === geojsonEncoder;
  const sql = pageSql(q, json ? 'geojson' : 'gml32');
  const row = await dbCall(() => readFirstRow(ctx.store, sql, ctx.signal));
  if (!row) throw featureNotFound(`${q.type.name}.${q.resourceIds![0]}`);
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
  if (parsed.kind === 'byId') return getFeatureById(parsed, req, ctx);
  return featureCollection(parsed, parsed.encoder, req, ctx);
}
