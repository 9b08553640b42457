import { XMLBuilder, xmlRoot, xmlString } from '../xml/document';
import { featureTypes } from '../catalog/featureTypes';
import { supportedCrsUrns } from '../crs/crs';
import { writeFes20FilterCapabilities } from '../fes/capabilities';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { typeExtents } from './extents';
import { outputFormats, schemaFormats } from './formats';
import { endpointUrl } from './links';
import { requestedSections } from './sections';
import { negotiateCapabilitiesVersion, WFS_VERSIONS } from './version';
import { capabilities1x } from './capabilities1x';
import { NS, XSD } from '../xml/namespaces';

/** WFS 2.0 global constraints (conformance classes), each with the ows:DefaultValue the suites require. */
const SERVICE_CONSTRAINTS: [string, boolean][] = [
  ['ImplementsBasicWFS', true],
  ['ImplementsTransactionalWFS', false],
  ['ImplementsLockingWFS', false],
  ['KVPEncoding', true],
  ['XMLEncoding', true],
  ['SOAPEncoding', false],
  ['ImplementsInheritance', false],
  ['ImplementsRemoteResolve', false],
  ['ImplementsResultPaging', true],
  ['ImplementsStandardJoins', false],
  ['ImplementsSpatialJoins', false],
  ['ImplementsTemporalJoins', false],
  ['ImplementsFeatureVersioning', false],
  ['ManageStoredQueries', false],
];

function constraint(parent: XMLBuilder, name: string, value: string): void {
  const c = parent.ele('ows:Constraint', { name });
  c.ele('ows:NoValues');
  c.ele('ows:DefaultValue').txt(value);
}

function parameter(parent: XMLBuilder, name: string, values: readonly string[]): void {
  const p = parent.ele('ows:Parameter', { name });
  const av = p.ele('ows:AllowedValues');
  for (const v of values) av.ele('ows:Value').txt(v);
}

function operation(parent: XMLBuilder, name: string, href: string): XMLBuilder {
  const op = parent.ele('ows:Operation', { name });
  const http = op.ele('ows:DCP').ele('ows:HTTP');
  http.ele('ows:Get', { 'xlink:href': href });
  http.ele('ows:Post', { 'xlink:href': href });
  return op;
}

/** ows:ServiceIdentification and ows:ServiceProvider (OWS 1.1) from configuration. */
export function serviceSections(root: XMLBuilder, ctx: OwsContext, sections: Set<string>, versions: readonly string[]): void {
  const c = ctx.config;
  if (sections.has('ServiceIdentification')) {
    const si = root.ele('ows:ServiceIdentification');
    si.ele('ows:Title').txt(c.serviceTitle);
    si.ele('ows:Abstract').txt(c.serviceAbstract);
    const kw = si.ele('ows:Keywords');
    for (const k of ['ocean', 'observations', 'stations', 'sea temperature', 'WFS']) kw.ele('ows:Keyword').txt(k);
    si.ele('ows:ServiceType', { codeSpace: 'OGC' }).txt('WFS');
    for (const v of versions) si.ele('ows:ServiceTypeVersion').txt(v);
    si.ele('ows:Fees').txt('NONE');
    si.ele('ows:AccessConstraints').txt('NONE');
  }
  if (sections.has('ServiceProvider')) {
    const sp = root.ele('ows:ServiceProvider');
    sp.ele('ows:ProviderName').txt(c.providerName);
    sp.ele('ows:ProviderSite', { 'xlink:href': c.providerSite });
    const contact = sp.ele('ows:ServiceContact');
    contact.ele('ows:IndividualName').txt(c.providerName);
    const info = contact.ele('ows:ContactInfo');
    info.ele('ows:Address').ele('ows:ElectronicMailAddress').txt(c.contactEmail);
  }
}

