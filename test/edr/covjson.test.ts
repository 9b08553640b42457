import { createTestApp, TestApp } from '../helpers/app';
import { coverageRows, covjsonErrors, datasetInfo, dbRows, EDR, edrGet, enc, extendSeries } from './helpers';

/**
 * CoverageJSON answers of the EDR queries: valid against the OGC CoverageJSON 1.0 schema, and holding
 * exactly the stored rows (times, values with NaN and infinities as null, flags), also for a series
 * that spans several 5,000-row batches and windows that start and end inside it.
 */
let t: TestApp;
let longest = '';
let info: Awaited<ReturnType<typeof datasetInfo>>;
const EXTRA = 30_000;

beforeAll(async () => {
  t = await createTestApp();
  longest = (await t.db.store.query<{ code: string }>('SELECT code FROM dataset ORDER BY obs_count DESC, code LIMIT 1')).rows[0].code;
  await extendSeries(t.db.store, longest, EXTRA);
  info = await datasetInfo(t.db.store);
});
afterAll(async () => {
  await t?.close();
});

/** The EDR URL of one dataset's series (its station's location, its parameter). */
function seriesUrl(code: string, extra = ''): string {
  const d = info.get(code)!;
  return `${EDR}/locations/${enc(d.station)}?parameter-name=${d.property}${extra}`;
}

describe('one series: a Coverage of domain type PointSeries', () => {
  it('holds every row of a series longer than several batches, valid CoverageJSON, position and depth from the catalogue', async () => {
    const r = await edrGet(t, seriesUrl(longest));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/prs.coverage+json; charset=utf-8');
    const cov = r.json;
    expect(covjsonErrors(cov)).toEqual([]);
    expect(cov.type).toBe('Coverage');
    expect(cov.domain.domainType).toBe('PointSeries');
    const d = info.get(longest)!;
    expect(cov.domain.axes.x.values).toEqual([d.lon]);
    expect(cov.domain.axes.y.values).toEqual([d.lat]);
    expect(cov.domain.axes.z.values).toEqual([d.depth]);
    const rows = coverageRows(cov, d.property);
    const expected = await dbRows(t.db.store, longest);
    expect(expected.length).toBeGreaterThan(EXTRA);
    expect(rows).toEqual(expected);
    // NaN and an infinity were stored; CoverageJSON has null for them, as for missing values.
    expect(expected.filter((x) => x.value === null).length).toBeGreaterThan(EXTRA / 7);
    expect(Object.keys(cov.parameters).sort()).toEqual([d.property, `${d.property}_QC`].sort());
    expect(cov.parameters[d.property].unit.symbol).toEqual({ value: d.uom, type: 'http://www.opengis.net/def/uom/UCUM/' });
    expect(cov.parameters[`${d.property}_QC`].categoryEncoding['http://reefgate.org/def/parameter/qualityFlag/4']).toBe(4);
    expect(cov.ranges[d.property].dataType).toBe('float');
    expect(cov.ranges[`${d.property}_QC`].dataType).toBe('integer');
  });

  it('holds exactly the rows of windows starting and ending inside the series: one batch, several, across the last boundary', async () => {
    const all = await dbRows(t.db.store, longest);
    const n = all.length;
    // [first row, last row] of each window, by index: inside one batch, across batches, the tail.
    for (const [a, b] of [
      [100, 2100],
      [n - 20_000, n - 7_500],
      [n - 12_345, n - 1],
      [n - 5_000, n - 1],
      [n - 4_999, n - 1],
    ]) {
      const r = await edrGet(t, seriesUrl(longest, `&datetime=${enc(`${all[a].time}/${all[b].time}`)}`));
      expect(r.status).toBe(200);
      expect(covjsonErrors(r.json)).toEqual([]);
      expect(coverageRows(r.json, info.get(longest)!.property)).toEqual(all.slice(a, b + 1));
    }
  });

  it('takes open-ended windows and a date as its whole UTC day', async () => {
    const all = await dbRows(t.db.store, longest);
    const mid = all[Math.floor(all.length / 2)].time;
    const p = info.get(longest)!.property;
    const after = await edrGet(t, seriesUrl(longest, `&datetime=${enc(`${mid}/..`)}`));
    expect(coverageRows(after.json, p)).toEqual(all.filter((x) => x.time >= mid));
    const before = await edrGet(t, seriesUrl(longest, `&datetime=${enc(`../${mid}`)}`));
    expect(coverageRows(before.json, p)).toEqual(all.filter((x) => x.time <= mid));
    const day = mid.slice(0, 10);
    const oneDay = await edrGet(t, seriesUrl(longest, `&datetime=${day}`));
    expect(coverageRows(oneDay.json, p)).toEqual(all.filter((x) => x.time.startsWith(day)));
  });

  it('keeps only the asked quality flags', async () => {
    const r = await edrGet(t, seriesUrl(longest, '&qualityFlag=3,4'));
    const rows = coverageRows(r.json, info.get(longest)!.property);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows).toEqual((await dbRows(t.db.store, longest)).filter((x) => x.qc === 3 || x.qc === 4));
  });

  it('references x/y to the crs asked for: EPSG:4326 is latitude first, the values stay', async () => {
    const a = (await edrGet(t, seriesUrl(longest, '&datetime=2024-06-01'))).json;
    const b = (await edrGet(t, seriesUrl(longest, `&datetime=2024-06-01&crs=${enc('http://www.opengis.net/def/crs/EPSG/0/4326')}`))).json;
    expect(covjsonErrors(b)).toEqual([]);
    const horizontal = (cov: any) => cov.domain.referencing.find((r: any) => r.coordinates.includes('x'));
    expect(horizontal(a)).toEqual({ coordinates: ['x', 'y'], system: { type: 'GeographicCRS', id: 'http://www.opengis.net/def/crs/OGC/1.3/CRS84' } });
    expect(horizontal(b)).toEqual({ coordinates: ['y', 'x'], system: { type: 'GeographicCRS', id: 'http://www.opengis.net/def/crs/EPSG/0/4326' } });
    expect(b.domain.axes).toEqual(a.domain.axes);
    expect(b.ranges).toEqual(a.ranges);
  });
});

