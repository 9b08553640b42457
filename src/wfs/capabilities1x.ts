import { XMLBuilder, xmlRoot, xmlString } from '../xml/document';
import { loadCatalogue } from '../query/catalogue';
import { featureTypes, typeExtents } from '../catalog/featureTypes';
import { crsName, SUPPORTED_SRIDS, WGS84_SRID } from '../crs/crs';
import { writeFilter100Capabilities, writeFilter110Capabilities } from '../fes/capabilities';
import { owsKeywords, serviceIdentification, serviceProvider } from '../ows/common';
import type { OwsContext, OwsRequest } from '../ows/types';
import { outputFormats, schemaFormats } from './formats';
import { featureTypeEntry, typeMetadataUrl, wgs84BoundingBox } from './featureTypeEntry';
import { SERVICE_KEYWORDS, wfs100Keywords } from './keywords';
import { endpointUrl } from './links';
import { NS, XSD } from '../xml/namespaces';

function op11(parent: XMLBuilder, name: string, href: string, params: Record<string, readonly string[]> = {}): void {
  const op = parent.ele('ows:Operation', { name });
  const http = op.ele('ows:DCP').ele('ows:HTTP');
  http.ele('ows:Get', { 'xlink:href': href });
  http.ele('ows:Post', { 'xlink:href': href });
  for (const [p, values] of Object.entries(params)) {
    const pe = op.ele('ows:Parameter', { name: p });
    for (const v of values) pe.ele('ows:Value').txt(v);
  }
}

function doc110(ctx: OwsContext, href: string, extents: Map<string, number[]>): string {
  const cfg = ctx.config;
  const root = xmlRoot('wfs11:WFS_Capabilities', ['ows10', 'ogc', 'gml311', 'xlink', 'xsi'], {
    'xsi:schemaLocation': `${NS.wfs11} ${XSD.wfs110}`,
    version: '1.1.0',
  });
  // OWS 1.0: no codeSpace on the service type.
  serviceIdentification(root, cfg, { type: 'WFS', keywords: SERVICE_KEYWORDS, versions: ['1.1.0'] });
  serviceProvider(root, cfg);
  const om = root.ele('ows:OperationsMetadata');
  op11(om, 'GetCapabilities', href, { AcceptVersions: ['1.1.0', '1.0.0'], AcceptFormats: ['text/xml'] });
  op11(om, 'DescribeFeatureType', href, { outputFormat: schemaFormats('1.1.0') });
  op11(om, 'GetFeature', href, { resultType: ['results', 'hits'], outputFormat: outputFormats('1.1.0') });
  const list = root.ele('wfs:FeatureTypeList');
  list.ele('wfs:Operations').ele('wfs:Operation').txt('Query');
  for (const t of featureTypes(cfg)) {
    const ft = featureTypeEntry(list, cfg, t);
    owsKeywords(ft, t.keywords);
    ft.ele('wfs:DefaultSRS').txt(crsName.xUrn(WGS84_SRID));
    for (const srid of Object.keys(SUPPORTED_SRIDS).filter((s) => s !== String(WGS84_SRID))) ft.ele('wfs:OtherSRS').txt(crsName.xUrn(srid));
    const of = ft.ele('wfs:OutputFormats');
    for (const f of outputFormats('1.1.0')) of.ele('wfs:Format').txt(f);
    wgs84BoundingBox(ft, extents.get(t.name)!);
    const md = typeMetadataUrl(cfg, t);
    if (md) ft.ele('wfs:MetadataURL', { type: 'TC211', format: 'text/xml' }).txt(md);
  }
  writeFilter110Capabilities(root);
  return xmlString(root);
}

function doc100(ctx: OwsContext, href: string, extents: Map<string, number[]>): string {
  const cfg = ctx.config;
  const root = xmlRoot('wfs11:WFS_Capabilities', ['ogc', 'xsi'], {
    'xsi:schemaLocation': `${NS.wfs11} ${XSD.wfs100Capabilities}`,
    version: '1.0.0',
  });
  const svc = root.ele('wfs:Service');
  svc.ele('wfs:Name').txt('WFS');
  svc.ele('wfs:Title').txt(cfg.serviceTitle);
  svc.ele('wfs:Abstract').txt(cfg.serviceAbstract);
  wfs100Keywords(svc, SERVICE_KEYWORDS);
  svc.ele('wfs:OnlineResource').txt(href);
  svc.ele('wfs:Fees').txt('NONE');
  svc.ele('wfs:AccessConstraints').txt('NONE');
  const request = root.ele('wfs:Capability').ele('wfs:Request');
  const dcp = (parent: XMLBuilder) => {
    const http = parent.ele('wfs:DCPType').ele('wfs:HTTP');
    http.ele('wfs:Get', { onlineResource: `${href}?` });
    const post = parent.ele('wfs:DCPType');
    post.ele('wfs:HTTP').ele('wfs:Post', { onlineResource: href });
  };
  dcp(request.ele('wfs:GetCapabilities'));
  const dft = request.ele('wfs:DescribeFeatureType');
  dft.ele('wfs:SchemaDescriptionLanguage').ele('wfs:XMLSCHEMA');
  dcp(dft);
  const gf = request.ele('wfs:GetFeature');
  gf.ele('wfs:ResultFormat').ele('wfs:GML2');
  dcp(gf);
  const list = root.ele('wfs:FeatureTypeList');
  list.ele('wfs:Operations').ele('wfs:Query');
  for (const t of featureTypes(cfg)) {
    const ft = featureTypeEntry(list, cfg, t);
    wfs100Keywords(ft, t.keywords);
    ft.ele('wfs:SRS').txt(crsName.short(WGS84_SRID));
    const e = extents.get(t.name)!;
    ft.ele('wfs:LatLongBoundingBox', { minx: String(e[0]), miny: String(e[1]), maxx: String(e[2]), maxy: String(e[3]) });
    const md = typeMetadataUrl(cfg, t);
    if (md) ft.ele('wfs:MetadataURL', { type: 'TC211', format: 'XML' }).txt(md);
  }
  writeFilter100Capabilities(root);
  return xmlString(root);
}

/** The WFS 1.1.0 or 1.0.0 capabilities document (GeoNetwork harvests these). */
export async function capabilities1x(version: '1.1.0' | '1.0.0', req: OwsRequest, ctx: OwsContext): Promise<string> {
  const href = endpointUrl(ctx.baseUrl, req);
  const extents = typeExtents(featureTypes(ctx.config), await loadCatalogue(ctx.store));
  return version === '1.1.0' ? doc110(ctx, href, extents) : doc100(ctx, href, extents);
}
