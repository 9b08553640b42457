import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestApp, TestApp, textBody } from '../helpers/app';
import { expectValidXml, validateXml } from '../helpers/xmllint';
import { XMLParser } from 'fast-xml-parser';
import { exceptionOf, NAMESPACES, NS_URI, parse } from './helpers';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ metadataUrlTemplate: 'https://catalogue.example.org/records/{id}' });
});
afterAll(async () => {
  await t?.close();
});

const get = (q: string) => t.http.get(`/wfs?${q}`).buffer(true).parse(textBody);

/** Local names of the children of wfs:Service and of each wfs:FeatureType of a 1.0.0 capabilities document, in document order. */
function childOrder(xml: string): { service: string[]; featureTypes: string[][] } {
  type Node = Record<string, Node[]>;
  const doc: Node[] = new XMLParser({ preserveOrder: true, ignoreAttributes: true }).parse(xml);
  const kids = (nodes: Node[], name: string): Node[] => nodes.find((n) => name in n)?.[name] ?? [];
  const names = (nodes: Node[]) => nodes.flatMap((n) => Object.keys(n)).filter((k) => k !== '#text' && k !== ':@').map((k) => k.replace(/^wfs:/, ''));
  const root = kids(doc, 'wfs:WFS_Capabilities');
  const list = kids(root, 'wfs:FeatureTypeList');
  return {
    service: names(kids(root, 'wfs:Service')),
    featureTypes: list.filter((n) => 'wfs:FeatureType' in n).map((n) => names(n['wfs:FeatureType'])),
  };
}