describe('several series: a CoverageCollection', () => {
  it('holds one coverage per station and parameter in the area, each equal to its stored rows, parameters once', async () => {
    const from = '2024-05-01T00:00:00Z';
    const to = '2024-05-31T23:59:59Z';
    const polygon = 'POLYGON((164 -23,168.5 -23,168.5 -20,164 -20,164 -23))';
    const r = await edrGet(t, `${EDR}/area?coords=${enc(polygon)}&datetime=${enc(`${from}/${to}`)}`);
    expect(r.status).toBe(200);
    const doc = r.json;
    expect(covjsonErrors(doc)).toEqual([]);
    expect(doc.type).toBe('CoverageCollection');
    expect(doc.domainType).toBe('PointSeries');
    const inArea = [...info.entries()].filter(([, d]) => d.lon >= 164 && d.lon <= 168.5 && d.lat >= -23 && d.lat <= -20);
    const expected = new Map<string, any[]>();
    for (const [code] of inArea) {
      const rows = await dbRows(t.db.store, code, from, to);
      if (rows.length) expected.set(code, rows);
    }
    expect(expected.size).toBeGreaterThan(5);
    expect(new Set(doc.coverages.map((c: any) => info.get(c.id)!.property)).size).toBeGreaterThan(1);
    expect(doc.coverages.map((c: any) => c.id).sort()).toEqual([...expected.keys()].sort());
    for (const cov of doc.coverages) {
      const d = info.get(cov.id)!;
      expect(cov.station).toBe(d.station);
      expect(cov.parameters).toBeUndefined();
      expect(coverageRows(cov, d.property)).toEqual(expected.get(cov.id));
      expect(doc.parameters[d.property]).toBeDefined();
      expect(doc.parameters[`${d.property}_QC`]).toBeDefined();
    }
    // Answer order: stations by code, then parameters.
    const order = doc.coverages.map((c: any) => `${info.get(c.id)!.station} ${info.get(c.id)!.property}`);
    expect(order).toEqual([...order].sort());
  });
});

describe('downsample=N', () => {
  it('keeps the points SOS JSON keeps for the same option, valid CoverageJSON', async () => {
    const N = 60;
    const r = await edrGet(t, seriesUrl(longest, `&downsample=${N}`));
    expect(r.status).toBe(200);
    expect(covjsonErrors(r.json)).toEqual([]);
    const rows = coverageRows(r.json, info.get(longest)!.property);
    const sos = JSON.parse(
      (await t.http.get(`/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${longest}&responseFormat=application/json&downsample=${N}`)).text,
    );
    const points = sos.series[0].points.map(([time, value, qc]: [string, number | null, number]) => ({ time, value, qc }));
    expect(rows.length).toBeLessThanOrEqual(N + 2);
    expect(rows.length).toBeGreaterThan(N / 2);
    expect(rows).toEqual(points);
  });

  it('applies to every series of a collection', async () => {
    const r = await edrGet(t, `${EDR}/cube?bbox=164,-23,168.5,-20&downsample=20`);
    expect(covjsonErrors(r.json)).toEqual([]);
    expect(r.json.coverages.length).toBeGreaterThan(5);
    for (const cov of r.json.coverages) expect(cov.domain.axes.t.values.length).toBeLessThanOrEqual(22);
  });
});

describe('the schema check itself', () => {
  it('refuses a repeated time, a PointSeries with two positions and a value that is not a number', () => {
    const cov = () => ({
      type: 'Coverage',
      parameters: { A: { type: 'Parameter', observedProperty: { label: { en: 'a' } } } },
      domain: {
        type: 'Domain',
        domainType: 'PointSeries',
        axes: { x: { values: [1] }, y: { values: [2] }, t: { values: ['2024-01-01T00:00:00Z', '2024-01-01T00:30:00Z'] } },
        referencing: [{ coordinates: ['t'], system: { type: 'TemporalRS', calendar: 'Gregorian' } }],
      },
      ranges: { A: { type: 'NdArray', dataType: 'float', axisNames: ['t'], shape: [2], values: [1.5, null] } },
    });
    expect(covjsonErrors(cov())).toEqual([]);
    const repeated: any = cov();
    repeated.domain.axes.t.values[1] = repeated.domain.axes.t.values[0];
    expect(covjsonErrors(repeated)).not.toEqual([]);
    const twoX: any = cov();
    twoX.domain.axes.x.values = [1, 3];
    expect(covjsonErrors(twoX)).not.toEqual([]);
    const badValue: any = cov();
    badValue.ranges.A.values = [1.5, 'NaN'];
    expect(covjsonErrors(badValue)).not.toEqual([]);
  });
});
