import { createTestApp, TestApp, textBody } from '../helpers/app';
import { expectValidXml, validateXml } from '../helpers/xmllint';
import { demoStations, exceptionOf, expectValidAgainstDft, NAMESPACES, NS_URI, parse } from './helpers';

let t: TestApp;
const dft: Record<string, string> = {};
beforeAll(async () => {
  t = await createTestApp();
  for (const v of ['2.0.0', '1.1.0']) dft[v] = (await get(`service=WFS&version=${v}&request=DescribeFeatureType`)).body;
});
afterAll(async () => {
  await t?.close();
});

function get(q: string) {
  return t.http.get(`/wfs?${q}`).buffer(true).parse(textBody);
}
const gf = (q: string) => get(`service=WFS&version=2.0.0&request=GetFeature&${q}`);
const members = (xml: string): any[] => (parse(xml)['wfs:FeatureCollection']['wfs:member'] ?? []);
const fc = (xml: string) => parse(xml)['wfs:FeatureCollection'];
const text = (v: any): string => (typeof v === 'object' ? v['#text'] : String(v));
const pos = (m: any, type: string): number[] => text(m[`reef:${type}`]['reef:geom']['gml:Point']['gml:pos']).split(' ').map(Number);

describe('GetFeature GML 3.2', () => {
  it.each(['Station', 'Dataset', 'Observation'])('returns valid %s collections (wfs.xsd and the DescribeFeatureType schema)', async (type) => {
    const r = await gf(`typenames=reef:${type}&count=5`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/gml\+xml|text\/xml/);
    expectValidXml(r.body, 'wfs20');
    expectValidAgainstDft(r.body, dft['2.0.0'], '2.0.0');
    const c = fc(r.body);
    expect(Number(c['@numberReturned'])).toBe(5);
    expect(members(r.body)).toHaveLength(5);
    expect(members(r.body)[0][`reef:${type}`]['@gml:id']).toMatch(new RegExp(`^${type}\\.[A-Za-z_][\\w.-]*$`));
  });

  it('is really checked against the application schema (an undeclared property fails)', async () => {
    const r = await gf('typenames=reef:Station&count=1');
    const broken = r.body.replace('<reef:stationId>', '<reef:bogus>x</reef:bogus><reef:stationId>');
    expect(() => expectValidAgainstDft(broken, dft['2.0.0'], '2.0.0')).toThrow(/bogus/);
  });

  it('returns every station with the coordinates of stations.csv, lat/lon for the URN CRS', async () => {
    const r = await gf('typenames=reef:Station&srsname=urn:ogc:def:crs:EPSG::4326');
    const csv = demoStations();
    const ms = members(r.body);
    expect(ms).toHaveLength(csv.size);
    expect(fc(r.body)['@numberMatched']).toBe(String(csv.size));
    for (const m of ms) {
      const s = m['reef:Station'];
      const [lat, lon] = pos(m, 'Station');
      const [elon, elat] = csv.get(s['reef:stationId'])!;
      expect(lat).toBeCloseTo(elat, 6);
      expect(lon).toBeCloseTo(elon, 6);
      expect(s['reef:geom']['gml:Point']['@srsName']).toBe('urn:ogc:def:crs:EPSG::4326');
    }
  });

  it.each([
    ['EPSG:4326', false],
    ['CRS:84', false],
    ['http://www.opengis.net/def/crs/EPSG/0/4326', true],
  ])('honours the axis order of %s and echoes it verbatim', async (srs, latFirst) => {
    const r = await gf(`typenames=reef:Station&resourceid=Station.NCL_AMEDEE&srsname=${encodeURIComponent(srs as string)}`);
    expectValidXml(r.body, 'wfs20');
    const m = members(r.body)[0];
    expect(m['reef:Station']['reef:geom']['gml:Point']['@srsName']).toBe(srs);
    const p = pos(m, 'Station');
    const [lon, lat] = demoStations().get('NCL_AMEDEE')!;
    expect(p).toEqual(latFirst ? [expect.closeTo(lat, 6), expect.closeTo(lon, 6)] : [expect.closeTo(lon, 6), expect.closeTo(lat, 6)]);
  });

  it.each([
    ['urn:ogc:def:crs:EPSG::3857', 18532000, -2570000],
    ['urn:ogc:def:crs:EPSG::3163', 400000, 200000],
    ['EPSG:32758', 650000, 7500000],
  ])('reprojects to %s in PostGIS', async (srs, x0, y0) => {
    const r = await gf(`typenames=reef:Station&resourceid=Station.NCL_AMEDEE&srsname=${encodeURIComponent(srs as string)}`);
    expectValidXml(r.body, 'wfs20');
    const m = members(r.body)[0];
    expect(m['reef:Station']['reef:geom']['gml:Point']['@srsName']).toBe(srs);
    const [x, y] = pos(m, 'Station');
    expect(Math.abs(x - (x0 as number))).toBeLessThan(150000);
    expect(Math.abs(y - (y0 as number))).toBeLessThan(150000);
  });

  it('rejects an unsupported CRS with 400 InvalidParameterValue locator srsName', async () => {
    const r = await gf('typenames=reef:Station&srsname=EPSG:2154');
    expect(r.status).toBe(400);
    expectValidXml(r.body, 'wfs20');
    expect(exceptionOf(r.body)).toMatchObject({ code: 'InvalidParameterValue', locator: 'srsName' });
  });
});

