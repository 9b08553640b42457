import { createTestApp, TestApp } from '../helpers/app';
import { covjsonErrors, datasetInfo, dbRows, EDR, edrGet, enc } from './helpers';

/**
 * What each EDR query selects (stations by geometry, depth, parameter and time) and how GeoJSON
 * and CSV carry the same series as CoverageJSON. Distances are checked against PostGIS's own.
 */
let t: TestApp;
let info: Awaited<ReturnType<typeof datasetInfo>>;
beforeAll(async () => {
  t = await createTestApp();
  info = await datasetInfo(t.db.store);
});
afterAll(async () => {
  await t?.close();
});

const WINDOW = `datetime=${enc('2024-07-01T00:00:00Z/2024-07-03T00:00:00Z')}`;
/** Station codes of a CoverageJSON answer (one coverage, or a collection). */
const stationsOf = (doc: any): string[] => [...new Set<string>((doc.type === 'Coverage' ? [doc] : doc.coverages).map((c: any) => c.station as string))].sort();
/** Stations with data in the window, by PostGIS condition on their geometry. */
async function stationsWhere(cond: string, values: unknown[] = []): Promise<string[]> {
  const r = await t.db.store.query<{ code: string }>(
    `SELECT DISTINCT s.code FROM station s JOIN dataset d ON d.station_id = s.id
      WHERE ${cond} AND EXISTS (SELECT 1 FROM observation o WHERE o.dataset_id = d.id AND o.time BETWEEN '2024-07-01T00:00:00Z' AND '2024-07-03T00:00:00Z') ORDER BY s.code`,
    values,
  );
  return r.rows.map((x) => x.code);
}

describe('position', () => {
  it('answers the nearest station within 1 km, nothing (204) farther away', async () => {
    // ~550 m north-east of NCL_AMEDEE (-22.4775, 166.4675).
    const near = await edrGet(t, `${EDR}/position?coords=${enc('POINT(166.471 -22.474)')}&${WINDOW}`);
    expect(near.status).toBe(200);
    expect(stationsOf(near.json)).toEqual(['NCL_AMEDEE']);
    // ~2 km away: no station.
    const far = await edrGet(t, `${EDR}/position?coords=${enc('POINT(166.4675 -22.4595)')}&${WINDOW}`);
    expect(far.status).toBe(204);
    expect(far.text).toBe('');
  });

  it('reads coords in the axis order of crs: EPSG:4326 is latitude first', async () => {
    const r = await edrGet(t, `${EDR}/position?coords=${enc('POINT(-22.4775 166.4675)')}&crs=${enc('http://www.opengis.net/def/crs/EPSG/0/4326')}&${WINDOW}`);
    expect(stationsOf(r.json)).toEqual(['NCL_AMEDEE']);
  });

  it('takes a MULTIPOINT: the nearest station of each point', async () => {
    const r = await edrGet(t, `${EDR}/position?coords=${enc('MULTIPOINT((166.4675 -22.4775),(168.31 -17.74),(0 0))')}&${WINDOW}&parameter-name=TEMP`);
    expect(r.status).toBe(200);
    expect(covjsonErrors(r.json)).toEqual([]);
    expect(stationsOf(r.json)).toEqual(['NCL_AMEDEE', 'VUT_PORTVILA']);
  });

  it('answers one parameter of one station as a single Coverage, several as a collection', async () => {
    const one = await edrGet(t, `${EDR}/position?coords=${enc('POINT(166.4675 -22.4775)')}&parameter-name=TEMP&${WINDOW}`);
    expect(one.json.type).toBe('Coverage');
    const all = await edrGet(t, `${EDR}/position?coords=${enc('POINT(166.4675 -22.4775)')}&${WINDOW}`);
    expect(all.json.type).toBe('CoverageCollection');
    expect(all.json.coverages.map((c: any) => c.id).sort()).toEqual(['AMEDEE_PRES_0A_SBE37', 'AMEDEE_TEMP_0A_SBE56']);
  });
});

