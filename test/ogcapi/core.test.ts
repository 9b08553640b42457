import { createTestApp, TestApp } from '../helpers/app';
import { demoStations } from '../wfs/helpers';
import { expectSameFeatures, followPages, get, localPath, wfsGeojson } from './helpers';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
const EPSG = (code: number) => `http://www.opengis.net/def/crs/EPSG/0/${code}`;
const enc = encodeURIComponent;
const rels = (links: any[]) => links.map((l) => l.rel);

describe('landing, conformance, collections', () => {
  it('answers the landing page with absolute links to conformance and the collections', async () => {
    const r = await get(t, '/ogcapi');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.json.title).toBe(t.config.serviceTitle);
    const links = r.json.links as any[];
    expect(links.find((l) => l.rel === 'self').href).toMatch(/^http:\/\/[^/]+\/ogcapi\?f=json$/);
    expect(links.find((l) => l.rel === 'conformance').href).toMatch(/^http:\/\/[^/]+\/ogcapi\/conformance$/);
    expect(links.find((l) => l.rel === 'data').href).toMatch(/^http:\/\/[^/]+\/ogcapi\/collections$/);
    // The trailing slash form is the same resource.
    expect((await get(t, '/ogcapi/')).json).toEqual(r.json);
  });

  it('is linked from the HTML page at /', async () => {
    const r = await t.http.get('/').set('Host', 'rg.test').set('Accept', 'text/html');
    expect(r.status).toBe(200);
    expect(r.text).toContain('href="http://rg.test/ogcapi"');
  });

  it('declares the implemented conformance classes only', async () => {
    const r = await get(t, '/ogcapi/conformance');
    expect(r.status).toBe(200);
    expect(r.json.conformsTo).toEqual(
      expect.arrayContaining([
        'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
        'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
        'http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs',
        'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables',
      ]),
    );
    expect(r.json.conformsTo).toEqual(expect.arrayContaining(['http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter', 'http://www.opengis.net/spec/cql2/1.0/conf/cql2-text']));
    expect(r.json.conformsTo).toContain('http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30');
    expect(r.json.conformsTo).toContain('http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html');
  });

  it('lists stations, datasets and observations with extents, CRSs and links', async () => {
    const r = await get(t, '/ogcapi/collections');
    expect(r.status).toBe(200);
    const cs = r.json.collections as any[];
    // insitu is the EDR collection (test/edr): the datasets' features with EDR members added.
    expect(cs.map((c) => c.id)).toEqual(['stations', 'datasets', 'observations', 'insitu']);
    const lons = [...demoStations().values()].map(([lon]) => lon);
    for (const c of cs) {
      expect(c.itemType).toBe('feature');
      expect(c.title).toEqual(expect.any(String));
      expect(c.description).toEqual(expect.any(String));
      expect(c.crs[0]).toBe(CRS84);
      expect(c.crs).toEqual(expect.arrayContaining([EPSG(4326), EPSG(3857), EPSG(3163), EPSG(32758)]));
      expect(c.storageCrs).toBe(CRS84);
      const [w, s, e, n] = c.extent.spatial.bbox[0];
      expect(w).toBeCloseTo(Math.min(...lons), 6);
      expect(e).toBeCloseTo(Math.max(...lons), 6);
      expect(s).toBeLessThan(n);
      expect(c.extent.spatial.crs).toBe(CRS84);
      const [t0, t1] = c.extent.temporal.interval[0];
      expect(t0).toMatch(/^2024-01-\d\dT/);
      expect(t1 > t0).toBe(true);
      const items = (c.links as any[]).filter((l) => l.rel === 'items');
      expect(items.map((l) => l.type).sort()).toEqual(['application/geo+json', 'text/csv', 'text/html']);
      for (const l of items) expect(l.href).toMatch(new RegExp(`/ogcapi/collections/${c.id}/items\\?f=`));
      expect(rels(c.links)).toEqual(expect.arrayContaining(['self', 'http://www.opengis.net/def/rel/ogc/1.0/queryables', 'describedby']));
    }
    // The ISO record link resolves.
    const iso = cs[0].links.find((l: any) => l.rel === 'describedby');
    const rec = await get(t, localPath(iso.href));
    expect(rec.status).toBe(200);
    expect(rec.text).toContain('gmd:MD_Metadata');
  });

  it('describes one collection as the list does, with its own self link; an unknown one is 404', async () => {
    const list = (await get(t, '/ogcapi/collections')).json.collections as any[];
    const r = await get(t, '/ogcapi/collections/observations');
    expect(r.status).toBe(200);
    const { links, ...rest } = r.json;
    const { links: _l, ...fromList } = list[2];
    expect(rest).toEqual(fromList);
    expect(links.find((l: any) => l.rel === 'self').href).toMatch(/\/ogcapi\/collections\/observations\?f=json$/);
    const nf = await get(t, '/ogcapi/collections/Observations');
    expect(nf.status).toBe(404);
    expect(nf.json).toEqual({ code: 'NotFound', description: expect.stringContaining('Observations') });
  });

  it('serves queryables as a JSON Schema from the feature type, geometry and roles included', async () => {
    const r = await get(t, '/ogcapi/collections/observations/queryables');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/schema\+json/);
    expect(r.json.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(r.json.$id).toMatch(/\/ogcapi\/collections\/observations\/queryables$/);
    expect(r.json.type).toBe('object');
    const p = r.json.properties;
    expect(p.geom).toEqual({ title: expect.any(String), format: 'geometry-point', 'x-ogc-role': 'primary-geometry' });
    expect(p.time).toEqual({ title: expect.any(String), type: 'string', format: 'date-time', 'x-ogc-role': 'primary-instant' });
    expect(p.value.type).toBe('number');
    expect(p.qc.type).toBe('integer');
    const s = (await get(t, '/ogcapi/collections/stations/queryables')).json.properties;
    expect(s.stationId['x-ogc-role']).toBe('id');
    expect(s.firstObservation['x-ogc-role']).toBe('primary-interval-start');
    expect(s.lastObservation['x-ogc-role']).toBe('primary-interval-end');
    // Link properties are not queryable.
    expect(s.observationsUrl).toBeUndefined();
  });
});

