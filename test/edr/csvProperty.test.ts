import fc from 'fast-check';
import { createTestApp, TestApp } from '../helpers/app';
import { datasetInfo, EDR, edrGet, enc, extendSeries } from './helpers';

/**
 * Property: for random series (station and parameter), windows and quality flags, EDR CSV holds the
 * rows SOS GetObservation CSV holds for the same selection — the same times, values and flags, with
 * the station, parameter and unit in place of the offering. One series is extended past several
 * cursor batches so windows also start and end across batch boundaries.
 */
let t: TestApp;
let info: Awaited<ReturnType<typeof datasetInfo>>;
/** Per dataset, its first and last observation (epoch ms). */
let spans: { code: string; t0: number; t1: number }[] = [];

beforeAll(async () => {
  t = await createTestApp();
  const longest = (await t.db.store.query<{ code: string }>('SELECT code FROM dataset ORDER BY obs_count DESC, code LIMIT 1')).rows[0].code;
  await extendSeries(t.db.store, longest, 20_000);
  info = await datasetInfo(t.db.store);
  const r = await t.db.store.query<{ code: string; t0: Date; t1: Date }>('SELECT code, time_start AS t0, time_end AS t1 FROM dataset WHERE obs_count > 0 ORDER BY code');
  spans = r.rows.map((x) => ({ code: x.code, t0: new Date(x.t0).getTime(), t1: new Date(x.t1).getTime() }));
});
afterAll(async () => {
  await t?.close();
});

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

/** SOS 2.0 CSV of one offering (`offering,time,value,qc`) as EDR CSV lines (`station,parameter,time,value,qc,unit`). */
async function sosLines(code: string, from: number, to: number, qc: number[] | undefined): Promise<string[]> {
  const d = info.get(code)!;
  const q = `service=SOS&version=2.0.0&request=GetObservation&offering=${enc(code)}&responseFormat=text/csv&temporalFilter=${enc(`om:phenomenonTime,${iso(from)}/${iso(to)}`)}${qc ? `&qualityFlag=${qc.join(',')}` : ''}`;
  const r = await t.http.get(`/sos?${q}`);
  expect(r.status).toBe(200);
  const lines = r.text.trimEnd().split('\n').slice(1).filter(Boolean);
  return lines.map((l) => {
    const [offering, rest] = [l.slice(0, l.indexOf(',')), l.slice(l.indexOf(',') + 1)];
    expect(offering).toBe(code);
    return `${d.station},${d.property},${rest},${d.uom}`;
  });
}

/** EDR CSV lines (header dropped); a 204 is no lines. */
async function edrLines(url: string): Promise<string[]> {
  const r = await edrGet(t, url);
  if (r.status === 204) return [];
  expect(r.status).toBe(200);
  const lines = r.text.trimEnd().split('\n');
  expect(lines[0]).toBe('station,parameter,time,value,qc,unit');
  return lines.slice(1);
}

/** Quality flags: mostly none (every row), else a set with or without the common flag 1. */
const flags = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 3 },
  { arbitrary: fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 3 }).map((xs) => [...new Set([1, ...xs])]), weight: 2 },
  { arbitrary: fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 4 }), weight: 1 },
);

it('EDR CSV of a random series, window and flags = SOS CSV of the same offering', async () => {
  let nonEmpty = 0;
  await fc.assert(
    fc.asyncProperty(fc.nat(), fc.integer({ min: -50, max: 1000 }), fc.integer({ min: 1, max: 1000 }), flags, async (k, at, length, qc) => {
      const s = spans[k % spans.length];
      const d = info.get(s.code)!;
      // A window starting anywhere from a little before the series to its end, 0.1 % to 100 % of its span
      // long (so it may run past the end); whole seconds, as the SOS request is written.
      const span = s.t1 - s.t0;
      const from = Math.floor((s.t0 + (at / 1000) * span) / 1000) * 1000;
      const to = Math.floor((from + (length / 1000) * span) / 1000) * 1000;
      const url = `${EDR}/locations/${enc(d.station)}?parameter-name=${d.property}&f=CSV&datetime=${enc(`${iso(from)}/${iso(to)}`)}${qc ? `&qualityFlag=${qc.join(',')}` : ''}`;
      const expected = await sosLines(s.code, from, to, qc);
      expect(await edrLines(url)).toEqual(expected);
      if (expected.length > 0) nonEmpty++;
    }),
    { numRuns: 60 },
  );
  // The property is not vacuous: most draws select rows.
  expect(nonEmpty).toBeGreaterThan(30);
});

it('EDR CSV of a random box and window = SOS CSV of every offering inside it', async () => {
  let nonEmpty = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.nat(),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0.01, max: 12, noNaN: true }),
      fc.integer({ min: 0, max: 330 }),
      fc.integer({ min: 1, max: 20 }),
      async (k, a, b, size, day, days) => {
        // A box of random size placed anywhere around a random station (others may fall inside too).
        const around = [...info.values()][k % info.size];
        const x = around.lon - a * size;
        const y = around.lat - b * size;
        const from = Date.UTC(2024, 0, 1) + day * 86_400_000;
        const to = from + days * 86_400_000;
        const bbox = [x, y, x + size, y + size].map((v) => v.toFixed(4));
        const url = `${EDR}/cube?bbox=${bbox.join(',')}&f=CSV&datetime=${enc(`${iso(from)}/${iso(to)}`)}`;
        const inside = [...info.entries()].filter(([, d]) => d.lon >= Number(bbox[0]) && d.lon <= Number(bbox[2]) && d.lat >= Number(bbox[1]) && d.lat <= Number(bbox[3]));
        const expected: string[] = [];
        for (const [code] of inside) expected.push(...(await sosLines(code, from, to, undefined)));
        // EDR orders series by station then parameter, SOS by offering: compare as sorted lines.
        expect((await edrLines(url)).sort()).toEqual(expected.sort());
        if (expected.length > 0) nonEmpty++;
      },
    ),
    { numRuns: 30 },
  );
  expect(nonEmpty).toBeGreaterThan(10);
});
