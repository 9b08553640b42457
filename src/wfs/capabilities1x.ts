import { xmlDocument } from '../xml/document';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { loadCatalogue } from '../query/catalogue';
import { featureTypes, typeExtents } from '../catalog/featureTypes';
import { SUPPORTED_SRIDS } from '../crs/crs';
import { writeFilter100Capabilities, writeFilter110Capabilities } from '../fes/capabilities';
import type { OwsContext, OwsRequest } from '../ows/types';
import { OUTPUT_FORMATS } from './formats';
import { owsKeywords, SERVICE_KEYWORDS, wfs100Keywords } from './keywords';
import { endpointUrl } from './links';
import { el, NS } from './xmlDoc';

const WFS = NS.wfs1;
const OWS = NS.ows10;

function op11(parent: XMLBuilder, name: string, href: string, params: Record<string, readonly string[]> = {}): void {
  const op = el(parent, OWS, 'ows:Operation', { name });
  const http = el(el(op, OWS, 'ows:DCP'), OWS, 'ows:HTTP');
  el(http, OWS, 'ows:Get', { 'xlink:href': href });
  el(http, OWS, 'ows:Post', { 'xlink:href': href });
  for (const [p, values] of Object.entries(params)) {
    const pe = el(op, OWS, 'ows:Parameter', { name: p });
    for (const v of values) el(pe, OWS, 'ows:Value', undefined, v);
  }
}

function doc110(ctx: OwsContext, href: string, extents: Map<string, number[]>): string {
  const cfg = ctx.config;
  const root = xmlDocument().ele(WFS, 'wfs:WFS_Capabilities', {
    'xmlns:ows': OWS,
    'xmlns:ogc': NS.ogc,
    'xmlns:gml': NS.gml1,
    'xmlns:xlink': NS.xlink,
    'xmlns:xsi': NS.xsi,
    'xsi:schemaLocation': `${WFS} http://schemas.opengis.net/wfs/1.1.0/wfs.xsd`,
    version: '1.1.0',
  });
  const si = el(root, OWS, 'ows:ServiceIdentification');
  el(si, OWS, 'ows:Title', undefined, cfg.serviceTitle);
  el(si, OWS, 'ows:Abstract', undefined, cfg.serviceAbstract);
  owsKeywords(si, OWS, SERVICE_KEYWORDS);
  el(si, OWS, 'ows:ServiceType', undefined, 'WFS');
  el(si, OWS, 'ows:ServiceTypeVersion', undefined, '1.1.0');
  el(si, OWS, 'ows:Fees', undefined, 'NONE');
  el(si, OWS, 'ows:AccessConstraints', undefined, 'NONE');
  const sp = el(root, OWS, 'ows:ServiceProvider');
  el(sp, OWS, 'ows:ProviderName', undefined, cfg.providerName);
  el(sp, OWS, 'ows:ProviderSite', { 'xlink:href': cfg.providerSite });
  const contact = el(sp, OWS, 'ows:ServiceContact');
  el(contact, OWS, 'ows:IndividualName', undefined, cfg.providerName);
  el(el(el(contact, OWS, 'ows:ContactInfo'), OWS, 'ows:Address'), OWS, 'ows:ElectronicMailAddress', undefined, cfg.contactEmail);
  const om = el(root, OWS, 'ows:OperationsMetadata');
  op11(om, 'GetCapabilities', href, { AcceptVersions: ['1.1.0', '1.0.0'], AcceptFormats: ['text/xml'] });
  op11(om, 'DescribeFeatureType', href, { outputFormat: ['text/xml; subtype=gml/3.1.1'] });
  op11(om, 'GetFeature', href, { resultType: ['results', 'hits'], outputFormat: OUTPUT_FORMATS['1.1.0'] });
  const list = el(root, WFS, 'wfs:FeatureTypeList');
  el(el(list, WFS, 'wfs:Operations'), WFS, 'wfs:Operation', undefined, 'Query');
  for (const t of featureTypes(cfg)) {
    const ft = el(list, WFS, 'wfs:FeatureType', { [`xmlns:${cfg.namespacePrefix}`]: cfg.namespaceUri });
    el(ft, WFS, 'wfs:Name', undefined, `${cfg.namespacePrefix}:${t.name}`);
    el(ft, WFS, 'wfs:Title', undefined, t.title);
    el(ft, WFS, 'wfs:Abstract', undefined, t.abstract);
    owsKeywords(ft, OWS, t.keywords);
    el(ft, WFS, 'wfs:DefaultSRS', undefined, 'urn:x-ogc:def:crs:EPSG:4326');
    for (const srid of Object.keys(SUPPORTED_SRIDS).filter((s) => s !== '4326')) el(ft, WFS, 'wfs:OtherSRS', undefined, `urn:x-ogc:def:crs:EPSG:${srid}`);
    const of = el(ft, WFS, 'wfs:OutputFormats');
    for (const f of OUTPUT_FORMATS['1.1.0']) el(of, WFS, 'wfs:Format', undefined, f);
    const e = extents.get(t.name)!;
    const bb = el(ft, OWS, 'ows:WGS84BoundingBox');
    el(bb, OWS, 'ows:LowerCorner', undefined, `${e[0]} ${e[1]}`);
    el(bb, OWS, 'ows:UpperCorner', undefined, `${e[2]} ${e[3]}`);
    if (cfg.metadataUrlTemplate) el(ft, WFS, 'wfs:MetadataURL', { type: 'TC211', format: 'text/xml' }, cfg.metadataUrlTemplate.replace(/\{id\}/g, encodeURIComponent(t.name)));
  }
  writeFilter110Capabilities(root);
  return root.end({ prettyPrint: false });
}

