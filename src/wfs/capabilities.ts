import { xmlDocument } from '../xml/document';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { loadCatalogue } from '../query/catalogue';
import { featureTypes, typeExtents } from '../catalog/featureTypes';
import { supportedCrsUrns } from '../crs/crs';
import { writeFes20FilterCapabilities } from '../fes/capabilities';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { OUTPUT_FORMATS } from './formats';
import { owsKeywords, SERVICE_KEYWORDS } from './keywords';
import { endpointUrl } from './links';
import { requestedSections } from './sections';
import { negotiateCapabilitiesVersion, WFS_VERSIONS } from './version';
import { capabilities1x } from './capabilities1x';
import { el, NS } from './xmlDoc';

const OWS = NS.ows;
const WFS = NS.wfs;

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
  const c = el(parent, OWS, 'ows:Constraint', { name });
  el(c, OWS, 'ows:NoValues');
  el(c, OWS, 'ows:DefaultValue', undefined, value);
}

function parameter(parent: XMLBuilder, name: string, values: readonly string[]): void {
  const p = el(parent, OWS, 'ows:Parameter', { name });
  const av = el(p, OWS, 'ows:AllowedValues');
  for (const v of values) el(av, OWS, 'ows:Value', undefined, v);
}

function operation(parent: XMLBuilder, name: string, href: string): XMLBuilder {
  const op = el(parent, OWS, 'ows:Operation', { name });
  const http = el(el(op, OWS, 'ows:DCP'), OWS, 'ows:HTTP');
  el(http, OWS, 'ows:Get', { 'xlink:href': href });
  el(http, OWS, 'ows:Post', { 'xlink:href': href });
  return op;
}

/** ows:ServiceIdentification and ows:ServiceProvider (OWS 1.1) from configuration. */
export function serviceSections(root: XMLBuilder, ctx: OwsContext, sections: Set<string>, versions: readonly string[]): void {
  const c = ctx.config;
  if (sections.has('ServiceIdentification')) {
    const si = el(root, OWS, 'ows:ServiceIdentification');
    el(si, OWS, 'ows:Title', undefined, c.serviceTitle);
    el(si, OWS, 'ows:Abstract', undefined, c.serviceAbstract);
    owsKeywords(si, OWS, SERVICE_KEYWORDS);
    el(si, OWS, 'ows:ServiceType', { codeSpace: 'OGC' }, 'WFS');
    for (const v of versions) el(si, OWS, 'ows:ServiceTypeVersion', undefined, v);
    el(si, OWS, 'ows:Fees', undefined, 'NONE');
    el(si, OWS, 'ows:AccessConstraints', undefined, 'NONE');
  }
  if (sections.has('ServiceProvider')) {
    const sp = el(root, OWS, 'ows:ServiceProvider');
    el(sp, OWS, 'ows:ProviderName', undefined, c.providerName);
    el(sp, OWS, 'ows:ProviderSite', { 'xlink:href': c.providerSite });
    const contact = el(sp, OWS, 'ows:ServiceContact');
    el(contact, OWS, 'ows:IndividualName', undefined, c.providerName);
    const info = el(contact, OWS, 'ows:ContactInfo');
    el(el(info, OWS, 'ows:Address'), OWS, 'ows:ElectronicMailAddress', undefined, c.contactEmail);
  }
}