describe('Paging', () => {
  it('pages with absolute next/previous links and counts (count=1 → next → previous returns page 1)', async () => {
    const p1 = await gf('typenames=reef:Station&count=1');
    const c1 = fc(p1.body);
    expect(c1['@numberMatched']).toBe('30');
    expect(c1['@previous']).toBeUndefined();
    const next = new URL(c1['@next']);
    expect(next.protocol).toBe('http:');
    const p2 = await t.http.get(next.pathname + next.search);
    const c2 = fc(p2.text);
    expect(c2['@numberReturned']).toBe('1');
    const id1 = members(p1.body)[0]['reef:Station']['@gml:id'];
    const id2 = members(p2.text)[0]['reef:Station']['@gml:id'];
    expect(id2).not.toBe(id1);
    const prev = new URL(c2['@previous']);
    const back = await t.http.get(prev.pathname + prev.search);
    expect(members(back.text)[0]['reef:Station']['@gml:id']).toBe(id1);
  });

  it('gives numberReturned=0 and an absolute next for count=1&resulttype=hits', async () => {
    const r = await gf('typenames=reef:Station&count=1&resulttype=hits');
    expectValidXml(r.body, 'wfs20');
    const c = fc(r.body);
    expect(c['@numberReturned']).toBe('0');
    expect(c['@numberMatched']).toBe('30');
    expect(c['@next']).toMatch(/^http:\/\//);
    expect(members(r.body)).toHaveLength(0);
  });

  it('returns an empty collection past the end, never an exception', async () => {
    const r = await gf('typenames=reef:Station&startindex=500&count=10');
    expect(r.status).toBe(200);
    expectValidXml(r.body, 'wfs20');
    expect(fc(r.body)['@numberReturned']).toBe('0');
    expect(members(r.body)).toHaveLength(0);
  });

  it('pages through all stations with pages of 7 without overlap', async () => {
    const ids: string[] = [];
    for (let start = 0; ; start += 7) {
      const ms = members((await gf(`typenames=reef:Station&startindex=${start}&count=7`)).body);
      ids.push(...ms.map((m) => m['reef:Station']['@gml:id']));
      if (ms.length < 7) break;
    }
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
  });

  it('sends a streamed collection that fits one output chunk whole, with its Content-Length (the shared chunk writer)', async () => {
    const r = await gf('typenames=reef:Observation&resulttype=hits');
    expect(r.status).toBe(200);
    expect(r.headers['transfer-encoding']).toBeUndefined();
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.body));
    expectValidXml(r.body, 'wfs20');
    expect(Number(fc(r.body)['@numberMatched'])).toBeGreaterThan(0);
  });

  it('streams pages larger than one cursor batch (chunked, every feature present and valid)', async () => {
    const r = await gf('typenames=reef:Observation&startindex=3000&count=2500');
    expect(r.status).toBe(200);
    expect(r.headers['transfer-encoding']).toBe('chunked');
    expectValidXml(r.body, 'wfs20');
    expect(fc(r.body)['@numberReturned']).toBe('2500');
    const ms = members(r.body);
    expect(ms).toHaveLength(2500);
    expect(new Set(ms.map((m) => m['reef:Observation']['@gml:id'])).size).toBe(2500);
    const json = JSON.parse((await gf('typenames=reef:Observation&startindex=3000&count=2500&outputformat=application/json')).body);
    expect(json.features).toHaveLength(2500);
    expect(json.features[0].id).toBe(ms[0]['reef:Observation']['@gml:id']);
  });

  it('jumps deep into Observation with the same rows as a plain OFFSET on the primary key', async () => {
    // Inside a dataset the seek counts from its nearer end: each half, the middle and both ends of a few datasets.
    const counts = (await t.db.store.query<{ n: string }>('SELECT obs_count AS n FROM dataset ORDER BY id LIMIT 3')).rows.map((r) => Number(r.n));
    const inDatasets = counts.flatMap((n, i) => {
      const before = counts.slice(0, i).reduce((a, b) => a + b, 0);
      const mid = Math.floor((n - 1) / 2);
      return [before, before + mid, before + mid + 1, before + n - 3, before + n - 1];
    });
    for (const start of [0, 4124, 4125, 100000, 190920, ...inDatasets]) {
      const r = await gf(`typenames=reef:Observation&startindex=${start}&count=5`);
      const got = members(r.body).map((m) => m['reef:Observation']['@gml:id']);
      const expected = await t.db.store.query<{ id: string }>(
        `SELECT 'Observation.' || d.code || '.' || extract(epoch FROM o.time)::bigint AS id FROM observation o JOIN dataset d ON d.id = o.dataset_id ORDER BY o.dataset_id, o.time OFFSET $1 LIMIT 5`,
        [start],
      );
      expect(got).toEqual(expected.rows.map((x) => x.id));
      expect(fc(r.body)['@numberMatched']).toBe('190923');
      expect(fc(r.body)['@numberReturned']).toBe(String(expected.rows.length));
    }
  });

  it('says numberMatched="unknown" for a filtered Observation page that is full, and exact when the page is short', async () => {
    const filter = `<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsGreaterThan><fes:ValueReference>value</fes:ValueReference><fes:Literal>1</fes:Literal></fes:PropertyIsGreaterThan></fes:Filter>`;
    const full = await gf(`typenames=reef:Observation&count=10&filter=${encodeURIComponent(filter)}`);
    expectValidXml(full.body, 'wfs20');
    expect(fc(full.body)['@numberMatched']).toBe('unknown');
    expect(fc(full.body)['@next']).toBeDefined();
    const one = `<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:ResourceId rid="Observation.OUVEA01_TEMP_0A_SBE56.1705996800"/></fes:Filter>`;
    const short = await gf(`typenames=reef:Observation&count=10&filter=${encodeURIComponent(one)}`);
    expectValidXml(short.body, 'wfs20');
    expect(fc(short.body)['@numberReturned']).toBe('1');
    expect(fc(short.body)['@numberMatched']).toBe('1');
    const hits = await gf(`typenames=reef:Observation&resulttype=hits&filter=${encodeURIComponent(filter)}`);
    const exact = await t.db.store.query<{ n: number }>('SELECT count(*)::int AS n FROM observation WHERE value > 1');
    expect(fc(hits.body)['@numberMatched']).toBe(String(exact.rows[0].n));
  });
});

