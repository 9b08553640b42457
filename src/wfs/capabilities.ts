import { XMLBuilder, xmlRoot, xmlString } from '../xml/document';
import { loadCatalogue } from '../query/catalogue';
import { featureTypes, typeExtents } from '../catalog/featureTypes';
import { DEFAULT_CRS, supportedCrsUrns } from '../crs/crs';
import { writeFes20FilterCapabilities } from '../fes/capabilities';
import { operation, owsKeywords, parameter, serviceIdentification, serviceProvider, ServiceType } from '../ows/common';
import type { OwsContext, OwsRequest, OwsResponse } from '../ows/types';
import { outputFormats, schemaFormats } from './formats';
import { featureTypeEntry, typeMetadataUrl, wgs84BoundingBox } from './featureTypeEntry';
import { SERVICE_KEYWORDS } from './keywords';
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

/** What the WFS ows:ServiceIdentification says (OWS 1.1: keywords, ServiceType with its codeSpace). */
function serviceType(versions: readonly string[]): ServiceType {
  return { type: 'WFS', codeSpace: 'OGC', keywords: SERVICE_KEYWORDS, versions };
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
  if (sections.has('ServiceIdentification')) serviceIdentification(root, cfg, serviceType(WFS_VERSIONS));
  if (sections.has('ServiceProvider')) serviceProvider(root, cfg);
  if (sections.has('OperationsMetadata')) {
    const om = root.ele('ows:OperationsMetadata');
    operation(om, 'GetCapabilities', href, {
      AcceptVersions: WFS_VERSIONS,
      AcceptFormats: ['text/xml'],
      Sections: ['ServiceIdentification', 'ServiceProvider', 'OperationsMetadata', 'FeatureTypeList', 'Filter_Capabilities', 'All'],
    });
    operation(om, 'DescribeFeatureType', href, { outputFormat: schemaFormats('2.0.0') });
    operation(om, 'ListStoredQueries', href);
    operation(om, 'DescribeStoredQueries', href);
    const gf = operation(om, 'GetFeature', href, { outputFormat: outputFormats('2.0.0'), resultType: ['results', 'hits'], resolve: ['none', 'local'] });
    constraint(gf, 'CountDefault', String(cfg.countDefault));
    // GetPropertyValue answers in the version's GML (a wfs:ValueCollection) whatever the format asked.
    operation(om, 'GetPropertyValue', href, { outputFormat: outputFormats('2.0.0').slice(0, 1), resolve: ['none', 'local'] });
    parameter(om, 'version', WFS_VERSIONS);
    for (const [name, v] of SERVICE_CONSTRAINTS) constraint(om, name, v ? 'TRUE' : 'FALSE');
    // QueryExpressions is a list constraint: the ad hoc and stored query expressions both work.
    const qe = om.ele('ows:Constraint', { name: 'QueryExpressions' });
    const av = qe.ele('ows:AllowedValues');
    av.ele('ows:Value').txt('wfs:Query');
    av.ele('ows:Value').txt('wfs:StoredQuery');
  }
  if (sections.has('FeatureTypeList')) {
    const extents = typeExtents(types, await loadCatalogue(ctx.store));
    const list = root.ele('wfs:FeatureTypeList');
    // Object keys of the CRS table come out in numeric order; the default must be EPSG:4326 whatever the order.
    const defaultCrs = DEFAULT_CRS.name;
    const otherCrs = supportedCrsUrns().filter((c) => c !== defaultCrs);
    for (const t of types) {
      const ft = featureTypeEntry(list, cfg, t);
      owsKeywords(ft, t.keywords);
      ft.ele('wfs:DefaultCRS').txt(defaultCrs);
      for (const c of otherCrs) ft.ele('wfs:OtherCRS').txt(c);
      const of = ft.ele('wfs:OutputFormats');
      for (const f of outputFormats('2.0.0')) of.ele('wfs:Format').txt(f);
      wgs84BoundingBox(ft, extents.get(t.name)!);
      const md = typeMetadataUrl(cfg, t);
      if (md) ft.ele('wfs:MetadataURL', { 'xlink:href': md });
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
