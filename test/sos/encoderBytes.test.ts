import fc from 'fast-check';
import { civilFromDays, IsoTimeWriter } from '../../src/encoders/series/isoTime';
import { ChunkWriter } from '../../src/encoders/chunkWriter';
import { putDouble } from '../../src/encoders/series/xsDouble';
import type { Sink } from '../../src/ows/types';

/** ISO 8601 UTC to the second, as JavaScript's Date writes it. */
const dateIso = (sec: number) => new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const YEAR_0 = Math.ceil(new Date('0000-01-01T00:00:00Z').getTime() / 1000);
const YEAR_10000 = new Date('+010000-01-01T00:00:00Z').getTime() / 1000 - 1;

describe('IsoTimeWriter', () => {
  test('writes any second of years 0-9999 as Date does, whatever second it wrote before', () => {
    const w = new IsoTimeWriter();
    const b = Buffer.alloc(20);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: YEAR_0, max: YEAR_10000 }), { minLength: 1, maxLength: 20 }), (secs) => {
        for (const s of secs) {
          w.write(b, 0, s);
          expect(b.toString('latin1')).toBe(dateIso(s));
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('consecutive seconds across days, month ends, leap days and the epoch', () => {
    const w = new IsoTimeWriter();
    const b = Buffer.alloc(20);
    for (const start of ['1969-12-31T23:59:50Z', '2024-02-28T23:59:50Z', '2024-02-29T23:59:50Z', '2023-12-31T23:59:50Z', '2000-02-28T23:59:55Z', '1900-02-28T23:59:55Z']) {
      const s0 = Date.parse(start) / 1000;
      for (let s = s0; s < s0 + 20; s++) {
        w.write(b, 0, s);
        expect(b.toString('latin1')).toBe(dateIso(s));
      }
    }
  });

  test('civilFromDays agrees with Date over 1900-2100, day by day', () => {
    for (let d = Date.UTC(1900, 0, 1) / 86400000; d < Date.UTC(2100, 0, 1) / 86400000; d++) {
      const t = new Date(d * 86400000);
      const c = civilFromDays(d);
      if (c.y !== t.getUTCFullYear() || c.m !== t.getUTCMonth() + 1 || c.d !== t.getUTCDate()) throw new Error(`day ${d}: ${JSON.stringify(c)} vs ${t.toISOString()}`);
    }
  });
});

describe('putDouble', () => {
  /** What putDouble writes for PostgreSQL's float8 text s. */
  async function written(s: string): Promise<string> {
    const out: Buffer[] = [];
    const sink: Sink = { write: async (c) => void out.push(Buffer.from(c)), signal: new AbortController().signal };
    const w = new ChunkWriter(sink);
    putDouble(w, s, 0, s.length);
    await w.flush();
    return Buffer.concat(out).toString('latin1');
  }

  test('infinities become xs:double INF and -INF; other texts are copied', async () => {
    expect(await written('Infinity')).toBe('INF');
    expect(await written('-Infinity')).toBe('-INF');
    for (const s of ['NaN', '23.6234', '-1.5', '-0', '1e-05', '1.7976931348623157e+308']) expect(await written(s)).toBe(s);
  });
});