describe('GetCapabilities 2.0.0', () => {
  let xml: string;
  let caps: any;
  beforeAll(async () => {
    const r = await get('SERVICE=WFS&REQUEST=GetCapabilities');
    expect(r.status).toBe(200);
    xml = r.body;
    caps = parse(xml)['wfs:WFS_Capabilities'];
  });

  it('is valid against wfs.xsd and is version 2.0.0 when no version is asked (GDAL)', () => {
    expectValidXml(xml, 'wfs20');
    expect(caps['@version']).toBe('2.0.0');
    expect(xml.startsWith('<?xml')).toBe(true);
    expect(xml).toContain('<wfs:WFS_Capabilities');
  });

  it('advertises every Implements* constraint with a DefaultValue, paging TRUE and CountDefault in GetFeature', () => {
    const om = caps['ows:OperationsMetadata'];
    const constraints: Record<string, string> = {};
    for (const c of om['ows:Constraint']) constraints[c['@name']] = c['ows:DefaultValue'];
    for (const name of ['ImplementsBasicWFS', 'ImplementsTransactionalWFS', 'ImplementsLockingWFS', 'KVPEncoding', 'XMLEncoding', 'SOAPEncoding', 'ImplementsInheritance', 'ImplementsRemoteResolve', 'ImplementsResultPaging', 'ImplementsStandardJoins', 'ImplementsSpatialJoins', 'ImplementsTemporalJoins', 'ImplementsFeatureVersioning', 'ManageStoredQueries']) {
      expect(['TRUE', 'FALSE']).toContain(constraints[name]);
    }
    expect(constraints.ImplementsResultPaging).toBe('TRUE');
    expect(constraints.ImplementsBasicWFS).toBe('TRUE');
    const gf = om['ows:Operation'].find((o: any) => o['@name'] === 'GetFeature');
    expect(gf['ows:Constraint'].find((c: any) => c['@name'] === 'CountDefault')['ows:DefaultValue']).toBe(String(t.config.countDefault));
    const resolve = gf['ows:Parameter'].find((p: any) => p['@name'] === 'resolve');
    expect(resolve['ows:AllowedValues']['ows:Value']).toContain('local');
    const names = om['ows:Operation'].map((o: any) => o['@name']);
    expect(names).toEqual(expect.arrayContaining(['GetCapabilities', 'DescribeFeatureType', 'ListStoredQueries', 'DescribeStoredQueries', 'GetFeature', 'GetPropertyValue']));
  });

  it('has Get hrefs without "?" built from the request base URL', () => {
    for (const op of caps['ows:OperationsMetadata']['ows:Operation']) {
      const href = op['ows:DCP']['ows:HTTP']['ows:Get']['@xlink:href'];
      expect(href).toMatch(/^http:\/\/127\.0\.0\.1(:\d+)?\/wfs$/);
    }
  });

  it('lists the three feature types with xmlns:reef on each, the URN default CRS, other CRSs, extents and MetadataURL', () => {
    const fts = caps['wfs:FeatureTypeList']['wfs:FeatureType'];
    expect(fts.map((f: any) => f['wfs:Name'])).toEqual(['reef:Station', 'reef:Dataset', 'reef:Observation']);
    for (const f of fts) {
      expect(f['@xmlns:reef']).toBe(NS_URI);
      expect(f['wfs:Title']).toBeTruthy();
      expect(f['wfs:DefaultCRS']).toBe('urn:ogc:def:crs:EPSG::4326');
      expect(f['wfs:OtherCRS']).toEqual(expect.arrayContaining(['urn:ogc:def:crs:EPSG::3857', 'urn:ogc:def:crs:EPSG::3163', 'urn:ogc:def:crs:EPSG::32758']));
      expect(f['wfs:MetadataURL']['@xlink:href']).toMatch(/^https:\/\/catalogue\.example\.org\/records\//);
    }
    // Extent from the data: the network spans the antimeridian (179.3E and 176.2W), advertised as the plain min/max box.
    const [w, s] = fts[0]['ows:WGS84BoundingBox']['ows:LowerCorner'].split(' ').map(Number);
    const [e, n] = fts[0]['ows:WGS84BoundingBox']['ows:UpperCorner'].split(' ').map(Number);
    expect(w).toBeLessThan(-170);
    expect(e).toBeGreaterThan(179);
    expect(s).toBeLessThan(n);
  });

  it('includes the FES Filter_Capabilities', () => {
    const fc = caps['fes:Filter_Capabilities'];
    expect(fc['fes:Conformance']).toBeDefined();
    expect(xml).toContain('name="ImplementsSorting"');
  });

  it('returns only the requested sections and rejects an unknown one', async () => {
    const r = await get('service=WFS&request=GetCapabilities&sections=ServiceIdentification,OperationsMetadata');
    expectValidXml(r.body, 'wfs20');
    const c = parse(r.body)['wfs:WFS_Capabilities'];
    expect(c['ows:ServiceIdentification']).toBeDefined();
    expect(c['ows:OperationsMetadata']).toBeDefined();
    expect(c['ows:ServiceProvider']).toBeUndefined();
    expect(c['wfs:FeatureTypeList']).toBeUndefined();
    const bad = await get('service=WFS&request=GetCapabilities&sections=WrongSections');
    expect(bad.status).toBe(400);
    expectValidXml(bad.body, 'wfs20');
    expect(exceptionOf(bad.body)).toMatchObject({ code: 'InvalidParameterValue', locator: 'sections' });
  });

  it('negotiates AcceptVersions (10.0.0,2.0.0,1.1.0 → 2.0.0; 1.1.0 first → 1.1.0; none → VersionNegotiationFailed)', async () => {
    const a = await get('service=WFS&request=GetCapabilities&acceptversions=10.0.0,2.0.0,1.1.0');
    expect(parse(a.body)['wfs:WFS_Capabilities']['@version']).toBe('2.0.0');
    const b = await get('service=WFS&request=GetCapabilities&AcceptVersions=1.1.0,2.0.0');
    expect(parse(b.body)['wfs:WFS_Capabilities']['@version']).toBe('1.1.0');
    const c = await get('service=WFS&request=GetCapabilities&acceptversions=2000.01.01');
    expect(c.status).toBe(400);
    expectValidXml(c.body, 'wfs20');
    expect(exceptionOf(c.body).code).toBe('VersionNegotiationFailed');
  });

  it('answers a request without SERVICE with MissingParameterValue locator service', async () => {
    const r = await get('request=GetCapabilities');
    expect(r.status).toBe(400);
    expectValidXml(r.body, 'wfs20');
    expect(exceptionOf(r.body)).toMatchObject({ code: 'MissingParameterValue', locator: 'service' });
  });

  it('accepts the XML binding of GetCapabilities', async () => {
    const body = `<GetCapabilities xmlns="http://www.opengis.net/wfs/2.0" xmlns:ows="http://www.opengis.net/ows/1.1" service="WFS"><ows:AcceptVersions><ows:Version>2.0.0</ows:Version></ows:AcceptVersions></GetCapabilities>`;
    const r = await t.http.post('/wfs').set('Content-Type', 'text/xml').send(body).buffer(true).parse(textBody);
    expect(r.status).toBe(200);
    expectValidXml(r.body, 'wfs20');
  });
});

describe('GetCapabilities 1.1.0 and 1.0.0 (GeoNetwork, older clients)', () => {
  it('serves a valid 1.1.0 document whose FeatureTypes are in http://www.opengis.net/wfs', async () => {
    const r = await get('SERVICE=WFS&VERSION=1.1.0&REQUEST=GetCapabilities');
    expect(r.status).toBe(200);
    expectValidXml(r.body, 'wfs110');
    const c = parse(r.body)['wfs:WFS_Capabilities'];
    expect(c['@xmlns:wfs']).toBe('http://www.opengis.net/wfs');
    expect(c['@version']).toBe('1.1.0');
    expect(c['wfs:FeatureTypeList']['wfs:FeatureType'].map((f: any) => f['wfs:Name'])).toEqual(['reef:Station', 'reef:Dataset', 'reef:Observation']);
    expect(r.body).toContain('<ogc:Filter_Capabilities');
  });

  it('serves a 1.0.0 document with FeatureTypes, SRS and LatLongBoundingBox', async () => {
    const r = await get('SERVICE=WFS&VERSION=1.0.0&REQUEST=GetCapabilities');
    expect(r.status).toBe(200);
    const c = parse(r.body)['wfs:WFS_Capabilities'];
    expect(c['@version']).toBe('1.0.0');
    expect(c['@xmlns:wfs']).toBe('http://www.opengis.net/wfs');
    const fts = c['wfs:FeatureTypeList']['wfs:FeatureType'];
    expect(fts).toHaveLength(3);
    expect(fts[0]['wfs:SRS']).toBe('EPSG:4326');
    expect(Number(fts[0]['wfs:LatLongBoundingBox']['@minx'])).toBeLessThan(-170);
  });

  it('1.0.0 carries wfs:Keywords (OWSLib reads it unconditionally) where the WFS 1.0.0 schema sequences allow it', async () => {
    const r = await get('SERVICE=WFS&VERSION=1.0.0&REQUEST=GetCapabilities');
    const c = parse(r.body)['wfs:WFS_Capabilities'];
    expect(c['wfs:Service']['wfs:Keywords']).toBe('ocean, observations, stations, sea temperature, WFS');
    for (const ft of c['wfs:FeatureTypeList']['wfs:FeatureType']) expect(ft['wfs:Keywords']).toMatch(/^\w[\w ]*(, \w[\w ]*)*$/);
    // The offline schema set has no WFS 1.0.0 (see ../shared/ogc-schemas/PROVENANCE.md): check the order of its
    // sequences here. WFS-capabilities.xsd: ServiceType = Name, Title, Abstract?, Keywords?, OnlineResource, Fees?,
    // AccessConstraints?; FeatureTypeType = Name, Title?, Abstract?, Keywords?, SRS, Operations?, LatLongBoundingBox+, MetadataURL*.
    const tree = childOrder(r.body);
    expect(tree.service).toEqual(['Name', 'Title', 'Abstract', 'Keywords', 'OnlineResource', 'Fees', 'AccessConstraints']);
    expect(tree.featureTypes).toHaveLength(3);
    for (const ft of tree.featureTypes) expect(ft).toEqual(['Name', 'Title', 'Abstract', 'Keywords', 'SRS', 'LatLongBoundingBox', 'MetadataURL']);
  });

  it('1.1.0 and 2.0.0 carry the same keywords as ows:Keywords (service and each feature type)', async () => {
    for (const v of ['1.1.0', '2.0.0']) {
      const c = parse((await get(`SERVICE=WFS&VERSION=${v}&REQUEST=GetCapabilities`)).body)['wfs:WFS_Capabilities'];
      expect(c['ows:ServiceIdentification']['ows:Keywords']['ows:Keyword']).toEqual(['ocean', 'observations', 'stations', 'sea temperature', 'WFS']);
      const fts = c['wfs:FeatureTypeList']['wfs:FeatureType'];
      expect(fts[0]['ows:Keywords']['ows:Keyword']).toContain('stations');
      for (const ft of fts) expect([ft['ows:Keywords']['ows:Keyword']].flat().length).toBeGreaterThan(0);
    }
  });
});

describe('DescribeFeatureType', () => {
  it('follows the QGIS rules: prefixed element type, top-level complexType, gml:PointPropertyType, simple types', async () => {
    const r = await get(`SERVICE=WFS&REQUEST=DescribeFeatureType&VERSION=2.0.0&TYPENAMES=reef:Station&NAMESPACES=${encodeURIComponent(NAMESPACES)}&TYPENAME=reef:Station`);
    expect(r.status).toBe(200);
    const s = parse(r.body)['xs:schema'];
    expect(s['@targetNamespace']).toBe(NS_URI);
    expect(s['xs:element']).toEqual([expect.objectContaining({ '@name': 'Station', '@type': 'reef:StationType' })]);
    const ct = s['xs:complexType'][0];
    expect(ct['@name']).toBe('StationType');
    const els = ct['xs:complexContent']['xs:extension']['xs:sequence']['xs:element'];
    const types = Object.fromEntries(els.map((e: any) => [e['@name'], e['@type']]));
    expect(types).toMatchObject({
      stationId: 'xs:string', name: 'xs:string', network: 'xs:string', producer: 'xs:string', country: 'xs:string', depth: 'xs:double',
      observedProperties: 'xs:string', firstObservation: 'xs:dateTime', lastObservation: 'xs:dateTime', datasetCount: 'xs:int', observationsUrl: 'xs:string', geom: 'gml:PointPropertyType',
    });
    // The schema itself compiles: validate a minimal instance against it.
    expect(validateXml('<x/>', writeTemp(r.body)).output).not.toMatch(/failed to compile|parser error/);
  });

  it('describes several types, all types with no TYPENAME, and the Dataset/Observation property contracts', async () => {
    const all = parse((await get('service=WFS&version=2.0.0&request=DescribeFeatureType')).body)['xs:schema'];
    expect(all['xs:element'].map((e: any) => e['@name'])).toEqual(['Station', 'Dataset', 'Observation']);
    const two = parse((await get('service=WFS&version=2.0.0&request=DescribeFeatureType&typeName=reef:Dataset,reef:Observation')).body)['xs:schema'];
    expect(two['xs:element'].map((e: any) => e['@name'])).toEqual(['Dataset', 'Observation']);
    const names = (i: number) => two['xs:complexType'][i]['xs:complexContent']['xs:extension']['xs:sequence']['xs:element'].map((e: any) => e['@name']);
    expect(names(0)).toEqual(['datasetId', 'stationId', 'stationName', 'propertyLabel', 'standardName', 'uom', 'processingLevel', 'instrumentFamily', 'startTime', 'endTime', 'observationCount', 'sosUrl', 'csvUrl', 'edrUrl', 'metadataUrl', 'geom']);
    expect(names(1)).toEqual(['datasetId', 'property', 'time', 'value', 'uom', 'qc', 'geom']);
  });

  it('accepts any prefix bound through NAMESPACES', async () => {
    const r = await get(`service=WFS&version=2.0.0&request=DescribeFeatureType&typenames=ns47:Station&namespaces=${encodeURIComponent(`xmlns(xml,http://www.w3.org/XML/1998/namespace),xmlns(ns47,${NS_URI})`)}`);
    expect(r.status).toBe(200);
    expect(parse(r.body)['xs:schema']['xs:element'][0]['@name']).toBe('Station');
  });

  it('rejects an unknown type with 400 InvalidParameterValue and the parameter as locator', async () => {
    for (const [param, locator] of [['typename', 'typeName'], ['typenames', 'typeNames']]) {
      const r = await get(`service=WFS&version=2.0.0&request=DescribeFeatureType&${param}=reef:Nope`);
      expect(r.status).toBe(400);
      expectValidXml(r.body, 'wfs20');
      expect(exceptionOf(r.body)).toMatchObject({ code: 'InvalidParameterValue', locator });
    }
    const other = await get(`service=WFS&version=2.0.0&request=DescribeFeatureType&typenames=x:Station&namespaces=${encodeURIComponent('xmlns(x,http://other.example/ns)')}`);
    expect(other.status).toBe(400);
  });

  it('serves GML 3.1.1 (1.1.0) and GML 2 (1.0.0) variants', async () => {
    const v11 = parse((await get('service=WFS&version=1.1.0&request=DescribeFeatureType&typename=reef:Station')).body)['xs:schema'];
    expect(v11['@xmlns:gml']).toBe('http://www.opengis.net/gml');
    expect(v11['xs:import']['@schemaLocation']).toContain('gml/3.1.1');
    expect(v11['xs:element'][0]['@substitutionGroup']).toBe('gml:_Feature');
    const v10 = parse((await get('service=WFS&version=1.0.0&request=DescribeFeatureType&typename=reef:Station')).body)['xs:schema'];
    expect(v10['xs:import']['@schemaLocation']).toContain('gml/2.1.2');
  });

  it('accepts the XML binding', async () => {
    const body = `<wfs:DescribeFeatureType xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:r="${NS_URI}" service="WFS" version="2.0.0"><wfs:TypeName>r:Observation</wfs:TypeName></wfs:DescribeFeatureType>`;
    const r = await t.http.post('/wfs').set('Content-Type', 'application/xml').send(body);
    expect(r.status).toBe(200);
    expect(r.text).toContain('name="ObservationType"');
  });
});

describe('Stored queries', () => {
  it('lists GetFeatureById under both identifiers, each describable', async () => {
    const l = await get('service=WFS&version=2.0.0&request=ListStoredQueries');
    expectValidXml(l.body, 'wfs20');
    const ids = parse(l.body)['wfs:ListStoredQueriesResponse']['wfs:StoredQuery'].map((q: any) => q['@id']);
    expect(ids).toEqual(['urn:ogc:def:query:OGC-WFS::GetFeatureById', 'http://www.opengis.net/def/query/OGC-WFS/0/GetFeatureById']);
    for (const id of ids) {
      const d = await get(`service=WFS&version=2.0.0&request=DescribeStoredQueries&storedquery_id=${encodeURIComponent(id)}`);
      expect(d.status).toBe(200);
      expectValidXml(d.body, 'wfs20');
      expect(parse(d.body)['wfs:DescribeStoredQueriesResponse']['wfs:StoredQueryDescription'][0]['@id']).toBe(id);
    }
    const all = await get('service=WFS&version=2.0.0&request=DescribeStoredQueries');
    expectValidXml(all.body, 'wfs20');
  });

  it('rejects an unknown stored query id with InvalidParameterValue and a locator', async () => {
    const d = await get('service=WFS&version=2.0.0&request=DescribeStoredQueries&storedquery_id=urn:nope');
    expect(d.status).toBe(400);
    expectValidXml(d.body, 'wfs20');
    expect(exceptionOf(d.body).code).toBe('InvalidParameterValue');
    expect(exceptionOf(d.body).locator).toMatch(/storedquery_id/i);
    const g = await get('service=WFS&version=2.0.0&request=GetFeature&storedquery_id=urn:nope&id=Station.NCL_POE');
    expect(g.status).toBe(400);
    expect(exceptionOf(g.body).code).toBe('InvalidParameterValue');
  });
});

describe('Errors', () => {
  it('answers an unknown operation with OperationNotSupported', async () => {
    const r = await get('service=WFS&version=2.0.0&request=Transaction');
    expect(r.status).toBe(400);
    expectValidXml(r.body, 'wfs20');
    expect(exceptionOf(r.body)).toMatchObject({ code: 'OperationNotSupported', locator: 'request' });
  });

  it('answers an unsupported version with InvalidParameterValue locator version', async () => {
    const r = await get('service=WFS&version=3.0.0&request=DescribeFeatureType');
    expect(r.status).toBe(400);
    expect(exceptionOf(r.body)).toMatchObject({ code: 'InvalidParameterValue', locator: 'version' });
  });
});

function writeTemp(xsd: string): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rg-x-')), 'app.xsd');
  fs.writeFileSync(f, xsd);
  return f;
}
