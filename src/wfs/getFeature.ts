import { geojsonEncoder } from '../encoders/features/geojson';
import { gml32Feature } from '../encoders/features/gml32';
import { NS, XSD, xmlnsText } from '../xml/namespaces';
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
    ` xmlns:${info.prefix}="${escAttr(ns)}"${xmlnsText(['gml', 'xsi'])}` +
    ` xsi:schemaLocation="${escAttr(ns)} ${escAttr(info.schemaUrl)} ${NS.gml} ${XSD.gml321}"`;
  return { kind: 'body', contentType: 'application/gml+xml; version=3.2; charset=utf-8', body: `<?xml version="1.0" encoding="UTF-8"?>\n${gml32Feature(row, info, attrs)}\n` };
}

/** WFS GetFeature (all versions, KVP and XML). */
export async function getFeature(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  const parsed = parseGetFeature(req, ctx.config);
  if (parsed.kind === 'byId') return getFeatureById(parsed, req, ctx);
  return featureCollection(parsed, parsed.encoder, req, ctx);
}