describe('Query parameters', () => {
  it('sorts by several typed keys, ASC/DESC and the +A/+D forms', async () => {
    const r = await gf('typenames=reef:Station&sortby=reef:depth DESC,stationId ASC');
    const depths = members(r.body).map((m) => m['reef:Station']['reef:depth']).filter((d) => d !== undefined).map(Number);
    expect(depths.length).toBeGreaterThan(10);
    expect(depths).toEqual([...depths].sort((a, b) => b - a));
    const asc = members((await gf('typenames=reef:Station&sortby=depth+A')).body).map((m) => m['reef:Station']['reef:depth']).filter((d) => d !== undefined).map(Number);
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    const bad = await gf('typenames=reef:Station&sortby=nope');
    expect(bad.status).toBe(400);
    expect(exceptionOf(bad.body)).toMatchObject({ code: 'InvalidParameterValue', locator: 'sortBy' });
  });

  it('selects properties with PROPERTYNAME (still valid against the schema)', async () => {
    const r = await gf('typenames=reef:Station&count=3&propertyname=reef:name,depth');
    expectValidAgainstDft(r.body, dft['2.0.0'], '2.0.0');
    const s = members(r.body)[0]['reef:Station'];
    expect(Object.keys(s).filter((k) => k.startsWith('reef:')).sort()).toEqual(['reef:depth', 'reef:name']);
    const bad = await gf('typenames=reef:Station&propertyname=nope');
    expect(exceptionOf(bad.body)).toMatchObject({ code: 'InvalidParameterValue', locator: 'propertyName' });
  });

  it('selects across the antimeridian with a west > east BBOX (lat/lon URN order)', async () => {
    const r = await gf(`typenames=reef:Station&bbox=${encodeURIComponent('-30,170,10,-170,urn:ogc:def:crs:EPSG::4326')}`);
    expect(r.status).toBe(200);
    const lons = members(r.body).map((m) => pos(m, 'Station')[1]);
    expect(lons.length).toBeGreaterThan(0);
    for (const lon of lons) expect(Math.abs(lon)).toBeGreaterThan(170);
    const expected = [...demoStations().values()].filter(([lon, lat]) => Math.abs(lon) >= 170 && lat >= -30 && lat <= 10).length;
    expect(lons).toHaveLength(expected);
  });

  it('resolves RESOURCEID; an unknown id gives an empty collection; an id of another type is 400 locator resourceId', async () => {
    const r = await gf('typenames=reef:Station&resourceid=Station.NCL_POE,Station.NCL_AMEDEE');
    expect(members(r.body).map((m) => m['reef:Station']['@gml:id']).sort()).toEqual(['Station.NCL_AMEDEE', 'Station.NCL_POE']);
    const none = await gf('typenames=reef:Station&resourceid=Station.NOPE');
    expect(none.status).toBe(200);
    expect(members(none.body)).toHaveLength(0);
    const other = await gf('typenames=reef:Station&resourceid=Dataset.OUVEA01_TEMP_0A_SBE56');
    expect(other.status).toBe(400);
    expect(exceptionOf(other.body)).toMatchObject({ code: 'InvalidParameterValue', locator: 'resourceId' });
    const noType = await gf('resourceid=Observation.OUVEA01_TEMP_0A_SBE56.1705996800');
    expect(members(noType.body)).toHaveLength(1);
  });

  it('applies a FES filter (QGIS merges BBOX and an expression with fes:And)', async () => {
    const filter = `<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"><fes:And><fes:BBOX><fes:ValueReference>geom</fes:ValueReference><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>-23 164</gml:lowerCorner><gml:upperCorner>-19 168</gml:upperCorner></gml:Envelope></fes:BBOX><fes:PropertyIsEqualTo><fes:ValueReference>country</fes:ValueReference><fes:Literal>NCL</fes:Literal></fes:PropertyIsEqualTo></fes:And></fes:Filter>`;
    const r = await gf(`typenames=reef:Station&filter=${encodeURIComponent(filter)}&namespaces=${encodeURIComponent(NAMESPACES)}`);
    expect(r.status).toBe(200);
    const ms = members(r.body);
    expect(ms.length).toBeGreaterThan(0);
    for (const m of ms) expect(m['reef:Station']['reef:country']).toBe('NCL');
  });

  it('rejects bad COUNT, STARTINDEX, RESULTTYPE and OUTPUTFORMAT with their locators', async () => {
    for (const [q, locator] of [['count=-1', 'count'], ['startindex=x', 'startIndex'], ['resulttype=all', 'resultType'], ['outputformat=image/png', 'outputFormat'], ['maxfeatures=1.5', 'maxFeatures']]) {
      const r = await gf(`typenames=reef:Station&${q}`);
      expect(r.status).toBe(400);
      expectValidXml(r.body, 'wfs20');
      expect(exceptionOf(r.body)).toMatchObject({ code: 'InvalidParameterValue', locator });
    }
    const missing = await gf('count=1');
    expect(exceptionOf(missing.body)).toMatchObject({ code: 'MissingParameterValue', locator: 'typeNames' });
  });
});

