import fc from 'fast-check';
import { createTestApp, TestApp } from '../helpers/app';
import { CsvRow, demoRows } from './helpers';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const window = (rows: CsvRow[], a: string, b: string) => rows.filter((r) => r.time >= a && r.time <= b);
/** The imported value text as the server must print it (same number, shortest form). */
const num = (v: string) => (v === '' ? null : Number(v));

describe('fidelity: JSON and CSV equal the imported rows', () => {
  const all = demoRows();
  const codes = [...all.keys()].sort();

  test('random datasets and windows (CSV and JSON)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...codes), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), async (code, f1, f2) => {
        const rows = all.get(code)!;
        const t0 = Date.parse(rows[0].time);
        const t1 = Date.parse(rows[rows.length - 1].time);
        const [lo, hi] = [Math.min(f1, f2), Math.max(f1, f2)];
        const a = iso(Math.floor((t0 + (t1 - t0) * lo) / 1000) * 1000);
        const b = iso(Math.floor((t0 + (t1 - t0) * hi) / 1000) * 1000);
        const expected = window(rows, a, b);
        const q = `service=SOS&version=2.0.0&request=GetObservation&offering=${code}&temporalFilter=om:phenomenonTime,${a}/${b}`;
        const csv = await t.http.get(`/sos?${q}&responseFormat=text/csv`);
        expect(csv.status).toBe(200);
        const lines = csv.text.split('\n');
        expect(lines[0]).toBe('offering,time,value,qc');
        expect(lines.slice(1, -1)).toEqual(expected.map((r) => `${code},${r.time},${Number(r.value)},${r.qc}`));
        const json = await t.http.get(`/sos?${q}&responseFormat=application/json`);
        const doc = JSON.parse(json.text);
        if (expected.length === 0) {
          expect(doc.series).toEqual([]);
        } else {
          expect(doc.series).toHaveLength(1);
          expect(doc.series[0].offering).toBe(code);
          expect(doc.series[0].points).toEqual(expected.map((r) => [r.time, num(r.value), Number(r.qc)]));
        }
      }),
      { numRuns: 25, seed: 4242 },
    );
  });

  test('a whole series, and the whole network as CSV (every imported row, exactly once)', async () => {
    const code = codes[0];
    const json = JSON.parse((await t.http.get(`/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${code}&responseFormat=application/json`)).text);
    expect(json.series[0].points).toEqual(all.get(code)!.map((r) => [r.time, num(r.value), Number(r.qc)]));
    const csv = await t.http.get('/sos?service=SOS&version=2.0.0&request=GetObservation&responseFormat=text/csv');
    const lines = csv.text.split('\n').slice(1, -1);
    const expected: string[] = [];
    for (const c of codes) for (const r of all.get(c)!) expected.push(`${c},${r.time},${Number(r.value)},${r.qc}`);
    expect(lines.length).toBe(190923);
    expect(lines).toEqual(expected);
  });
});

describe('JSON downsample=N', () => {
  test('keeps first and last points and each bucket\'s min and max, in time order', async () => {
    const all = demoRows();
    const code = [...all.keys()].sort((a, b) => all.get(b)!.length - all.get(a)!.length)[0];
    const raw = all.get(code)!;
    const N = 200;
    const doc = JSON.parse((await t.http.get(`/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${code}&responseFormat=application/json&downsample=${N}`)).text);
    const pts: [string, number, number][] = doc.series[0].points;
    expect(pts.length).toBeLessThanOrEqual(N + 2);
    expect(pts.length).toBeGreaterThan(N / 2);
    expect(pts[0]).toEqual([raw[0].time, Number(raw[0].value), Number(raw[0].qc)]);
    const last = raw[raw.length - 1];
    expect(pts[pts.length - 1]).toEqual([last.time, Number(last.value), Number(last.qc)]);
    for (let i = 1; i < pts.length; i++) expect(pts[i][0] > pts[i - 1][0]).toBe(true);
    // Every kept point is a raw row.
    const byTime = new Map(raw.map((r) => [r.time, r]));
    for (const p of pts) expect(Number(byTime.get(p[0])!.value)).toBe(p[1]);
    // The documented buckets: B = floor(N/2) equal time slices between the first and last point.
    const B = Math.floor(N / 2);
    const t0 = Date.parse(raw[0].time);
    const span = Date.parse(last.time) - t0 + 1;
    const buckets = new Map<number, number[]>();
    for (const r of raw) {
      const b = Math.min(B - 1, Math.floor(((Date.parse(r.time) - t0) * B) / span));
      buckets.set(b, [...(buckets.get(b) ?? []), Number(r.value)]);
    }
    const kept = new Map<number, number[]>();
    for (const p of pts) {
      const b = Math.min(B - 1, Math.floor(((Date.parse(p[0]) - t0) * B) / span));
      kept.set(b, [...(kept.get(b) ?? []), p[1]]);
    }
    for (const [b, values] of buckets) {
      expect(kept.get(b)).toContain(Math.min(...values));
      expect(kept.get(b)).toContain(Math.max(...values));
    }
  });
});