describe('items', () => {
  it('pages through every station by next links, the same features and coordinates as WFS', async () => {
    const pages = await followPages(t, '/ogcapi/collections/stations/items?limit=7');
    expect(pages).toHaveLength(5);
    for (const p of pages) {
      expect(p.type).toBe('FeatureCollection');
      expect(p.numberMatched).toBe(30);
      expect(p.numberReturned).toBe(p.features.length);
      expect(p.timeStamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    expect(pages.map((p) => p.numberReturned)).toEqual([7, 7, 7, 7, 2]);
    const features = pages.flatMap((p) => p.features);
    const wfs = await wfsGeojson(t, 'typenames=reef:Station');
    expectSameFeatures(features, wfs.features, 'Station');
    // prev of the second page is the first page; the first page has none.
    expect(rels(pages[0].links)).not.toContain('prev');
    const prev = pages[1].links.find((l: any) => l.rel === 'prev');
    expect((await get(t, localPath(prev.href))).json.features).toEqual(pages[0].features);
  });

  it('pages through a bbox and datetime query on observations like WFS 2.0 with the same filter', async () => {
    const q = `bbox=166,-23,167,-22&datetime=${enc('2024-03-01T00:00:00Z/2024-03-04T00:00:00Z')}&limit=100&f=json`;
    const pages = await followPages(t, `/ogcapi/collections/observations/items?${q}`);
    const features = pages.flatMap((p) => p.features);
    expect(features.length).toBeGreaterThan(100);
    // Every next link carries every other parameter.
    for (const p of pages.slice(0, -1)) {
      const next = new URL(p.links.find((l: any) => l.rel === 'next').href);
      expect(next.searchParams.get('bbox')).toBe('166,-23,167,-22');
      expect(next.searchParams.get('datetime')).toBe('2024-03-01T00:00:00Z/2024-03-04T00:00:00Z');
      expect(next.searchParams.get('f')).toBe('json');
      expect(next.searchParams.get('limit')).toBe('100');
    }
    // A filtered observation page is counted only when it is the last one (its length proves the total).
    expect(pages[0].numberMatched).toBeUndefined();
    const filter =
      '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"><fes:And>' +
      '<fes:BBOX><fes:ValueReference>geom</fes:ValueReference><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>-23 166</gml:lowerCorner><gml:upperCorner>-22 167</gml:upperCorner></gml:Envelope></fes:BBOX>' +
      '<fes:PropertyIsGreaterThanOrEqualTo><fes:ValueReference>time</fes:ValueReference><fes:Literal>2024-03-01T00:00:00Z</fes:Literal></fes:PropertyIsGreaterThanOrEqualTo>' +
      '<fes:PropertyIsLessThanOrEqualTo><fes:ValueReference>time</fes:ValueReference><fes:Literal>2024-03-04T00:00:00Z</fes:Literal></fes:PropertyIsLessThanOrEqualTo>' +
      '</fes:And></fes:Filter>';
    const wfs = await wfsGeojson(t, `typenames=reef:Observation&count=100000&filter=${enc(filter)}`);
    expect(wfs.features.length).toBe(features.length);
    expectSameFeatures(features, wfs.features, 'Observation');
  });

  it('pages filtered observations by keyset: each next link starts after the last feature, the same pages as offsets', async () => {
    const q = `datetime=${enc('2024-06-01T00:00:00Z/..')}&qc=1&limit=1000`;
    const pages = await followPages(t, `/ogcapi/collections/observations/items?${q}`, 3);
    expect(pages).toHaveLength(3);
    const next = new URL(pages[2].links.find((l: any) => l.rel === 'next').href);
    expect(next.searchParams.get('offset')).toBe('3000');
    expect(next.searchParams.get('after')).toMatch(/^\d+\.2024-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/);
    const byKeyset = await get(t, localPath(next.href));
    const byOffset = await get(t, `/ogcapi/collections/observations/items?${q}&offset=3000`);
    expect(byKeyset.json.features).toEqual(byOffset.json.features);
    expect(byKeyset.json.features).toHaveLength(1000);
    // A streamed page (more than one cursor batch) writes its links after the features, next with its last row.
    const big = await get(t, `/ogcapi/collections/observations/items?${q.replace('limit=1000', 'limit=2500')}`);
    expect(big.json.features).toHaveLength(2500);
    const bigNext = new URL(big.json.links.find((l: any) => l.rel === 'next').href);
    const after = await get(t, localPath(bigNext.href));
    const viaOffset = await get(t, `/ogcapi/collections/observations/items?${q.replace('limit=1000', 'limit=2500')}&offset=2500`);
    expect(after.json.features).toEqual(viaOffset.json.features);
    // after belongs to filtered observation queries only, in the form the links write.
    for (const bad of ['/ogcapi/collections/stations/items?after=1.2024-01-01T00:00:00Z', `/ogcapi/collections/observations/items?${q}&after=x`, '/ogcapi/collections/observations/items?after=1.2024-01-01T00:00:00Z']) {
      expect((await get(t, bad)).status).toBe(400);
    }
  });

  it('serves a deep page of the observations by the WFS seek: the same features as WFS startIndex', async () => {
    const total = (await get(t, '/ogcapi/collections/observations/items?limit=1')).json.numberMatched;
    expect(total).toBeGreaterThan(150000);
    const r = await get(t, '/ogcapi/collections/observations/items?offset=150000&limit=20');
    expect(r.json.numberReturned).toBe(20);
    expect(r.json.numberMatched).toBe(total);
    const wfs = await wfsGeojson(t, 'typenames=reef:Observation&startindex=150000&count=20');
    expectSameFeatures(r.json.features, wfs.features, 'Observation');
    // The last page: no next link.
    const last = await get(t, `/ogcapi/collections/observations/items?offset=${total - 3}&limit=10`);
    expect(last.json.numberReturned).toBe(3);
    expect(rels(last.json.links)).not.toContain('next');
    // Past the end: an empty page, still with its counts.
    const past = await get(t, `/ogcapi/collections/observations/items?offset=${total + 5}`);
    expect(past.status).toBe(200);
    expect(past.json.features).toEqual([]);
  });

  it('streams a page larger than one cursor batch', async () => {
    const r = await get(t, '/ogcapi/collections/observations/items?limit=4500&offset=1000');
    expect(r.status).toBe(200);
    expect(r.json.numberReturned).toBe(4500);
    expect(r.json.features).toHaveLength(4500);
    const wfs = await wfsGeojson(t, 'typenames=reef:Observation&startindex=1000&count=4500');
    expectSameFeatures(r.json.features, wfs.features, 'Observation');
  });

  it('clamps limit to the advertised maximum and refuses limit 0 and negative offsets', async () => {
    const small = await createTestApp({ ogcapiLimitMax: 5, ogcapiLimitDefault: 3 });
    try {
      expect((await get(small, '/ogcapi/collections/stations/items')).json.numberReturned).toBe(3);
      const r = await get(small, '/ogcapi/collections/stations/items?limit=1000');
      expect(r.json.numberReturned).toBe(5);
      expect(new URL(r.json.links.find((l: any) => l.rel === 'next').href).searchParams.get('limit')).toBe('5');
    } finally {
      await small.close();
    }
    for (const q of ['limit=0', 'limit=-1', 'limit=abc', 'offset=-1', 'offset=1.5']) {
      const r = await get(t, `/ogcapi/collections/stations/items?${q}`);
      expect(r.status).toBe(400);
      expect(r.json.code).toBe('InvalidParameterValue');
    }
  });

  it('filters by property equality on queryables, typed', async () => {
    const r = await get(t, '/ogcapi/collections/stations/items?country=NCL&limit=100');
    expect(r.json.features.length).toBe([...demoStations().keys()].filter((k) => k.startsWith('NCL_')).length);
    for (const f of r.json.features) expect(f.properties.country).toBe('NCL');
    const o = await get(t, '/ogcapi/collections/observations/items?datasetId=OUVEA01_TEMP_0A_SBE56&qc=1&limit=50');
    expect(o.json.features).toHaveLength(50);
    for (const f of o.json.features) expect([f.properties.datasetId, f.properties.qc]).toEqual(['OUVEA01_TEMP_0A_SBE56', 1]);
    const bad = await get(t, '/ogcapi/collections/observations/items?qc=abc');
    expect(bad.status).toBe(400);
    expect(bad.json.code).toEqual(expect.any(String));
  });

  it('sorts by sortby (+/- prefixes, a bare + arriving as a space)', async () => {
    const desc = (await get(t, '/ogcapi/collections/stations/items?sortby=-name&limit=100')).json.features.map((f: any) => f.properties.name);
    expect(desc).toEqual([...desc].sort((a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0)));
    const asc = (await get(t, '/ogcapi/collections/stations/items?sortby=+depth,stationId&limit=100')).json.features.map((f: any) => f.properties.depth);
    expect(asc).toEqual([...asc].sort((a: number, b: number) => a - b));
    expect((await get(t, '/ogcapi/collections/stations/items?sortby=bogus')).status).toBe(400);
    expect((await get(t, '/ogcapi/collections/stations/items?sortby=observationsUrl')).status).toBe(400);
  });

  it('selects properties and drops the geometry on request', async () => {
    const r = await get(t, '/ogcapi/collections/stations/items?properties=name,country&skipGeometry=true&limit=2');
    expect(Object.keys(r.json.features[0].properties)).toEqual(['name', 'country']);
    expect(r.json.features[0].geometry).toBeNull();
    expect((await get(t, '/ogcapi/collections/stations/items?properties=nope')).status).toBe(400);
  });
});

describe('datetime', () => {
  const obs = (dt: string, extra = '') => get(t, `/ogcapi/collections/observations/items?datasetId=OUVEA01_TEMP_0A_SBE56&limit=1000&datetime=${enc(dt)}${extra}`);

  it('selects an instant, closed and half-open intervals on the observation time', async () => {
    const inst = await obs('2024-01-23T08:00:00Z');
    expect(inst.json.features.map((f: any) => f.properties.time)).toEqual(['2024-01-23T08:00:00Z']);
    const closed = await obs('2024-01-23T06:00:00Z/2024-01-23T12:00:00Z');
    expect(closed.json.features.map((f: any) => f.properties.time)).toEqual(['2024-01-23T06:00:00Z', '2024-01-23T08:00:00Z', '2024-01-23T10:00:00Z', '2024-01-23T12:00:00Z']);
    const before = await obs('../2024-01-23T09:00:00Z');
    expect(before.json.features.map((f: any) => f.properties.time)).toEqual(['2024-01-23T06:00:00Z', '2024-01-23T08:00:00Z']);
    expect((await obs('/2024-01-23T09:00:00Z')).json.features).toEqual(before.json.features);
    const after = await obs('2024-12-31T20:00:00Z/..');
    expect(after.json.features.length).toBeGreaterThan(0);
    for (const f of after.json.features) expect(f.properties.time >= '2024-12-31T20:00:00Z').toBe(true);
    expect((await obs('2024-12-31T20:00:00Z/')).json.features).toEqual(after.json.features);
    // A date is its whole UTC day.
    const day = await obs('2024-01-24');
    expect(day.json.features).toHaveLength(12);
    for (const f of day.json.features) expect(f.properties.time.startsWith('2024-01-24T')).toBe(true);
  });

  it('selects datasets whose time range overlaps the interval', async () => {
    const r = await get(t, `/ogcapi/collections/datasets/items?limit=100&datetime=${enc('2024-01-01T00:00:00Z/2024-01-20T00:00:00Z')}`);
    for (const f of r.json.features) expect(f.properties.startTime <= '2024-01-20T00:00:00Z' && f.properties.endTime >= '2024-01-01T00:00:00Z').toBe(true);
    const all = await get(t, '/ogcapi/collections/datasets/items?limit=100');
    const expected = all.json.features.filter((f: any) => f.properties.startTime <= '2024-01-20T00:00:00Z' && f.properties.endTime >= '2024-01-01T00:00:00Z');
    expect(r.json.features.map((f: any) => f.id)).toEqual(expected.map((f: any) => f.id));
    expect(expected.length).toBeLessThan(all.json.features.length);
  });

  it.each(['yesterday', '2024-13-01T00:00:00Z', '2024-01-01T00:00:00', '../..', '2024-02-01T00:00:00Z/2024-01-01T00:00:00Z', 'a/b/c', ''])('refuses datetime=%p with 400', async (dt) => {
    const r = await obs(dt);
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('InvalidParameterValue');
  });
});

describe('CRS (Part 2)', () => {
  it('answers in CRS84 by default with a Content-Crs header', async () => {
    const r = await get(t, '/ogcapi/collections/stations/items/NCL_AMEDEE');
    expect(r.headers['content-crs']).toBe(`<${CRS84}>`);
    const [lon, lat] = demoStations().get('NCL_AMEDEE')!;
    expect(r.json.geometry.coordinates[0]).toBeCloseTo(lon, 9);
    expect(r.json.geometry.coordinates[1]).toBeCloseTo(lat, 9);
  });

  it('writes EPSG:4326 lat/lon and projected CRSs with the coordinates WFS computes', async () => {
    const wfs = (await wfsGeojson(t, 'typenames=reef:Station&srsname=EPSG:4326')).features;
    const r = await get(t, `/ogcapi/collections/stations/items?limit=100&crs=${enc(EPSG(4326))}`);
    expect(r.headers['content-crs']).toBe(`<${EPSG(4326)}>`);
    expect(r.json.features.map((f: any) => f.geometry.coordinates)).toEqual(wfs.map((f: any) => [f.geometry.coordinates[1], f.geometry.coordinates[0]]));
    for (const code of [3857, 3163, 32758]) {
      const w = (await wfsGeojson(t, `typenames=reef:Station&srsname=EPSG:${code}`)).features;
      const o = await get(t, `/ogcapi/collections/stations/items?limit=100&crs=${enc(EPSG(code))}`);
      expect(o.status).toBe(200);
      expect(o.headers['content-crs']).toBe(`<${EPSG(code)}>`);
      expectSameFeatures(o.json.features, w, 'Station');
    }
  });

  it('reads bbox in bbox-crs axis order (EPSG:4326 lat/lon, 3857 metres)', async () => {
    const ids = async (q: string) => ((await get(t, `/ogcapi/collections/stations/items?limit=100&${q}`)).json.features as any[]).map((f) => f.id);
    const ref = await ids('bbox=163,-23,169,-19');
    expect(ref.length).toBeGreaterThan(3);
    expect(await ids(`bbox=-23,163,-19,169&bbox-crs=${enc(EPSG(4326))}`)).toEqual(ref);
    expect(await ids(`bbox=163,-23,0,169,-19,100`)).toEqual(ref);
    const m = (lon: number, lat: number) => [(lon * 20037508.342789244) / 180, (Math.log(Math.tan(((90 + lat) * Math.PI) / 360)) * 20037508.342789244) / Math.PI];
    const [x0, y0] = m(163, -23);
    const [x1, y1] = m(169, -19);
    expect(await ids(`bbox=${x0},${y0},${x1},${y1}&bbox-crs=${enc(EPSG(3857))}`)).toEqual(ref);
    // Across the antimeridian: west > east.
    const across = await ids('bbox=170,-30,-170,0');
    const expected = [...demoStations()].filter(([, [lon, lat]]) => (lon >= 170 || lon <= -170) && lat >= -30 && lat <= 0).map(([k]) => k);
    expect([...across].sort()).toEqual(expected.sort());
  });

  it.each([
    ['crs=EPSG:4326', 'crs'],
    [`crs=${enc(EPSG(2154))}`, 'crs'],
    [`bbox=1,2,3,4&bbox-crs=${enc('urn:ogc:def:crs:EPSG::4326')}`, 'bbox-crs'],
    ['bbox=1,2,3', 'bbox'],
    ['bbox=a,b,c,d', 'bbox'],
    ['bbox=0,-95,10,10', 'bbox'],
    ['bbox=0,10,10,0', 'bbox'],
    ['bbox=1,2,3,4,5', 'bbox'],
  ])('refuses %s with 400', async (q) => {
    const r = await get(t, `/ogcapi/collections/stations/items?${q}`);
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ code: 'InvalidParameterValue', description: expect.any(String) });
  });
});

