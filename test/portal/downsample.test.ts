/** The SOS JSON `downsample=N` option the portal charts rely on, checked against the raw rows. */
import { createTestApp, TestApp } from '../helpers/app';

type Point = [string, number | null, number];

describe('SOS JSON downsample=N against the raw rows', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  async function series(offering: string, extra: Record<string, string>): Promise<Point[]> {
    const res = await app.http.get('/sos').query({ service: 'SOS', version: '2.0.0', request: 'GetObservation', offering, responseFormat: 'application/json', ...extra }).expect(200);
    const doc = JSON.parse(res.text) as { series: { offering: string; points: Point[] }[] };
    expect(doc.series).toHaveLength(1);
    expect(doc.series[0].offering).toBe(offering);
    return doc.series[0].points;
  }

  /** Every raw row is in exactly one of B equal time buckets between the first and last point. */
  function expectExtremesKept(raw: Point[], down: Point[], n: number): void {
    const B = Math.max(1, Math.floor(n / 2));
    const t = (p: Point) => Date.parse(p[0]);
    const t0 = t(raw[0]);
    const span = t(raw[raw.length - 1]) - t0 + 1;
    const bucket = (p: Point) => Math.min(B - 1, Math.floor(((t(p) - t0) * B) / span));
    const rawByTime = new Map(raw.map((p) => [p[0], p]));

    expect(down[0]).toEqual(raw[0]);
    expect(down[down.length - 1]).toEqual(raw[raw.length - 1]);
    expect(down.length).toBeLessThanOrEqual(2 * B + 2);
    for (let i = 1; i < down.length; i++) expect(t(down[i])).toBeGreaterThan(t(down[i - 1]));
    for (const p of down) expect(rawByTime.get(p[0])).toEqual(p);

    const min = new Map<number, number>();
    const max = new Map<number, number>();
    for (const p of raw) {
      if (p[1] === null) continue;
      const b = bucket(p);
      if (!min.has(b) || p[1] < min.get(b)!) min.set(b, p[1]);
      if (!max.has(b) || p[1] > max.get(b)!) max.set(b, p[1]);
    }
    const kept = new Map<number, number[]>();
    for (const p of down) if (p[1] !== null) kept.set(bucket(p), [...(kept.get(bucket(p)) ?? []), p[1]]);
    expect(min.size).toBeGreaterThan(B / 2);
    for (const [b, lo] of min) {
      expect(kept.get(b)).toContain(lo);
      expect(kept.get(b)).toContain(max.get(b));
    }
  }

  it('keeps the first and last points and each bucket minimum and maximum of a whole series', async () => {
    const raw = await series('OUVEA01_TEMP_0A_SBE56', {});
    expect(raw.length).toBeGreaterThan(4000);
    const down = await series('OUVEA01_TEMP_0A_SBE56', { downsample: '300' });
    expect(down.length).toBeLessThan(raw.length / 5);
    expectExtremesKept(raw, down, 300);
  });

  it('does the same within a temporal filter, buckets spanning the selected rows', async () => {
    const filter = { temporalFilter: 'om:phenomenonTime,2024-05-01T00:00:00Z/2024-07-15T12:00:00Z' };
    const raw = await series('OUVEA01_TEMP_0A_SBE56', filter);
    expect(raw.length).toBeGreaterThan(500);
    expect(raw[0][0] >= '2024-05-01T00:00:00Z').toBe(true);
    const down = await series('OUVEA01_TEMP_0A_SBE56', { ...filter, downsample: '101' });
    expectExtremesKept(raw, down, 101);
  });

  it('returns the raw series untouched when it is shorter than the target', async () => {
    const filter = { temporalFilter: 'om:phenomenonTime,2024-06-01T00:00:00Z/2024-06-02T00:00:00Z' };
    const raw = await series('OUVEA01_TEMP_0A_SBE56', filter);
    expect(raw.length).toBeGreaterThan(2);
    expect(await series('OUVEA01_TEMP_0A_SBE56', { ...filter, downsample: '1000' })).toEqual(raw);
  });
});
