import { xmlRoot, xmlString } from '../xml/document';
import { featureTypes } from '../catalog/featureTypes';
import { commaList } from '../http/kvp';
import { invalidParam } from '../ows/errors';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { GET_FEATURE_BY_ID_IDS, isGetFeatureById } from './storedQueryDefs';
import { NS, xmlnsAttrs, XSD } from '../xml/namespaces';

function root(name: string, ctx: OwsContext) {
  return xmlRoot(`wfs:${name}`, ['xs'], {
    [`xmlns:${ctx.config.namespacePrefix}`]: ctx.config.namespaceUri,
    ...xmlnsAttrs(['xsi']),
    'xsi:schemaLocation': `${NS.wfs} ${XSD.wfs20}`,
  });
}

/** ListStoredQueries: GetFeatureById under both of its identifiers. */
export async function listStoredQueries(_req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  const doc = root('ListStoredQueriesResponse', ctx);
  const types = featureTypes(ctx.config);
  for (const id of GET_FEATURE_BY_ID_IDS) {
    const sq = doc.ele('wfs:StoredQuery', { id });
    sq.ele('wfs:Title').txt('Get feature by identifier');
    for (const t of types) sq.ele('wfs:ReturnFeatureType').txt(`${ctx.config.namespacePrefix}:${t.name}`);
  }
  return { kind: 'body', contentType: 'application/xml; charset=utf-8', body: xmlString(doc) };
}

/** DescribeStoredQueries: all, or the ids asked for; an unknown id → InvalidParameterValue locator storedQuery_Id. */
export async function describeStoredQueries(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  const asked = req.xml
    ? req.xml.children.filter((c) => c.local === 'StoredQueryId').map((c) => c.text)
    : commaList(req.kvp.get('storedquery_id'));
  for (const id of asked) if (!isGetFeatureById(id)) throw invalidParam('storedQuery_Id', `Unknown stored query "${id.slice(0, 120)}"`);
  const ids = asked.length ? asked : GET_FEATURE_BY_ID_IDS;
  const doc = root('DescribeStoredQueriesResponse', ctx);
  for (const id of ids) {
    const d = doc.ele('wfs:StoredQueryDescription', { id });
    d.ele('wfs:Title').txt('Get feature by identifier');
    d.ele('wfs:Abstract').txt('Returns the single feature whose gml:id is the value of the id parameter, as the root element.');
    d.ele('wfs:Parameter', { name: 'id', type: 'xs:string' });
    d.ele('wfs:QueryExpressionText', { returnFeatureTypes: '', language: 'urn:ogc:def:queryLanguage:OGC-WFS::WFS_QueryExpression', isPrivate: 'true' });
  }
  return { kind: 'body', contentType: 'application/xml; charset=utf-8', body: xmlString(doc) };
}