describe('single items', () => {
  it('serves a station, a dataset and an observation by id, with links', async () => {
    const st = await get(t, '/ogcapi/collections/stations/items/NCL_AMEDEE');
    expect(st.status).toBe(200);
    expect(st.headers['content-type']).toMatch(/^application\/geo\+json/);
    expect(st.json).toMatchObject({ type: 'Feature', id: 'NCL_AMEDEE', properties: { stationId: 'NCL_AMEDEE' } });
    expect(rels(st.json.links)).toEqual(expect.arrayContaining(['self', 'alternate', 'collection']));
    const page = (await get(t, '/ogcapi/collections/observations/items?offset=500&limit=1')).json.features[0];
    const ob = await get(t, `/ogcapi/collections/observations/items/${enc(page.id)}`);
    expect(ob.status).toBe(200);
    const { links, ...feature } = ob.json;
    expect(feature).toEqual(page);
    expect((await get(t, '/ogcapi/collections/datasets/items/OUVEA01_TEMP_0A_SBE56')).json.properties.stationId).toBe('NCL_OUVEA01');
  });

  it.each(['/ogcapi/collections/stations/items/NOPE', '/ogcapi/collections/observations/items/OUVEA01_TEMP_0A_SBE56.1', '/ogcapi/collections/observations/items/garbage', '/ogcapi/collections/nope/items/x'])('answers 404 for %s', async (url) => {
    const r = await get(t, url);
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ code: 'NotFound', description: expect.any(String) });
  });
});

