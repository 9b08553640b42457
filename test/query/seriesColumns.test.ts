import type { Offering } from '../../src/catalog/offerings';
import { EPOCH, QC, VALUE_JSON } from '../../src/encoders/series/sqlText';
import { loadOfferings } from '../../src/query/catalogue';
import { ColumnSeriesEncoder, SeriesExtent, streamSeries } from '../../src/query/observations';
import { extendSeries } from '../edr/helpers';
import { createTestDb, TestDb } from '../helpers/testStore';

/**
 * The column driver (streamSeriesColumns) reads a long series' flags, and a shorter one's values too, in
 * the times' scan and holds them until their turn; a series whose stored count is over a limit scans
 * those columns on their own. Every way must give the encoder the same texts, equal to the stored rows,
 * whatever the flag column's position.
 */
let db: TestDb;
let longest: Offering;
const EXTRA = 23_456;

beforeAll(async () => {
  db = await createTestDb();
  const code = (await db.store.query<{ code: string }>('SELECT code FROM dataset ORDER BY obs_count DESC, code LIMIT 1')).rows[0].code;
  await extendSeries(db.store, code, EXTRA);
  longest = (await loadOfferings(db.store)).find((o) => o.code === code)!;
});
afterAll(async () => {
  await db?.drop();
});

/** Records each column's texts, joined, and the rows counted on column 0. */
class Recorder implements ColumnSeriesEncoder {
  readonly columnSeparator = ',';
  columns: string[][] = [];
  order: number[] = [];
  rows = 0;
  constructor(
    readonly columnSql: readonly string[],
    readonly flagColumn?: number,
  ) {}
  async seriesStart(_ds: Offering, _e: SeriesExtent | undefined): Promise<void> {
    this.columns = this.columnSql.map(() => []);
  }
  async column(_ds: Offering, k: number, n: number, text: string): Promise<void> {
    if (this.order[this.order.length - 1] !== k) this.order.push(k);
    if (k === 0) this.rows += n;
    if (text !== '') this.columns[k].push(text);
  }
  async seriesEnd(): Promise<void> {}
  texts(): string[] {
    return this.columns.map((c) => c.join(','));
  }
}

async function stream(ds: Offering, enc: Recorder, time: { op: 'After'; at: number }[] = []): Promise<string[]> {
  await streamSeries(db.store, { offerings: [ds], time }, enc, new AbortController().signal);
  expect(enc.order).toEqual(enc.columnSql.map((_, k) => k));
  return enc.texts();
}

describe('column driver', () => {
  it('gives held flags as the text of a scan of their own, in any column, whole series or after a first batch', async () => {
    const cols = [`${EPOCH}::text`, VALUE_JSON, `${QC}::text`];
    const r = await db.store.query<{ t: string; v: string; q: string; n: number }>(
      `SELECT string_agg(${cols[0]}, ',') AS t, string_agg(${cols[1]}, ',') AS v, string_agg(${cols[2]}, ',') AS q, count(*)::int AS n
         FROM (SELECT * FROM observation o WHERE o.dataset_id = $1 ORDER BY o.time) o`,
      [longest.id],
    );
    const stored = r.rows[0];
    expect(stored.n).toBeGreaterThan(EXTRA);
    expect(new Set(stored.q.split(','))).toEqual(new Set(['1', '3', '4']));
    // Every column held (one scan), the flags held but the values scanned apart (a stored count over
    // MAX_HELD_TEXT_ROWS), and both scanned apart (a stored count over MAX_HELD_FLAGS).
    const held = new Recorder(cols, 2);
    expect(await stream(longest, held)).toEqual([stored.t, stored.v, stored.q]);
    expect(held.rows).toBe(stored.n);
    expect(await stream({ ...longest, obsCount: 1_000_000 }, new Recorder(cols, 2))).toEqual([stored.t, stored.v, stored.q]);
    expect(await stream({ ...longest, obsCount: 5_000_000 }, new Recorder(cols, 2))).toEqual([stored.t, stored.v, stored.q]);
    expect(await stream(longest, new Recorder(cols))).toEqual([stored.t, stored.v, stored.q]);
    // The flags in the middle: read with column 0, written between it and the values.
    expect(await stream(longest, new Recorder([cols[0], cols[2], cols[1]], 1))).toEqual([stored.t, stored.q, stored.v]);
    // A window: its first batch comes from a query of its own, the rest from the cursor.
    const from = Number(stored.t.split(',')[1234]);
    const tail = (s: string) => s.split(',').slice(1235).join(',');
    expect(await stream(longest, new Recorder(cols, 2), [{ op: 'After', at: from * 1000 }])).toEqual([tail(stored.t), tail(stored.v), tail(stored.q)]);
  });
});
