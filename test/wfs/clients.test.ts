import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listeningApp, textBody } from '../helpers/app';
import { expectValidXml, hasTool } from '../helpers/xmllint';
import { demoStations, exceptionOf, expectValidAgainstDft, NAMESPACES, parse } from './helpers';
import { runClient } from '../helpers/clientProcess';

/** Replays of every WFS request written in ../shared/docs/ogc-clients.md, then the real clients against a listening gateway. */

const srv = listeningApp();
let dft: string;
beforeAll(async () => {
  dft = (await get('SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType')).body;
});

function get(q: string) {
  return srv.app.http.get(`/wfs?${q}`).buffer(true).parse(textBody);
}
const NSP = `NAMESPACES=${encodeURIComponent(NAMESPACES)}`;
const collection = (xml: string) => parse(xml)['wfs:FeatureCollection'];
const members = (xml: string): any[] => collection(xml)['wfs:member'] ?? [];

describe('QGIS WFS provider requests', () => {
  it('1. GetCapabilities with ACCEPTVERSIONS=2.0.0,1.1.0,1.0.0 picks 2.0.0 with paging TRUE and a CountDefault', async () => {
    const r = await get('SERVICE=WFS&REQUEST=GetCapabilities&ACCEPTVERSIONS=2.0.0,1.1.0,1.0.0');
    expectValidXml(r.body, 'wfs20');
    expect(r.body).toMatch(/<ows:Constraint name="ImplementsResultPaging"><ows:NoValues\/><ows:DefaultValue>TRUE<\/ows:DefaultValue>/);
    expect(r.body).toMatch(/<ows:Constraint name="CountDefault"><ows:NoValues\/><ows:DefaultValue>\d+<\/ows:DefaultValue>/);
    const v = await get('SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0');
    expect(parse(v.body)['wfs:WFS_Capabilities']['@version']).toBe('2.0.0');
  });

  it('2. DescribeFeatureType with TYPENAMES, NAMESPACES and TYPENAME', async () => {
    const r = await get(`SERVICE=WFS&REQUEST=DescribeFeatureType&VERSION=2.0.0&TYPENAMES=reef:Station&${NSP}&TYPENAME=reef:Station`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('<xs:element name="Station" type="reef:StationType"');
    expect(r.body).toContain('type="gml:PointPropertyType"');
  });

  it('3. one-feature probe, then the probe with the world BBOX in lat/lon', async () => {
    const probe = await get(`SERVICE=WFS&REQUEST=GetFeature&VERSION=2.0.0&TYPENAMES=reef:Station&STARTINDEX=0&COUNT=1&SRSNAME=urn:ogc:def:crs:EPSG::4326&${NSP}`);
    expectValidAgainstDft(probe.body, dft, '2.0.0');
    expect(members(probe.body)).toHaveLength(1);
    expect(members(probe.body)[0]['reef:Station']['reef:geom']).toBeDefined();
    const bbox = await get(`SERVICE=WFS&REQUEST=GetFeature&VERSION=2.0.0&TYPENAMES=reef:Station&STARTINDEX=0&COUNT=1&SRSNAME=urn:ogc:def:crs:EPSG::4326&${NSP}&BBOX=-90,-180,90,180,urn:ogc:def:crs:EPSG::4326`);
    expect(members(bbox.body)).toHaveLength(1);
  });

  it('4. page loop advancing STARTINDEX by features received, with SORTBY and a merged FILTER; stops on a short page', async () => {
    const filter = `<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"><fes:And><fes:BBOX><fes:ValueReference>reef:geom</fes:ValueReference><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>-90 -180</gml:lowerCorner><gml:upperCorner>90 180</gml:upperCorner></gml:Envelope></fes:BBOX><fes:PropertyIsGreaterThanOrEqualTo><fes:ValueReference>reef:datasetCount</fes:ValueReference><fes:Literal>1</fes:Literal></fes:PropertyIsGreaterThanOrEqualTo></fes:And></fes:Filter>`;
    const ids: string[] = [];
    let first: string | undefined;
    for (let start = 0; start < 100; ) {
      const r = await get(`SERVICE=WFS&REQUEST=GetFeature&VERSION=2.0.0&TYPENAMES=reef:Station&STARTINDEX=${start}&COUNT=8&SRSNAME=urn:ogc:def:crs:EPSG::4326&FILTER=${encodeURIComponent(filter)}&SORTBY=${encodeURIComponent('name DESC')}&${NSP}`);
      const ms = members(r.body);
      if (start === 8) expect(ms[0]['reef:Station']['@gml:id']).not.toBe(first);
      if (start === 0) first = ms[0]['reef:Station']['@gml:id'];
      ids.push(...ms.map((m) => m['reef:Station']['@gml:id']));
      start += ms.length;
      if (ms.length < 8) break;
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(30);
  });

  it('5. hit count with RESULTTYPE=hits (no SRSNAME, no COUNT) gives an integer numberMatched', async () => {
    const r = await get(`SERVICE=WFS&REQUEST=GetFeature&VERSION=2.0.0&TYPENAMES=reef:Observation&RESULTTYPE=hits&${NSP}`);
    expectValidXml(r.body, 'wfs20');
    expect(collection(r.body)['@numberMatched']).toBe('190923');
  });
});

describe('GDAL WFS driver requests', () => {
  it('GetCapabilities without VERSION is 2.0.0, never an exception', async () => {
    const r = await get('SERVICE=WFS&REQUEST=GetCapabilities');
    expect(r.status).toBe(200);
    expect(r.body).not.toContain('<ows:ExceptionReport');
    expect(parse(r.body)['wfs:WFS_Capabilities']['@version']).toBe('2.0.0');
  });

  it('DescribeFeatureType with singular TYPENAME (one and a comma list)', async () => {
    const one = await get('SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType&TYPENAME=reef:Station');
    expect(one.body).toContain('name="StationType"');
    const all = await get('SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType&TYPENAME=reef:Station,reef:Dataset,reef:Observation');
    expect((all.body.match(/<xs:complexType /g) ?? []).length).toBe(3);
  });

  it('GetFeature with the FES BBOX filter (lat lon corners, unprefixed FES), SORTBY and PROPERTYNAME=(a,b,geom)', async () => {
    const filter = `<Filter xmlns="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:reef="http://reefgate.org/reef"><BBOX><ValueReference>reef:geom</ValueReference><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>-23 164</gml:lowerCorner><gml:upperCorner>-19 168</gml:upperCorner></gml:Envelope></BBOX></Filter>`;
    const r = await get(`SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=reef:Station&STARTINDEX=0&COUNT=100&FILTER=${encodeURIComponent(filter)}&SORTBY=${encodeURIComponent('depth DESC')}&PROPERTYNAME=${encodeURIComponent('(name,depth,geom)')}`);
    expect(r.status).toBe(200);
    expectValidAgainstDft(r.body, dft, '2.0.0');
    const ms = members(r.body);
    const expected = [...demoStations().values()].filter(([lon, lat]) => lat >= -23 && lat <= -19 && lon >= 164 && lon <= 168).length;
    expect(ms).toHaveLength(expected);
    expect(Object.keys(ms[0]['reef:Station']).filter((k) => k.startsWith('reef:')).sort()).toEqual(['reef:depth', 'reef:geom', 'reef:name']);
  });

  it('pages until an empty page: past the end is an empty FeatureCollection', async () => {
    const r = await get('SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=reef:Station&STARTINDEX=100&COUNT=100');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<wfs:FeatureCollection');
    expect(members(r.body)).toHaveLength(0);
  });
});

describe('OWSLib and the WFS 2.0 conformance suite requests', () => {
  it('OWSLib: BBOX latmin,lonmin,latmax,lonmax with the URN; DescribeFeatureType typeName=', async () => {
    const r = await get('service=WFS&version=2.0.0&request=GetFeature&typename=reef:Station&bbox=-23,164,-19,168,urn:ogc:def:crs:EPSG::4326');
    expect(members(r.body).length).toBeGreaterThan(0);
    const d = await get('service=WFS&version=2.0.0&request=DescribeFeatureType&typeName=reef:Dataset');
    expect(d.body).toContain('type="reef:DatasetType"');
  });

  it('ets-wfs20: lowercase keys, typenames=, percent-encoded filter, storedquery_id&id, valuereference', async () => {
    const filter = encodeURIComponent('<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsEqualTo matchCase="false"><fes:Literal>ncl</fes:Literal><fes:ValueReference>reef:country</fes:ValueReference></fes:PropertyIsEqualTo></fes:Filter>');
    const f = await get(`service=WFS&version=2.0.0&request=GetFeature&typenames=reef:Station&filter=${filter}`);
    expect(f.status).toBe(200);
    expect(members(f.body).length).toBeGreaterThan(0);
    for (const m of members(f.body)) expect(m['reef:Station']['reef:country']).toBe('NCL');
    const byId = await get('service=WFS&version=2.0.0&request=GetFeature&storedquery_id=urn:ogc:def:query:OGC-WFS::GetFeatureById&id=Station.NCL_CITRONS');
    expect(parse(byId.body)['reef:Station']['@gml:id']).toBe('Station.NCL_CITRONS');
    const pv = await get('service=WFS&version=2.0.0&request=GetPropertyValue&typenames=reef:Station&valuereference=@gml:id');
    expect(parse(pv.body)['wfs:ValueCollection']['@numberReturned']).toBe('30');
  });

  it('ets-wfs20: unknown property in a filter → 400 InvalidParameterValue; two ResourceIds', async () => {
    const bad = encodeURIComponent('<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsEqualTo><fes:ValueReference>reef:nope</fes:ValueReference><fes:Literal>1</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>');
    const r = await get(`service=WFS&version=2.0.0&request=GetFeature&typenames=reef:Station&filter=${bad}`);
    expect(r.status).toBe(400);
    expectValidXml(r.body, 'wfs20');
    expect(exceptionOf(r.body).code).toBe('InvalidParameterValue');
    const two = encodeURIComponent('<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:ResourceId rid="Station.NCL_POE"/><fes:ResourceId rid="Station.NCL_AMEDEE"/></fes:Filter>');
    const r2 = await get(`service=WFS&version=2.0.0&request=GetFeature&typenames=reef:Station&filter=${two}`);
    expect(members(r2.body)).toHaveLength(2);
  });

  it('ets-wfs20: temporal After on a dateTime property', async () => {
    const f = encodeURIComponent('<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"><fes:After><fes:ValueReference>reef:lastObservation</fes:ValueReference><gml:TimeInstant gml:id="t1"><gml:timePosition>2024-12-31T00:00:00Z</gml:timePosition></gml:TimeInstant></fes:After></fes:Filter>');
    const r = await get(`service=WFS&version=2.0.0&request=GetFeature&typenames=reef:Station&filter=${f}`);
    expect(r.status).toBe(200);
    const ms = members(r.body);
    expect(ms.length).toBeGreaterThan(0);
    for (const m of ms) expect(Date.parse(m['reef:Station']['reef:lastObservation'])).toBeGreaterThan(Date.parse('2024-12-31T00:00:00Z'));
  });
});

// Debian's python3 carries python3-owslib; a pyenv shim earlier on PATH may not.
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

describe('real clients against a listening gateway', () => {
  const gdal = hasTool('ogrinfo');
  const itGdal = gdal ? it : it.skip;

  itGdal('ogrinfo lists the three layers', async () => {
    const r = await runClient('ogrinfo', ['-ro', '-so', `WFS:${srv.base}/wfs`], 60000);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/reef:Station .*\(Point\)/);
    expect(r.stdout).toMatch(/reef:Dataset/);
    expect(r.stdout).toMatch(/reef:Observation/);
  });

  itGdal('ogrinfo takes the field types from DescribeFeatureType', async () => {
    const r = await runClient('ogrinfo', ['-ro', '-so', `WFS:${srv.base}/wfs`, 'reef:Station'], 60000);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/depth: Real/);
    expect(r.stdout).toMatch(/firstObservation: DateTime/);
    expect(r.stdout).toMatch(/datasetCount: Integer/);
    expect(r.stdout).toMatch(/Feature Count: 30/);
  });

  for (const pageSize of [undefined, '7']) {
    itGdal(`ogr2ogr reads all stations with the coordinates of stations.csv${pageSize ? ` (page size ${pageSize})` : ''}`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-ogr-'));
      const out = path.join(dir, 'stations.geojson');
      const args = ['-f', 'GeoJSON', out, `WFS:${srv.base}/wfs`, 'reef:Station'];
      if (pageSize) args.unshift('--config', 'OGR_WFS_PAGE_SIZE', pageSize, '--config', 'CPL_DEBUG', 'ON');
      const r = await runClient('ogr2ogr', args, 120000);
      expect(r.status).toBe(0);
      if (pageSize) {
        // GDAL really paged: several GetFeature requests with COUNT=7.
        const pages = (r.stderr.match(/REQUEST=GetFeature[^\n]*COUNT=7/g) ?? []).length;
        expect(pages).toBeGreaterThanOrEqual(5);
      }
      const gj = JSON.parse(fs.readFileSync(out, 'utf8'));
      fs.rmSync(dir, { recursive: true, force: true });
      const csv = demoStations();
      expect(gj.features).toHaveLength(csv.size);
      for (const f of gj.features) {
        const [lon, lat] = csv.get(f.properties.stationId)!;
        expect(f.geometry.coordinates[0]).toBeCloseTo(lon, 6);
        expect(f.geometry.coordinates[1]).toBeCloseTo(lat, 6);
      }
    });
  }

  const owslib = hasTool(PYTHON);
  (owslib ? it : it.skip)('OWSLib WebFeatureService(version=2.0.0) reads capabilities, typed schema properties and features', async () => {
    const script = `
import json, sys
from owslib.wfs import WebFeatureService
w = WebFeatureService(sys.argv[1] + '/wfs', version='2.0.0')
schema = w.get_schema('reef:Station')
r = w.getfeature(typename=['reef:Station'], maxfeatures=5)
body = r.read()
body = body.decode('utf8') if isinstance(body, bytes) else body
print(json.dumps({'types': list(w.contents), 'title': w.contents['reef:Station'].title, 'schema': schema['properties'], 'geometry': schema['geometry'],
  'members': body.count('<wfs:member>'), 'queries': [q.id for q in w.storedqueries]}))
`;
    const r = await runClient(PYTHON, ['-c', script, srv.base], 60000);
    expect(r.stderr).not.toMatch(/Traceback/);
    const out = JSON.parse(r.stdout);
    expect(out.types).toEqual(['reef:Station', 'reef:Dataset', 'reef:Observation']);
    expect(out.title).toBe('Monitoring stations');
    expect(out.schema).toMatchObject({ stationId: 'string', depth: 'double', datasetCount: 'int', firstObservation: 'dateTime' });
    expect(out.geometry).toBe('Point');
    expect(out.members).toBe(5);
    expect(out.queries).toContain('urn:ogc:def:query:OGC-WFS::GetFeatureById');
  });
});