describe('radius, area, cube', () => {
  it('radius: every station within the distance on the spheroid, in km, m, mi and nmi alike', async () => {
    const within = (metres: number) => stationsWhere('ST_DWithin(s.geom::geography, ST_SetSRID(ST_MakePoint(166.4675, -22.4775), 4326)::geography, $1)', [metres]);
    for (const [w, unit, metres] of [
      ['60', 'km', 60_000],
      ['60000', 'm', 60_000],
      ['150', 'mi', 150 * 1609.344],
      ['200', 'nmi', 200 * 1852],
    ] as const) {
      const r = await edrGet(t, `${EDR}/radius?coords=${enc('POINT(166.4675 -22.4775)')}&within=${w}&within-units=${unit}&${WINDOW}`);
      expect(r.status).toBe(200);
      const expected = await within(metres);
      expect(expected.length).toBeGreaterThan(1);
      expect(stationsOf(r.json)).toEqual(expected);
    }
  });

  it('area: the stations inside a polygon or multipolygon (the antimeridian side included)', async () => {
    const mp = 'MULTIPOLYGON(((164 -23,168.5 -23,168.5 -20,164 -20,164 -23)),((-179 -15,-175 -15,-175 -12,-179 -12,-179 -15)))';
    const r = await edrGet(t, `${EDR}/area?coords=${enc(mp)}&${WINDOW}`);
    expect(r.status).toBe(200);
    const expected = await stationsWhere(
      `ST_Intersects(s.geom, ST_GeomFromText('MULTIPOLYGON(((164 -23,168.5 -23,168.5 -20,164 -20,164 -23)),((-179 -15,-175 -15,-175 -12,-179 -12,-179 -15)))', 4326))`,
    );
    expect(expected).toEqual(expect.arrayContaining(['WLF_FUTUNA', 'WLF_WALLIS', 'NCL_AMEDEE']));
    expect(stationsOf(r.json)).toEqual(expected);
  });

  it('cube: the stations in the box, and z keeps the depths asked for', async () => {
    const box = await edrGet(t, `${EDR}/cube?bbox=164,-23,168.5,-20&${WINDOW}`);
    const inBox = await stationsWhere('ST_Intersects(s.geom, ST_MakeEnvelope(164, -23, 168.5, -20, 4326))');
    expect(stationsOf(box.json)).toEqual(inBox);
    const shallow = await edrGet(t, `${EDR}/cube?bbox=164,-23,168.5,-20&z=0/8&${WINDOW}`);
    const expectedShallow = await stationsWhere('ST_Intersects(s.geom, ST_MakeEnvelope(164, -23, 168.5, -20, 4326)) AND s.depth_m <= 8');
    expect(expectedShallow.length).toBeGreaterThan(0);
    expect(expectedShallow.length).toBeLessThan(inBox.length);
    expect(stationsOf(shallow.json)).toEqual(expectedShallow);
    const levels = await edrGet(t, `${EDR}/cube?bbox=164,-23,168.5,-20&z=12,20&${WINDOW}`);
    expect(stationsOf(levels.json)).toEqual(await stationsWhere('ST_Intersects(s.geom, ST_MakeEnvelope(164, -23, 168.5, -20, 4326)) AND s.depth_m IN (12, 20)'));
    const recurring = await edrGet(t, `${EDR}/cube?bbox=164,-23,168.5,-20&z=R2/12/8&${WINDOW}`);
    expect(stationsOf(recurring.json)).toEqual(stationsOf(levels.json));
  });

  it('the three agree with each other and with parameter-name', async () => {
    const area = await edrGet(t, `${EDR}/area?coords=${enc('POLYGON((164 -23,168.5 -23,168.5 -20,164 -20,164 -23))')}&parameter-name=TEMP,PSAL&${WINDOW}`);
    const cube = await edrGet(t, `${EDR}/cube?bbox=164,-23,168.5,-20&parameter-name=TEMP,PSAL&${WINDOW}`);
    expect(area.json).toEqual(cube.json);
    const props = new Set(area.json.coverages.map((c: any) => info.get(c.id)!.property));
    expect([...props].sort()).toEqual(['PSAL', 'TEMP']);
    expect(Object.keys(area.json.parameters).sort()).toEqual(['PSAL', 'PSAL_QC', 'TEMP', 'TEMP_QC']);
  });
});

describe('locations', () => {
  it('lists the stations with series as GeoJSON: id = station code, parameters, time span, EDR URL', async () => {
    const r = await edrGet(t, `${EDR}/locations`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/geo\+json/);
    const fc = r.json;
    expect(fc.type).toBe('FeatureCollection');
    const codes = (await t.db.store.query<{ code: string }>('SELECT DISTINCT s.code FROM station s JOIN dataset d ON d.station_id = s.id ORDER BY s.code')).rows.map((x) => x.code);
    expect(fc.features.map((f: any) => f.id)).toEqual(codes);
    expect(fc.numberReturned).toBe(codes.length);
    const amedee = fc.features.find((f: any) => f.id === 'NCL_AMEDEE');
    expect(amedee.geometry).toEqual({ type: 'Point', coordinates: [166.4675, -22.4775] });
    expect(amedee.properties['parameter-name']).toEqual(['PRES', 'TEMP']);
    expect(amedee.properties.datetime).toMatch(/^2024-03-14T16:00:00Z\/2024-12-31T2\d:\d\d:00Z$/);
    expect(amedee.properties.edrqueryendpoint).toBe('http://rg.test/ogcapi/collections/insitu/locations/NCL_AMEDEE');
    expect(amedee.properties.label).toBe('NCL Phare Amédée');
  });

  it('filters by bbox, parameter-name and datetime', async () => {
    const bbox = await edrGet(t, `${EDR}/locations?bbox=164,-23,168.5,-20`);
    expect(bbox.json.features.map((f: any) => f.id)).toEqual(await stationsWhere('ST_Intersects(s.geom, ST_MakeEnvelope(164, -23, 168.5, -20, 4326))'));
    const psal = await edrGet(t, `${EDR}/locations?parameter-name=PSAL`);
    const withPsal = (await t.db.store.query<{ code: string }>("SELECT DISTINCT s.code FROM station s JOIN dataset d ON d.station_id = s.id JOIN observed_property p ON p.id = d.property_id WHERE p.code = 'PSAL' ORDER BY s.code")).rows.map((x) => x.code);
    expect(withPsal.length).toBeGreaterThan(0);
    expect(psal.json.features.map((f: any) => f.id)).toEqual(withPsal);
    const early = await edrGet(t, `${EDR}/locations?datetime=${enc('../2024-01-10T00:00:00Z')}`);
    const startedEarly = (await t.db.store.query<{ code: string }>("SELECT s.code FROM station s JOIN dataset d ON d.station_id = s.id GROUP BY s.code HAVING min(d.time_start) <= '2024-01-10T00:00:00Z' ORDER BY s.code")).rows.map((x) => x.code);
    expect(early.json.features.map((f: any) => f.id)).toEqual(startedEarly);
  });

  it('locations/{id} is the series of that station; each feature\'s edrqueryendpoint answers', async () => {
    const fc = (await edrGet(t, `${EDR}/locations?bbox=166,-23,167,-22`)).json;
    for (const f of fc.features) {
      const path = new URL(f.properties.edrqueryendpoint).pathname;
      const r = await edrGet(t, `${path}?${WINDOW}`);
      expect(r.status).toBe(200);
      expect(covjsonErrors(r.json)).toEqual([]);
      expect(stationsOf(r.json)).toEqual([f.id]);
    }
  });
});