describe('Other formats', () => {
  it('writes GeoJSON with typed properties, lon/lat and paging members', async () => {
    for (const f of ['application/geo+json', 'application/json']) {
      const r = await gf(`typenames=reef:Station&count=2&outputformat=${encodeURIComponent(f)}`);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toMatch(/json/);
      const j = JSON.parse(r.body);
      expect(j.type).toBe('FeatureCollection');
      expect(j.numberMatched).toBe(30);
      expect(j.numberReturned).toBe(2);
      expect(j.links.find((l: any) => l.rel === 'next').href).toMatch(/^http:\/\//);
      const f0 = j.features[0];
      expect(f0.id).toMatch(/^Station\./);
      expect(typeof f0.properties.datasetCount).toBe('number');
      const [lon, lat] = demoStations().get(f0.properties.stationId)!;
      expect(f0.geometry.coordinates[0]).toBeCloseTo(lon, 6);
      expect(f0.geometry.coordinates[1]).toBeCloseTo(lat, 6);
    }
  });

  it('writes CSV with a header and quoted fields', async () => {
    const r = await gf('typenames=reef:Dataset&outputformat=text/csv');
    expect(r.headers['content-type']).toMatch(/text\/csv/);
    const lines = r.body.trim().split('\r\n');
    expect(lines[0]).toBe('gml_id,datasetId,stationId,stationName,propertyLabel,standardName,uom,processingLevel,instrumentFamily,startTime,endTime,observationCount,sosUrl,csvUrl,edrUrl,geom');
    expect(lines).toHaveLength(56);
    expect(lines[1]).toMatch(/POINT\(/);
  });

  it('writes the Dataset links as absolute SOS URLs for the offering', async () => {
    const r = await gf('typenames=reef:Dataset&resourceid=Dataset.OUVEA01_TEMP_0A_SBE56&outputformat=application/json');
    const p = JSON.parse(r.body).features[0].properties;
    expect(p.sosUrl).toMatch(/^http:\/\/127\.0\.0\.1(:\d+)?\/sos\?service=SOS&version=2\.0\.0&request=GetObservation&offering=OUVEA01_TEMP_0A_SBE56$/);
    expect(p.csvUrl).toBe(`${p.sosUrl}&responseFormat=text%2Fcsv`);
    expect(p.edrUrl).toMatch(/^http:\/\/127\.0\.0\.1(:\d+)?\/ogcapi\/collections\/insitu\/locations\/NCL_OUVEA01\?parameter-name=TEMP$/);
  });
});

describe('GetFeatureById and GetPropertyValue', () => {
  it('returns the bare feature as root with its gml:id, valid against the schema', async () => {
    for (const sq of ['urn:ogc:def:query:OGC-WFS::GetFeatureById', 'http://www.opengis.net/def/query/OGC-WFS/0/GetFeatureById']) {
      const r = await gf(`storedquery_id=${encodeURIComponent(sq)}&id=Station.NCL_POE`);
      expect(r.status).toBe(200);
      const doc = parse(r.body);
      expect(doc['reef:Station']['@gml:id']).toBe('Station.NCL_POE');
      expectValidAgainstDft(r.body, dft['2.0.0'], '2.0.0');
    }
    const obs = await gf('storedquery_id=urn:ogc:def:query:OGC-WFS::GetFeatureById&id=Observation.OUVEA01_TEMP_0A_SBE56.1705996800');
    expect(obs.status).toBe(200);
    expect(parse(obs.body)['reef:Observation']['reef:time']).toBe('2024-01-23T08:00:00Z');
  });

  it('answers an unknown id with 404 NotFound', async () => {
    for (const id of ['Station.NOPE', 'Nope', 'Observation.X.1']) {
      const r = await gf(`storedquery_id=urn:ogc:def:query:OGC-WFS::GetFeatureById&id=${id}`);
      expect(r.status).toBe(404);
      expectValidXml(r.body, 'wfs20');
      expect(exceptionOf(r.body).code).toBe('NotFound');
    }
  });

  it('returns a ValueCollection for @gml:id, a property and the geometry; empty valueReference → InvalidParameterValue', async () => {
    const ids = await get('service=WFS&version=2.0.0&request=GetPropertyValue&typenames=reef:Station&valuereference=@gml:id&count=3');
    expect(ids.status).toBe(200);
    expectValidXml(ids.body, 'wfs20');
    const vc = parse(ids.body)['wfs:ValueCollection'];
    expect(vc['wfs:member']).toHaveLength(3);
    expect(String(vc['wfs:member'][0])).toMatch(/^Station\./);
    const names = await get('service=WFS&version=2.0.0&request=GetPropertyValue&typenames=reef:Station&valuereference=reef:name&count=2');
    expectValidXml(names.body, 'wfs20');
    const geoms = await get('service=WFS&version=2.0.0&request=GetPropertyValue&typenames=reef:Station&valuereference=geom&count=2');
    expectValidXml(geoms.body, 'wfs20');
    expect(geoms.body).toContain('<gml:Point');
    const empty = await get('service=WFS&version=2.0.0&request=GetPropertyValue&typenames=reef:Station&valuereference=');
    expect(empty.status).toBe(400);
    expectValidXml(empty.body, 'wfs20');
    expect(exceptionOf(empty.body)).toMatchObject({ code: 'InvalidParameterValue', locator: 'valueReference' });
  });
});

describe('POST XML bindings', () => {
  const post = (body: string) => t.http.post('/wfs').set('Content-Type', 'text/xml').send(body).buffer(true).parse(textBody);

  it('runs wfs:GetFeature with a Query, srsName, fes:Filter, fes:SortBy and wfs:PropertyName', async () => {
    const body = `<wfs:GetFeature service="WFS" version="2.0.0" count="5" xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:r="${NS_URI}">
      <wfs:Query typeNames="r:Station" srsName="EPSG:4326">
        <wfs:PropertyName>r:depth</wfs:PropertyName><wfs:PropertyName>r:geom</wfs:PropertyName>
        <fes:Filter><fes:PropertyIsGreaterThan><fes:ValueReference>r:depth</fes:ValueReference><fes:Literal>5</fes:Literal></fes:PropertyIsGreaterThan></fes:Filter>
        <fes:SortBy><fes:SortProperty><fes:ValueReference>r:depth</fes:ValueReference><fes:SortOrder>DESC</fes:SortOrder></fes:SortProperty></fes:SortBy>
      </wfs:Query></wfs:GetFeature>`;
    const r = await post(body);
    expect(r.status).toBe(200);
    expectValidXml(r.body, 'wfs20');
    const depths = members(r.body).map((m) => Number(m['reef:Station']['reef:depth']));
    expect(depths.length).toBeGreaterThan(0);
    for (const d of depths) expect(d).toBeGreaterThan(5);
    expect(depths).toEqual([...depths].sort((a, b) => b - a));
    expect(members(r.body)[0]['reef:Station']['reef:geom']['gml:Point']['@srsName']).toBe('EPSG:4326');
  });

  it('runs a stored query and GetPropertyValue by POST', async () => {
    const sq = await post(`<wfs:GetFeature service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0"><wfs:StoredQuery id="urn:ogc:def:query:OGC-WFS::GetFeatureById"><wfs:Parameter name="id">Dataset.OUVEA01_TEMP_0A_SBE56</wfs:Parameter></wfs:StoredQuery></wfs:GetFeature>`);
    expect(sq.status).toBe(200);
    expect(parse(sq.body)['reef:Dataset']['@gml:id']).toBe('Dataset.OUVEA01_TEMP_0A_SBE56');
    const pv = await post(`<wfs:GetPropertyValue service="WFS" version="2.0.0" valueReference="stationId" count="4" xmlns:wfs="http://www.opengis.net/wfs/2.0"><wfs:Query typeNames="reef:Dataset"/></wfs:GetPropertyValue>`);
    expect(pv.status).toBe(200);
    expectValidXml(pv.body, 'wfs20');
    expect(parse(pv.body)['wfs:ValueCollection']['wfs:member']).toHaveLength(4);
  });

  it('runs a WFS 1.1.0 wfs:GetFeature with ogc:Filter', async () => {
    const body = `<wfs:GetFeature service="WFS" version="1.1.0" maxFeatures="50" xmlns:wfs="http://www.opengis.net/wfs" xmlns:ogc="http://www.opengis.net/ogc" xmlns:reef="${NS_URI}">
      <wfs:Query typeName="reef:Station"><ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>country</ogc:PropertyName><ogc:Literal>VUT</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter></wfs:Query></wfs:GetFeature>`;
    const r = await post(body);
    expect(r.status).toBe(200);
    // GML 3.1.1 featureMember is strict: the collection validates only together with its application schema.
    expectValidAgainstDft(r.body, dft['1.1.0'], '1.1.0');
    const ms = parse(r.body)['wfs:FeatureCollection']['gml:featureMember'] ?? [];
    expect(ms.length).toBeGreaterThan(0);
    for (const m of ms) expect(m['reef:Station']['reef:country']).toBe('VUT');
  });
});

describe('WFS 1.1.0 and 1.0.0 GetFeature', () => {
  it('1.1.0: GML 3.1.1, lat/lon by default, MAXFEATURES, BBOX, valid against wfs 1.1.0 and the schema', async () => {
    const r = await get(`service=WFS&version=1.1.0&request=GetFeature&typename=reef:Station&maxfeatures=4&bbox=${encodeURIComponent('-23,164,-19,168,urn:x-ogc:def:crs:EPSG:4326')}`);
    expect(r.status).toBe(200);
    expectValidAgainstDft(r.body, dft['1.1.0'], '1.1.0');
    const ms = parse(r.body)['wfs:FeatureCollection']['gml:featureMember'];
    expect(ms.length).toBeLessThanOrEqual(4);
    expect(ms.length).toBeGreaterThan(0);
    const [lat, lon] = text(ms[0]['reef:Station']['reef:geom']['gml:Point']['gml:pos']).split(' ').map(Number);
    expect(lat).toBeLessThan(-19);
    expect(lon).toBeGreaterThan(164);
  });

  it('1.0.0: GML 2 with fid and lon,lat coordinates, and an OGC Filter 1.0', async () => {
    const filter = `<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc"><ogc:PropertyIsEqualTo><ogc:PropertyName>stationId</ogc:PropertyName><ogc:Literal>NCL_AMEDEE</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>`;
    const r = await get(`service=WFS&version=1.0.0&request=GetFeature&typename=reef:Station&filter=${encodeURIComponent(filter)}`);
    expect(r.status).toBe(200);
    const m = parse(r.body)['wfs:FeatureCollection']['gml:featureMember'];
    expect(m).toHaveLength(1);
    expect(m[0]['reef:Station']['@fid']).toBe('Station.NCL_AMEDEE');
    const [lon, lat] = m[0]['reef:Station']['reef:geom']['gml:Point']['gml:coordinates'].split(',').map(Number);
    const [elon, elat] = demoStations().get('NCL_AMEDEE')!;
    expect(lon).toBeCloseTo(elon, 6);
    expect(lat).toBeCloseTo(elat, 6);
  });

  it('locates an unknown or joined type at the parameter sent: 1.x TYPENAME, 2.0 TYPENAMES, the typeName attribute of XML', async () => {
    for (const [q, locator] of [
      ['version=1.1.0&typename=reef:Nope', 'typeName'],
      ['version=1.0.0&typename=!', 'typeName'],
      ['version=1.1.0&typename=reef:Station,reef:Dataset', 'typeName'],
      ['version=2.0.0&typenames=reef:Nope', 'typeNames'],
      ['version=1.1.0&typenames=reef:Nope&typename=reef:Station', 'typeNames'],
    ]) {
      const r = await get(`service=WFS&request=GetFeature&${q}`);
      expect({ q, status: r.status, locator: exceptionOf(r.body).locator }).toEqual({ q, status: 400, locator });
    }
    const xml = await t.http
      .post('/wfs')
      .set('Content-Type', 'text/xml')
      .send(`<wfs:GetFeature service="WFS" version="1.1.0" xmlns:wfs="http://www.opengis.net/wfs"><wfs:Query typeName="reef:Nope"/></wfs:GetFeature>`)
      .buffer(true)
      .parse(textBody);
    expect(xml.status).toBe(400);
    expect(exceptionOf(xml.body)).toMatchObject({ code: 'InvalidParameterValue', locator: 'typeName' });
  });
});

test('xmllint validation can fail (guards against a vacuous schema check)', () => {
  expect(validateXml('<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0"/>', 'wfs20').ok).toBe(false);
});