async function capabilities20(req: OwsRequest, ctx: OwsContext): Promise<string> {
  const sections = requestedSections(req);
  const cfg = ctx.config;
  const href = endpointUrl(ctx.baseUrl, req);
  const types = featureTypes(cfg);
  const root = xmlDocument().ele(WFS, 'wfs:WFS_Capabilities', {
    'xmlns:ows': OWS,
    'xmlns:fes': NS.fes,
    'xmlns:gml': NS.gml,
    'xmlns:xlink': NS.xlink,
    'xmlns:xsi': NS.xsi,
    'xsi:schemaLocation': `${WFS} http://schemas.opengis.net/wfs/2.0/wfs.xsd`,
    version: '2.0.0',
  });
  serviceSections(root, ctx, sections, WFS_VERSIONS);
  if (sections.has('OperationsMetadata')) {
    const om = el(root, OWS, 'ows:OperationsMetadata');
    const gc = operation(om, 'GetCapabilities', href);
    parameter(gc, 'AcceptVersions', WFS_VERSIONS);
    parameter(gc, 'AcceptFormats', ['text/xml']);
    parameter(gc, 'Sections', ['ServiceIdentification', 'ServiceProvider', 'OperationsMetadata', 'FeatureTypeList', 'Filter_Capabilities', 'All']);
    const dft = operation(om, 'DescribeFeatureType', href);
    parameter(dft, 'outputFormat', ['application/gml+xml; version=3.2', 'text/xml; subtype=gml/3.2', 'text/xml; subtype=gml/3.1.1']);
    operation(om, 'ListStoredQueries', href);
    operation(om, 'DescribeStoredQueries', href);
    const gf = operation(om, 'GetFeature', href);
    parameter(gf, 'outputFormat', OUTPUT_FORMATS['2.0.0']);
    parameter(gf, 'resultType', ['results', 'hits']);
    parameter(gf, 'resolve', ['none', 'local']);
    constraint(gf, 'CountDefault', String(cfg.countDefault));
    const gpv = operation(om, 'GetPropertyValue', href);
    parameter(gpv, 'outputFormat', ['application/gml+xml; version=3.2']);
    parameter(gpv, 'resolve', ['none', 'local']);
    parameter(om, 'version', WFS_VERSIONS);
    for (const [name, v] of SERVICE_CONSTRAINTS) constraint(om, name, v ? 'TRUE' : 'FALSE');
    // QueryExpressions is a list constraint: the ad hoc and stored query expressions both work.
    const qe = el(om, OWS, 'ows:Constraint', { name: 'QueryExpressions' });
    const av = el(qe, OWS, 'ows:AllowedValues');
    el(av, OWS, 'ows:Value', undefined, 'wfs:Query');
    el(av, OWS, 'ows:Value', undefined, 'wfs:StoredQuery');
  }
  if (sections.has('FeatureTypeList')) {
    const extents = typeExtents(types, await loadCatalogue(ctx.store));
    const list = el(root, WFS, 'wfs:FeatureTypeList');
    // Object keys of the CRS table come out in numeric order; the default must be EPSG:4326 whatever the order.
    const defaultCrs = 'urn:ogc:def:crs:EPSG::4326';
    const otherCrs = supportedCrsUrns().filter((c) => c !== defaultCrs);
    for (const t of types) {
      // R3: each FeatureType declares the feature namespace itself (QGIS and GDAL resolve the prefix here).
      const ft = el(list, WFS, 'wfs:FeatureType', { [`xmlns:${cfg.namespacePrefix}`]: cfg.namespaceUri });
      el(ft, WFS, 'wfs:Name', undefined, `${cfg.namespacePrefix}:${t.name}`);
      el(ft, WFS, 'wfs:Title', undefined, t.title);
      el(ft, WFS, 'wfs:Abstract', undefined, t.abstract);
      owsKeywords(ft, OWS, t.keywords);
      el(ft, WFS, 'wfs:DefaultCRS', undefined, defaultCrs);
      for (const c of otherCrs) el(ft, WFS, 'wfs:OtherCRS', undefined, c);
      const of = el(ft, WFS, 'wfs:OutputFormats');
      for (const f of OUTPUT_FORMATS['2.0.0']) el(of, WFS, 'wfs:Format', undefined, f);
      const e = extents.get(t.name)!;
      const bb = el(ft, OWS, 'ows:WGS84BoundingBox');
      el(bb, OWS, 'ows:LowerCorner', undefined, `${e[0]} ${e[1]}`);
      el(bb, OWS, 'ows:UpperCorner', undefined, `${e[2]} ${e[3]}`);
      if (cfg.metadataUrlTemplate) el(ft, WFS, 'wfs:MetadataURL', { 'xlink:href': cfg.metadataUrlTemplate.replace(/\{id\}/g, encodeURIComponent(t.name)) });
    }
  }
  if (sections.has('Filter_Capabilities')) writeFes20FilterCapabilities(root);
  return root.end({ prettyPrint: false });
}

/** WFS GetCapabilities: 2.0.0 by default or as negotiated; 1.1.0 and 1.0.0 documents for older clients and GeoNetwork. */
export async function getCapabilities(req: OwsRequest, ctx: OwsContext): Promise<OwsResponse> {
  const version = negotiateCapabilitiesVersion(req);
  const body = version === '2.0.0' ? await capabilities20(req, ctx) : await capabilities1x(version, req, ctx);
  return { kind: 'body', contentType: 'application/xml; charset=utf-8', body };
}