describe('formats and errors', () => {
  it('writes CSV by f=csv with the Link header for the next page', async () => {
    const r = await get(t, '/ogcapi/collections/stations/items?f=csv&limit=7');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    const lines = r.text.trim().split('\r\n');
    expect(lines[0].startsWith('gml_id,stationId,name')).toBe(true);
    expect(lines).toHaveLength(8);
    expect(r.headers.link).toMatch(/<http:\/\/[^>]+\/ogcapi\/collections\/stations\/items\?f=csv&limit=7&offset=7>; rel="next"/);
    expect(r.headers['content-disposition']).toBe('inline; filename="stations.csv"');
  });

  it('names CSV downloads after the collection, the dataset asked for, the period and the page', async () => {
    const name = async (q: string) => (await get(t, `/ogcapi/collections/${q}`)).headers['content-disposition'];
    expect(await name(`observations/items?f=csv&datasetId=OUVEA01_TEMP_0A_SBE56&datetime=${enc('2024-03-01T00:00:00Z/2024-03-04T00:00:00Z')}&limit=5`)).toBe(
      'inline; filename="observations_OUVEA01_TEMP_0A_SBE56_2024-03-01_2024-03-04.csv"',
    );
    expect(await name(`observations/items?f=csv&datetime=${enc('2024-03-01/..')}&limit=5&offset=10`)).toBe('inline; filename="observations_2024-03-01_open_from10.csv"');
    expect(await name('stations/items/NCL_AMEDEE?f=csv')).toBe('inline; filename="stations_NCL_AMEDEE.csv"');
    // A code cannot break the header: only safe file-name characters are written.
    expect(await name(`stations/items?f=csv&stationId=${enc('a"b;c')}`)).toBe('inline; filename="stations_a_b_c.csv"');
    // JSON answers carry no file name.
    expect(await name('stations/items?limit=1')).toBeUndefined();
  });

  it('negotiates by Accept when f is absent', async () => {
    expect((await get(t, '/ogcapi/collections/stations/items?limit=1', { Accept: 'text/csv' })).headers['content-type']).toMatch(/^text\/csv/);
    expect((await get(t, '/ogcapi/collections/stations/items?limit=1', { Accept: 'application/json' })).headers['content-type']).toMatch(/^application\/geo\+json/);
    // A browser's Accept gets the HTML page (test/ogcapi/html.test.ts).
    const b = await get(t, '/ogcapi/collections', { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' });
    expect(b.status).toBe(200);
    expect(b.headers['content-type']).toMatch(/^text\/html/);
    const none = await get(t, '/ogcapi/collections', { Accept: 'image/png' });
    expect(none.status).toBe(406);
    expect(none.json.code).toBe('InvalidParameterValue');
  });

  it.each(['f=xyz', 'f=gml'])('answers %s with 406', async (q) => {
    const r = await get(t, `/ogcapi/collections/stations/items?${q}`);
    expect(r.status).toBe(406);
    expect(r.json).toEqual({ code: 'InvalidParameterValue', description: expect.any(String) });
  });

  it('refuses unknown and repeated parameters with 400', async () => {
    for (const url of ['/ogcapi/collections/stations/items?foo=1', '/ogcapi/collections/stations/items?Limit=5', '/ogcapi/collections?limit=5', '/ogcapi/collections/stations/items?limit=1&limit=2', '/ogcapi/collections/stations/items/NCL_AMEDEE?bbox=1,2,3,4']) {
      const r = await get(t, url);
      expect(r.status).toBe(400);
      expect(r.json.code).toBe('InvalidParameterValue');
    }
  });

  it('answers 405 for other methods and 404 below the API', async () => {
    const p = await t.http.post('/ogcapi/collections').send('x');
    expect(p.status).toBe(405);
    expect(p.headers.allow).toBe('GET, HEAD');
    expect(JSON.parse(p.text).code).toBe('OperationNotSupported');
    const nf = await get(t, '/ogcapi/nothing/here');
    expect(nf.status).toBe(404);
    expect(nf.json.code).toBe('NotFound');
  });

  it('answers the shared request limits in JSON too (KVP value length, rate limit)', async () => {
    const long = await get(t, `/ogcapi/collections/stations/items?name=${'x'.repeat(t.config.maxKvpValueLength + 1)}`);
    expect(long.status).toBe(400);
    expect(long.json).toEqual({ code: 'InvalidParameterValue', description: expect.stringMatching(/longer than/) });
    const limited = await createTestApp({ rateLimitPerMinute: 1 });
    try {
      expect((await get(limited, '/ogcapi/collections')).status).toBe(200);
      const r = await get(limited, '/ogcapi/collections');
      expect(r.status).toBe(429);
      expect(r.headers['retry-after']).toBeDefined();
      expect(r.json.code).toEqual(expect.any(String));
    } finally {
      await limited.close();
    }
  });

  it('never answers user input with a 5xx', async () => {
    const urls = [
      '/ogcapi/collections/observations/items?datasetId=%00',
      '/ogcapi/collections/observations/items?time=notatime',
      '/ogcapi/collections/observations/items?value=1e999',
      '/ogcapi/collections/observations/items?bbox=1e400,0,1,1',
      '/ogcapi/collections/observations/items?offset=999999999999999',
      '/ogcapi/collections/observations/items/%E0%A4%A',
      '/ogcapi/collections/observations/items/x.99999999999',
      '/ogcapi/collections/stations/items?sortby=',
      '/ogcapi/collections/stations/items?%ZZ=1',
      '/ogcapi/collections/stations/items?crs=' + enc(EPSG(3163)) + '&bbox=-180,-90,180,90',
      '/ogcapi/collections/stations/items?bbox=0,0,1,1&bbox-crs=' + enc(EPSG(32758)),
    ];
    for (const url of urls) {
      const r = await get(t, url);
      expect({ url, status: r.status < 500 }).toEqual({ url, status: true });
    }
  });
});

describe('configuration', () => {
  it('serves under OGCAPI_BASE_PATH with links from PUBLIC_URL', async () => {
    const other = await createTestApp({ ogcapiBasePath: '/api/features', publicUrl: 'https://data.example.org/rg' });
    try {
      const r = await get(other, '/api/features');
      expect(r.status).toBe(200);
      for (const l of r.json.links) expect(l.href.startsWith('https://data.example.org/rg/api/features')).toBe(true);
      const items = await get(other, '/api/features/collections/stations/items?limit=2');
      expect(items.json.links.find((l: any) => l.rel === 'next').href).toBe('https://data.example.org/rg/api/features/collections/stations/items?limit=2&offset=2');
      expect((await get(other, '/ogcapi')).status).toBe(404);
    } finally {
      await other.close();
    }
  });
});