async function capabilities20(req: OwsRequest, ctx: OwsContext): Promise<string> {
  const sections = requestedSections(req);
  const cfg = ctx.config;
  const href = endpointUrl(ctx.baseUrl, req);
  const types = featureTypes(cfg);
  const root = xmlRoot('wfs:WFS_Capabilities', ['ows', 'fes', 'gml', 'xlink', 'xsi'], {
    'xsi:schemaLocation': `${NS.wfs} ${XSD.wfs20}`,
    version: '2.0.0',
  });
  serviceSections(root, ctx, sections, WFS_VERSIONS);
  if (sections.has('OperationsMetadata')) {
    const om = root.ele('ows:OperationsMetadata');
    const gc = operation(om, 'GetCapabilities', href);
    parameter(gc, 'AcceptVersions', WFS_VERSIONS);
    parameter(gc, 'AcceptFormats', ['text/xml']);
    parameter(gc, 'Sections', ['ServiceIdentification', 'ServiceProvider', 'OperationsMetadata', 'FeatureTypeList', 'Filter_Capabilities', 'All']);
    const dft = operation(om, 'DescribeFeatureType', href);
    parameter(dft, 'outputFormat', schemaFormats('2.0.0'));
    operation(om, 'ListStoredQueries', href);
    operation(om, 'DescribeStoredQueries', href);
    const gf = operation(om, 'GetFeature', href);
    parameter(gf, 'outputFormat', outputFormats('2.0.0'));
    parameter(gf, 'resultType', ['results', 'hits']);
    parameter(gf, 'resolve', ['none', 'local']);
    constraint(gf, 'CountDefault', String(cfg.countDefault));
    const gpv = operation(om, 'GetPropertyValue', href);
    // GetPropertyValue answers in the version's GML (a wfs:ValueCollection) whatever the format asked.
    parameter(gpv, 'outputFormat', outputFormats('2.0.0').slice(0, 1));
    parameter(gpv, 'resolve', ['none', 'local']);
    parameter(om, 'version', WFS_VERSIONS);
    for (const [name, v] of SERVICE_CONSTRAINTS) constraint(om, name, v ? 'TRUE' : 'FALSE');
    // QueryExpressions is a list constraint: the ad hoc and stored query expressions both work.
    const qe = om.ele('ows:Constraint', { name: 'QueryExpressions' });
    const av = qe.ele('ows:AllowedValues');
    av.ele('ows:Value').txt('wfs:Query');
    av.ele('ows:Value').txt('wfs:StoredQuery');
  }
  if (sections.has('FeatureTypeList')) {
    const extents = await typeExtents(ctx.store, types);
    const list = root.ele('wfs:FeatureTypeList');
    // Object keys of the CRS table come out in numeric order; the default must be EPSG:4326 whatever the order.
    const defaultCrs = 'urn:ogc:def:crs:EPSG::4326';
    const otherCrs = supportedCrsUrns().filter((c) => c !== defaultCrs);
    for (const t of types) {
      // R3: each FeatureType declares the feature namespace itself (QGIS and GDAL resolve the prefix here).
      const ft = list.ele('wfs:FeatureType', { [`xmlns:${cfg.namespacePrefix}`]: cfg.namespaceUri });
      ft.ele('wfs:Name').txt(`${cfg.namespacePrefix}:${t.name}`);
      ft.ele('wfs:Title').txt(t.title);
      ft.ele('wfs:Abstract').txt(t.abstract);
      ft.ele('wfs:DefaultCRS').txt(defaultCrs);
      for (const c of otherCrs) ft.ele('wfs:OtherCRS').txt(c);
      const of = ft.ele('wfs:OutputFormats');
      for (const f of outputFormats('2.0.0')) of.ele('wfs:Format').txt(f);
      const e = extents.get(t.name)!;
      const bb = ft.ele('ows:WGS84BoundingBox');
      bb.ele('ows:LowerCorner').txt(`${e[0]} ${e[1]}`);
      bb.ele('ows:UpperCorner').txt(`${e[2]} ${e[3]}`);
      if (cfg.metadataUrlTemplate) ft.ele('wfs:MetadataURL', { 'xlink:href': cfg.metadataUrlTemplate.replace(/\{id\}/g, encodeURIComponent(t.name)) });
    }
  }
  if (sections.has('Filter_Capabilities')) writeFes20FilterCapabilities(root);
  return xmlString(root);
}

/** WFS GetCapabilities: 2.0.0 by default or as negotiated; 1.1.0 and 1.0.0 documents for older clients and GeoNetwork. */
export async function getCapabilities(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  const version = negotiateCapabilitiesVersion(req);
  const body = version === '2.0.0' ? await capabilities20(req, ctx) : await capabilities1x(version, req, ctx);
  return { kind: 'body', contentType: 'application/xml; charset=utf-8', body };
}