function doc100(ctx: OwsContext, href: string, extents: Map<string, number[]>): string {
  const cfg = ctx.config;
  const root = xmlDocument().ele(WFS, 'wfs:WFS_Capabilities', {
    'xmlns:ogc': NS.ogc,
    'xmlns:xsi': NS.xsi,
    'xsi:schemaLocation': `${WFS} http://schemas.opengis.net/wfs/1.0.0/WFS-capabilities.xsd`,
    version: '1.0.0',
  });
  const svc = el(root, WFS, 'wfs:Service');
  el(svc, WFS, 'wfs:Name', undefined, 'WFS');
  el(svc, WFS, 'wfs:Title', undefined, cfg.serviceTitle);
  el(svc, WFS, 'wfs:Abstract', undefined, cfg.serviceAbstract);
  wfs100Keywords(svc, WFS, SERVICE_KEYWORDS);
  el(svc, WFS, 'wfs:OnlineResource', undefined, href);
  el(svc, WFS, 'wfs:Fees', undefined, 'NONE');
  el(svc, WFS, 'wfs:AccessConstraints', undefined, 'NONE');
  const request = el(el(root, WFS, 'wfs:Capability'), WFS, 'wfs:Request');
  const dcp = (parent: XMLBuilder) => {
    const http = el(el(parent, WFS, 'wfs:DCPType'), WFS, 'wfs:HTTP');
    el(http, WFS, 'wfs:Get', { onlineResource: `${href}?` });
    const post = el(parent, WFS, 'wfs:DCPType');
    el(el(post, WFS, 'wfs:HTTP'), WFS, 'wfs:Post', { onlineResource: href });
  };
  dcp(el(request, WFS, 'wfs:GetCapabilities'));
  const dft = el(request, WFS, 'wfs:DescribeFeatureType');
  el(el(dft, WFS, 'wfs:SchemaDescriptionLanguage'), WFS, 'wfs:XMLSCHEMA');
  dcp(dft);
  const gf = el(request, WFS, 'wfs:GetFeature');
  el(el(gf, WFS, 'wfs:ResultFormat'), WFS, 'wfs:GML2');
  dcp(gf);
  const list = el(root, WFS, 'wfs:FeatureTypeList');
  el(el(list, WFS, 'wfs:Operations'), WFS, 'wfs:Query');
  for (const t of featureTypes(cfg)) {
    const ft = el(list, WFS, 'wfs:FeatureType', { [`xmlns:${cfg.namespacePrefix}`]: cfg.namespaceUri });
    el(ft, WFS, 'wfs:Name', undefined, `${cfg.namespacePrefix}:${t.name}`);
    el(ft, WFS, 'wfs:Title', undefined, t.title);
    el(ft, WFS, 'wfs:Abstract', undefined, t.abstract);
    wfs100Keywords(ft, WFS, t.keywords);
    el(ft, WFS, 'wfs:SRS', undefined, 'EPSG:4326');
    const e = extents.get(t.name)!;
    el(ft, WFS, 'wfs:LatLongBoundingBox', { minx: String(e[0]), miny: String(e[1]), maxx: String(e[2]), maxy: String(e[3]) });
    if (cfg.metadataUrlTemplate) el(ft, WFS, 'wfs:MetadataURL', { type: 'TC211', format: 'XML' }, cfg.metadataUrlTemplate.replace(/\{id\}/g, encodeURIComponent(t.name)));
  }
  writeFilter100Capabilities(root);
  return root.end({ prettyPrint: false });
}

/** The WFS 1.1.0 or 1.0.0 capabilities document (GeoNetwork harvests these). */
export async function capabilities1x(version: '1.1.0' | '1.0.0', req: OwsRequest, ctx: OwsContext): Promise<string> {
  const href = endpointUrl(ctx.baseUrl, req);
  const extents = typeExtents(featureTypes(ctx.config), await loadCatalogue(ctx.store));
  return version === '1.1.0' ? doc110(ctx, href, extents) : doc100(ctx, href, extents);
}