describe('GeoJSON and CSV carry the same series as CoverageJSON', () => {
  const q = `${EDR}/cube?bbox=164,-23,168.5,-20&datetime=${enc('2024-08-01T00:00:00Z/2024-08-08T00:00:00Z')}`;

  it('GeoJSON: one feature per series with time, value and qc arrays, links after the features', async () => {
    const cov = (await edrGet(t, q)).json;
    const r = await edrGet(t, `${q}&f=GeoJSON`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/geo\+json/);
    const fc = r.json;
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.numberReturned).toBe(cov.coverages.length);
    expect(fc.features.map((f: any) => f.id)).toEqual(cov.coverages.map((c: any) => c.id));
    for (const [i, f] of fc.features.entries()) {
      const c = cov.coverages[i];
      const d = info.get(f.id)!;
      expect(f.geometry).toEqual({ type: 'Point', coordinates: [d.lon, d.lat] });
      expect(f.properties).toMatchObject({ station: d.station, 'parameter-name': d.property, unit: d.uom, depth: d.depth, dataset: f.id });
      expect(f.properties.time).toEqual(c.domain.axes.t.values);
      expect(f.properties.value).toEqual(c.ranges[d.property].values);
      expect(f.properties.qc).toEqual(c.ranges[`${d.property}_QC`].values);
      expect(f.properties.count).toBe(f.properties.time.length);
    }
    const rels = fc.links.map((l: any) => l.rel);
    expect(rels).toEqual(expect.arrayContaining(['self', 'alternate', 'collection']));
    expect(fc.links.find((l: any) => l.rel === 'self').href).toContain('f=geojson');
    // EPSG:4326: latitude first, in the bbox as in the answer.
    const latFirst = (await edrGet(t, `${q.replace('bbox=164,-23,168.5,-20', 'bbox=-23,164,-20,168.5')}&f=GeoJSON&crs=${enc('http://www.opengis.net/def/crs/EPSG/0/4326')}`)).json;
    expect(latFirst.features.map((f: any) => f.id)).toEqual(fc.features.map((f: any) => f.id));
    expect(latFirst.features[0].geometry.coordinates).toEqual([...fc.features[0].geometry.coordinates].reverse());
  });

  it('CSV: one line per observation, station,parameter,time,value,qc,unit', async () => {
    const r = await edrGet(t, `${q}&f=CSV`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = r.text.trimEnd().split('\n');
    expect(lines[0]).toBe('station,parameter,time,value,qc,unit');
    const expected: string[] = [];
    const cov = (await edrGet(t, q)).json;
    for (const c of cov.coverages) {
      const d = info.get(c.id)!;
      for (const x of await dbRows(t.db.store, c.id, '2024-08-01T00:00:00Z', '2024-08-08T00:00:00Z')) expected.push(`${d.station},${d.property},${x.time},${x.value ?? ''},${x.qc},${d.uom}`);
    }
    expect(lines.slice(1)).toEqual(expected);
  });

  it('f and Accept choose the format; CoverageJSON is the default', async () => {
    expect((await edrGet(t, q)).headers['content-type']).toMatch(/^application\/prs\.coverage\+json/);
    expect((await edrGet(t, q, { Accept: 'text/csv' })).headers['content-type']).toMatch(/^text\/csv/);
    expect((await edrGet(t, q, { Accept: 'application/geo+json' })).headers['content-type']).toMatch(/^application\/geo\+json/);
    expect((await edrGet(t, `${q}&f=covjson`)).headers['content-type']).toMatch(/^application\/prs\.coverage\+json/);
    expect((await edrGet(t, `${q}&f=json`)).headers['content-type']).toMatch(/^application\/prs\.coverage\+json/);
  });
});
