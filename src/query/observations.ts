/**
 * The SQL that reads observations, and the drivers that stream it: a series selection (datasets, time
 * filter, quality flags) compiled once here for every reader (SOS GetObservation, GetObservationById,
 * GetDataAvailability, the NetCDF export). Statements go through the (dataset_id, time) primary key.
 */
import type { Queryable, Store, StreamOptions } from '../data/store';
import type { Offering } from '../catalog/offerings';
import { DATASET, OBSERVATION } from '../catalog/schema';
import { isoSql } from '../data/sqlTime';
import { RequestLabels, rowsStreamed } from '../metrics/metrics';
import { HeldFlags } from './heldFlags';
import { SqlParams } from './sqlParams';
import type { TimeFilter } from './types';

const O = OBSERVATION;

/** What to read: the series (offerings) and the row filters shared by all of them. */
export interface SeriesSelection {
  offerings: Offering[];
  time: TimeFilter[];
  /** Allowed quality flags; undefined = all. */
  qc?: number[];
}

/** First and last time of a series inside the selection (ISO UTC). */
export interface SeriesExtent {
  begin: string;
  end: string;
  /** Number of rows, when the encoder asked for it (needsCount). */
  count?: number;
}

interface EncoderBase {
  /** Labels the rows streamed are counted under (reefgate_rows_streamed_total); default SOS GetObservation. */
  readonly metricLabels?: RequestLabels;
  /** When true the driver first reads each series' time extent and skips empty series before starting it. */
  readonly needsExtent?: boolean;
  /** When true the extent also carries the row count (e.g. swe:elementCount before the values). */
  readonly needsCount?: boolean;
  seriesStart(ds: Offering, extent: SeriesExtent | undefined): Promise<void>;
  seriesEnd(ds: Offering): Promise<void>;
}

/**
 * An encoder fed text: `textSql` is the whole output of one row (SQL over alias o, only our constant
 * SQL, never user text). The series is read as strings of up to BATCH rows joined by PostgreSQL
 * (string_agg) and given to text() in order: one driver row per batch instead of one per observation.
 */
export interface TextSeriesEncoder extends EncoderBase {
  readonly textSql: string;
  /**
   * What joins the row texts in that string ('' when absent). Letting the aggregate put it between rows
   * is cheaper for PostgreSQL than one more concatenation per row, and leaves no leading or trailing one.
   */
  readonly textSeparator?: string;
  text(ds: Offering, text: string): Promise<void>;
}

/** An encoder fed rows: `columns` is its select list over alias o (only our constant SQL). */
export interface RowSeriesEncoder extends EncoderBase {
  readonly columns: string;
  /**
   * Time buckets of a downsampling encoder (needs needsExtent). The driver then lets PostgreSQL keep
   * only each bucket's minimum and maximum and the series' first and last rows, so a long series
   * crosses the wire as a few hundred rows; the encoder's own pass over them changes nothing.
   */
  readonly sqlBuckets?: number;
  rows(ds: Offering, rows: unknown[][]): Promise<void>;
}

/**
 * An encoder fed whole columns, for documents that hold a series as parallel arrays (CoverageJSON's
 * time axis and ranges): each series arrives column by column — every batch of column 0 in time order,
 * then every batch of column 1, … — each batch one string aggregated by PostgreSQL. A series of up to
 * MAX_HELD_TEXT_ROWS is read in one scan, the later columns held until their turn; a longer one
 * costs a scan per column but the flags, and memory stays one batch per column (plus a byte a row
 * for a flag column, up to MAX_HELD_FLAGS rows). See streamSeriesColumns for why the columns still
 * hold the same rows.
 */
export interface ColumnSeriesEncoder extends EncoderBase {
  /** The text of one row in each column, SQL over alias o (only our constant SQL). */
  readonly columnSql: readonly string[];
  /** What joins the texts of consecutive rows inside one batch. */
  readonly columnSeparator: string;
  /**
   * A column whose rows are quality flags (smallint text, e.g. `qc::text`): the driver may read it in
   * column 0's scan and hold it, one byte a row, until its turn (streamSeriesColumns), given back as
   * the same text. Needs columnSeparator ','.
   */
  readonly flagColumn?: number;
  /** The next `n` rows of column `k`, joined by columnSeparator. */
  column(ds: Offering, k: number, n: number, text: string): Promise<void>;
  /**
   * Column k (> 0) of the current series as a section fed while column 0 is read and written at its
   * turn (placeColumn), when the output can use that: a gzip response compresses it meanwhile, in
   * parallel with the scan. Undefined: the driver holds the column's text and gives it to column().
   */
  deferColumn?(ds: Offering, k: number): ColumnSection | undefined;
  /** Writes a deferred column (its opening, then the section): in place of column() for every batch of it. */
  placeColumn?(ds: Offering, k: number, section: ColumnSection): Promise<void>;
}

/** A column fed ahead of its turn (ColumnSeriesEncoder.deferColumn). */
export interface ColumnSection {
  /** The next `n` rows, joined by columnSeparator (as column() takes them). */
  add(n: number, text: string): void;
}

/** An encoder of observation series, called back in series order. */
export type SeriesEncoder = TextSeriesEncoder | RowSeriesEncoder | ColumnSeriesEncoder;

function isText(enc: SeriesEncoder): enc is TextSeriesEncoder {
  return 'textSql' in enc;
}

function isColumns(enc: SeriesEncoder): enc is ColumnSeriesEncoder {
  return 'columnSql' in enc;
}

const SOS_LABELS: RequestLabels = { service: 'SOS', operation: 'GetObservation' };

/** Rows per cursor fetch: large batches keep round trips rare; memory stays a few MB. */
const BATCH = 5000;

/**
 * Longest series (stored count) whose flags the column driver holds while the other columns stream
 * (HeldFlags: 1 byte a row, so at most 4 MiB a stream); a longer one scans its flags separately.
 */
const MAX_HELD_FLAGS = 4_000_000;
/**
 * Longest series (stored count) whose other columns (the values) also ride along in column 0's scan,
 * their batch texts held as PostgreSQL sent them until their turn: a value is some 8 characters, so
 * at most about 5 MiB a stream. One scan instead of two halves what PostgreSQL spends on a series;
 * a longer one scans its values separately.
 */
const MAX_HELD_TEXT_ROWS = 600_000;

/** SQL conditions for the filters on the given time column; values are bound through `params`. */
function timeConditions(filters: TimeFilter[], col: string, params: SqlParams): string {
  const out: string[] = [];
  const p = (t: number) => `${params.add(new Date(t).toISOString())}::timestamptz`;
  for (const f of filters) {
    if (f.op === 'During') out.push(`${col} >= ${p(f.start)} AND ${col} <= ${p(f.end)}`);
    else if (f.op === 'TEquals') out.push(`${col} = ${p(f.at)}`);
    else if (f.op === 'After') out.push(`${col} > ${p(f.at)}`);
    else if (f.op === 'Before') out.push(`${col} < ${p(f.at)}`);
  }
  return out.map((c) => ` AND ${c}`).join('');
}

/** The latest/first mode among the filters, if any. */
function pickMode(filters: TimeFilter[]): 'latest' | 'first' | undefined {
  const m = filters.find((f) => f.op === 'latest' || f.op === 'first');
  return m ? (m.op as 'latest' | 'first') : undefined;
}

/** Row filters (time window, quality flags) as SQL conditions on the observation alias; values bound through `params`. */
function rowConditions(sel: SeriesSelection, params: SqlParams): string {
  let sql = timeConditions(sel.time, O.time, params);
  if (sel.qc) sql += ` AND ${O.qc} = ANY(${params.add(sel.qc)}::smallint[])`;
  return sql;
}

/** The selection's count as countObservations gives it, when the stored counts settle it; undefined when only a statement can. */
function countFromCatalogue(sel: SeriesSelection, limit: number): number | undefined {
  if (sel.offerings.length === 0) return 0;
  if (pickMode(sel.time)) return sel.offerings.length;
  // Filters only remove rows: when the stored counts stay within the limit, so does the answer.
  const stored = sel.offerings.reduce((n, o) => n + o.obsCount, 0);
  if (stored <= limit || (sel.time.length === 0 && !sel.qc)) return stored;
  return undefined;
}

/** Number of observations the selection returns, exact up to `limit` (stops counting past it); within the limit, possibly an upper bound from the stored counts. */
export async function countObservations(store: Store, sel: SeriesSelection, limit: number): Promise<number> {
  const known = countFromCatalogue(sel, limit);
  if (known !== undefined) return known;
  const params = new SqlParams();
  const ids = params.add(sel.offerings.map((o) => o.id));
  const cond = rowConditions(sel, params);
  const r = await store.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${O.from} WHERE ${O.datasetId} = ANY(${ids}::int[])${cond} LIMIT ${params.add(limit + 1)}) s`,
    params.values,
  );
  return Number(r.rows[0].n);
}

/** The most observations one answer may hold (a size-bounded format's); a larger answer is refused with refuse()'s error. */
export interface RowLimit {
  max: number;
  refuse(): Error;
}

/**
 * Ids of the selected series that have at least one row under the selection's filters: one statement,
 * an EXISTS probe per series on the primary key (it stops at the first matching row).
 */
export async function seriesWithRows(db: Queryable, sel: SeriesSelection): Promise<Set<number>> {
  if (sel.offerings.length === 0) return new Set();
  const params = new SqlParams();
  const ids = params.add(sel.offerings.map((o) => o.id));
  const cond = rowConditions(sel, params);
  const r = await db.query<{ id: number }>(
    `SELECT d.id FROM unnest(${ids}::int[]) AS d(id) WHERE EXISTS (SELECT 1 FROM observation o WHERE o.dataset_id = d.id${cond})`,
    params.values,
  );
  return new Set(r.rows.map((x) => Number(x.id)));
}

/** Time extent of one series under the selection's filters; undefined when it has no rows. */
async function seriesExtent(store: Store, ds: Offering, sel: SeriesSelection, withCount = false): Promise<SeriesExtent | undefined> {
  const params = new SqlParams();
  const id = params.add(ds.id);
  const cond = rowConditions(sel, params);
  const r = await store.query<{ b: string | null; e: string | null; n: number | null }>(
    `SELECT ${isoSql(`min(${O.time})`)} AS b, ${isoSql(`max(${O.time})`)} AS e, ${withCount ? 'count(*)::int' : 'NULL::int'} AS n FROM ${O.from} WHERE ${O.datasetId} = ${id}${cond}`,
    params.values,
  );
  const row = r.rows[0];
  return row?.b && row.e ? { begin: row.b, end: row.e, count: row.n === null ? undefined : Number(row.n) } : undefined;
}

/**
 * Streams the selected series through the encoder in time order (the primary key is the access path,
 * no sort): as text that PostgreSQL aggregates a batch at a time when the encoder can take it, else row
 * by row from a cursor; for latest/first, one LATERAL query that takes a single row per series. With a
 * `limit`, an answer of more rows is refused (limit.refuse() thrown) before its first row is written.
 */
export async function streamSeries(store: Store, sel: SeriesSelection, enc: SeriesEncoder, signal: AbortSignal, limit?: RowLimit): Promise<void> {
  // The limit is settled before the first row is written (an encoder's begin() stays in its first
  // output chunk, so a refusal is still an error document). A one-series text answer that the stored
  // counts leave open is judged on its first batch, which is the whole answer unless it is full: a
  // month of O&M then costs no count statement (0.3 ms of PostgreSQL's CPU, a third of its share).
  let pending: RowLimit | undefined;
  if (limit) {
    const known = countFromCatalogue(sel, limit.max);
    if (known === undefined && sel.offerings.length === 1 && isText(enc)) pending = limit;
    else if ((known ?? (await countObservations(store, sel, limit.max))) > limit.max) throw limit.refuse();
  }
  const mode = pickMode(sel.time);
  if (mode) return streamOnePerSeries(store, sel, enc, mode, signal);
  for (const ds of sel.offerings) {
    if (signal.aborted) throw new Error('client disconnected');
    if (isText(enc)) await streamSeriesText(store, ds, sel, enc, signal, pending);
    else if (isColumns(enc)) await streamSeriesColumns(store, ds, sel, enc, signal);
    else await streamSeriesRows(store, ds, sel, enc, signal);
  }
}

/**
 * One series as text aggregated by PostgreSQL, BATCH observations per string: the driver handles a
 * string per batch instead of an object per row (on a 172,000-row series that per-row work, most of
 * it garbage collection, was most of Node's time). An answer that fits one batch is one plain query,
 * which also gives the extent; a longer one continues from a cursor whose rows are the next batches.
 */
async function streamSeriesText(store: Store, ds: Offering, sel: SeriesSelection, enc: TextSeriesEncoder, signal: AbortSignal, rowLimit?: RowLimit): Promise<void> {
  const params = new SqlParams();
  const id = params.add(ds.id);
  const cond = rowConditions(sel, params);
  const row = enc.textSql;
  const sep = `${params.add(enc.textSeparator ?? '')}::text`;
  const limit = params.add(BATCH);
  // No ORDER BY inside string_agg: that sorts again (0.15-0.2 ms a month on PostgreSQL 15). The plain
  // Aggregate reads its Limit child in order, and below it the primary-key scan (or a Gather Merge)
  // yields rows by time; the streaming tests compare every path row for row.
  const batch = (after: string) =>
    `SELECT ${O.time} AS tm, ${row} AS l FROM ${O.from} WHERE ${O.datasetId} = ${id}${cond}${after} ORDER BY ${O.time} LIMIT ${limit}`;
  let extent: SeriesExtent | undefined;
  let started = false;
  const start = async () => {
    if (!started) await enc.seriesStart(ds, extent);
    started = true;
  };
  const emit = async (n: number, text: string) => {
    await start();
    rowsStreamed.inc(enc.metricLabels ?? SOS_LABELS, n);
    await enc.text(ds, text);
  };
  let after: string | undefined;
  // Unfiltered, the stored count says whether the series can fit one batch: a long one skips the attempt.
  // A limit left to this series is judged on that first batch, so it is read whenever there is one.
  if (rowLimit || sel.time.length > 0 || sel.qc !== undefined || ds.obsCount < BATCH) {
    // The extent only for encoders that write it (two more aggregates over every row otherwise).
    const ends = enc.needsExtent ? `${isoSql('min(tm)')} AS b, ${isoSql('max(tm)')} AS e` : 'NULL AS b, NULL AS e';
    const r = await store.query<{ n: number; t: string | null; b: string | null; e: string | null; last: string | null }>(
      `SELECT count(*)::int AS n, string_agg(l, ${sep}) AS t, ${ends}, max(tm)::text AS last FROM (${batch('')}) s`,
      params.values,
      // One text per encoder and filter shape: planned once per connection.
      { prepare: true },
    );
    const first = r.rows[0];
    if (!first.n || first.t === null || !first.last) return;
    // Only a full first batch leaves the answer's size open: then it is counted (up to the limit).
    if (rowLimit && (first.n < BATCH ? first.n : await countObservations(store, sel, rowLimit.max)) > rowLimit.max) throw rowLimit.refuse();
    if (first.n < BATCH) {
      if (first.b && first.e) extent = { begin: first.b, end: first.e, count: first.n };
      await emit(first.n, first.t);
      await enc.seriesEnd(ds);
      return;
    }
    if (enc.needsExtent) extent = await seriesExtent(store, ds, sel, enc.needsCount);
    await emit(first.n, first.t);
    after = first.last;
  } else if (enc.needsExtent) {
    extent = await seriesExtent(store, ds, sel, enc.needsCount);
    if (!extent) return;
  }
  // The rest from a cursor over a recursive query: each step takes the next BATCH rows after the last
  // time of the step before (a primary-key range scan) and aggregates them, so a FETCH returns one batch.
  const cp = params.fork();
  const from = after !== undefined ? ` AND ${O.time} > ${cp.add(after)}::timestamptz` : '';
  const sql = `WITH RECURSIVE b(last, n, t) AS (
      SELECT max(tm), count(*)::int, string_agg(l, ${sep}) FROM (${batch(from)}) s
      UNION ALL
      SELECT x.last, x.n, x.t FROM b CROSS JOIN LATERAL
        (SELECT max(tm) AS last, count(*)::int AS n, string_agg(l, ${sep}) AS t FROM (${batch(` AND ${O.time} > b.last`)}) s) x
      WHERE b.n = ${limit})
    SELECT n, t FROM b WHERE n > 0`;
  // Each step is a 5,000-row key range scan; the planner's estimate for the whole recursion grows with
  // the window, and past jit_above_cost (a series over ~270,000 rows) compiling it only adds CPU.
  for await (const batches of readAhead(store.stream<[number, string]>(sql, cp.values, { signal, batchSize: 1, rowMode: 'array', jit: false }))) {
    for (const [n, t] of batches) await emit(Number(n), t);
  }
  if (signal.aborted) throw new Error('client disconnected');
  if (started) await enc.seriesEnd(ds);
}

/**
 * One series column by column. A series that fits one batch is one prepared query aggregating every
 * column over the same rows. A longer one keeps the other columns of that first batch (one batch each)
 * and reads the rest with one cursor statement whose rows are every further batch of column 0, then of
 * column 1, …: one recursive step per scan and batch, each a primary-key range scan after the last
 * time of the step before. The encoder's flag column (flagColumn) rides along in column 0's scan and is
 * held (HeldFlags, one byte a row) until its turn (one scan fewer: the statement's PostgreSQL time on the
 * 172,000-row benchmark series went from 118 to 103 ms, both without JIT), and so do the other columns
 * of a series of at most MAX_HELD_TEXT_ROWS, their batch texts kept as sent: one scan in all. A series
 * whose stored count is over MAX_HELD_FLAGS keeps a scan of its own for the flags, and one over
 * MAX_HELD_TEXT_ROWS for each other column, so what is held stays bounded. One statement
 * is one snapshot, so every column of the rows after the first batch comes from the same rows, and
 * those of the first batch from the first query: an import landing between the two cannot make the
 * columns disagree (observations are never deleted).
 */
async function streamSeriesColumns(store: Store, ds: Offering, sel: SeriesSelection, enc: ColumnSeriesEncoder, signal: AbortSignal): Promise<void> {
  const params = new SqlParams();
  const id = params.add(ds.id);
  const cond = rowConditions(sel, params);
  const sep = `${params.add(enc.columnSeparator)}::text`;
  const limit = params.add(BATCH);
  const width = enc.columnSql.length;
  const labels = enc.metricLabels ?? SOS_LABELS;
  const batch = (cols: string, after: string) => `SELECT ${O.time} AS tm, ${cols} FROM ${O.from} WHERE ${O.datasetId} = ${id}${cond}${after} ORDER BY ${O.time} LIMIT ${limit}`;
  let after: string | undefined;
  /** Columns 1… of the first batch, written once column 0 is complete. */
  let held: string[] = [];
  let heldRows = 0;
  let started = false;
  if (sel.time.length > 0 || sel.qc !== undefined || ds.obsCount < BATCH) {
    const aggs = enc.columnSql.map((_, k) => `string_agg(c${k}, ${sep}) AS t${k}`).join(', ');
    const r = await store.query<Record<string, string | number | null>>(
      `SELECT count(*)::int AS n, max(tm)::text AS last, ${aggs} FROM (${batch(enc.columnSql.map((c, k) => `${c} AS c${k}`).join(', '), '')}) s`,
      params.values,
      { prepare: true },
    );
    const first = r.rows[0];
    const n = Number(first.n);
    if (!n) return;
    await enc.seriesStart(ds, undefined);
    started = true;
    rowsStreamed.inc(labels, n);
    await enc.column(ds, 0, n, String(first.t0));
    held = enc.columnSql.slice(1).map((_, k) => String(first[`t${k + 1}`]));
    heldRows = n;
    if (n < BATCH) {
      for (let k = 1; k < width; k++) await enc.column(ds, k, n, held[k - 1]);
      await enc.seriesEnd(ds);
      return;
    }
    after = String(first.last);
  }
  // The scans of the statement, each the columns it reads: the flags join column 0's (HeldFlags reads
  // and writes comma-joined text). The stored count bounds the rows (a window holds fewer: start small).
  const f = enc.flagColumn ?? -1;
  const flagsRide = f > 0 && f < width && enc.columnSeparator === ',' && ds.obsCount <= MAX_HELD_FLAGS;
  let flags: HeldFlags | undefined;
  // The other columns' batch texts, by column, when the series is short enough to hold them.
  const kept = new Map<number, [number, string][]>();
  // Columns riding along in column 0's scan that the output takes as sections (gzip: compressed during
  // the scan, where held texts were compressed alone after it); fed instead of kept (or HeldFlags).
  const sections = new Map<number, ColumnSection>();
  const scans: number[][] = [[0]];
  for (let k = 1; k < width; k++) {
    if ((flagsRide && k === f) || ds.obsCount <= MAX_HELD_TEXT_ROWS) {
      scans[0].push(k);
      const section = enc.deferColumn?.(ds, k);
      if (section) {
        sections.set(k, section);
        if (heldRows > 0) section.add(heldRows, held[k - 1]);
        held[k - 1] = '';
      } else if (flagsRide && k === f) flags = new HeldFlags(Math.min(ds.obsCount, 1 << 18));
      else kept.set(k, []);
    } else scans.push([k]);
  }
  const cp = params.fork();
  const from = after !== undefined ? ` AND ${O.time} > ${cp.add(after)}::timestamptz` : '';
  const steps = scans.map((cols, s) => {
    const select = cols.map((k, j) => `${enc.columnSql[k]} AS c${j}`).join(', ');
    const names = cols.map((_, j) => `t${j}`).join(', ');
    const aggs = cols.map((_, j) => `string_agg(c${j}, ${sep}) AS t${j}`).join(', ');
    return `b${s}(last, n, ${names}) AS (
      SELECT max(tm), count(*)::int, ${aggs} FROM (${batch(select, from)}) s
      UNION ALL
      SELECT x.last, x.n, ${cols.map((_, j) => `x.t${j}`).join(', ')} FROM b${s} CROSS JOIN LATERAL
        (SELECT max(tm) AS last, count(*)::int AS n, ${aggs} FROM (${batch(select, ` AND ${O.time} > b${s}.last`)}) s) x
      WHERE b${s}.n = ${limit})`;
  });
  const most = Math.max(...scans.map((c) => c.length));
  const outputs = scans.map((cols, s) => `SELECT ${s} AS k, n, ${Array.from({ length: most }, (_, j) => (j < cols.length ? `t${j}` : 'NULL::text')).join(', ')} FROM b${s} WHERE n > 0`);
  const sql = `WITH RECURSIVE ${steps.join(',\n    ')}
    ${outputs.join('\n    UNION ALL ')}`;
  let k = 0;
  /** Writes column k + 1's held part: the first batch's text (and the batches kept since), or for the flags every row read so far. */
  const nextColumn = async () => {
    k++;
    const section = sections.get(k);
    if (section) {
      sections.delete(k);
      await enc.placeColumn!(ds, k, section);
      return;
    }
    if (flags && k === f) {
      for (let i = 0; i < flags.length; i += BATCH) {
        const end = Math.min(flags.length, i + BATCH);
        await enc.column(ds, k, end - i, flags.text(i, end));
      }
      return;
    }
    if (heldRows > 0) await enc.column(ds, k, heldRows, held[k - 1]);
    const batches = kept.get(k);
    if (!batches) return;
    // Released batch by batch as written.
    for (let i = 0; i < batches.length; i++) {
      const [n, t] = batches[i];
      batches[i] = [0, ''];
      await enc.column(ds, k, n, t);
    }
  };
  // The first batch's flags come first: parse them now, before the rows after it.
  if (flags && heldRows > 0) {
    flags.add(held[f - 1]);
    held[f - 1] = '';
  }
  // Three batches per fetch: a column batch is smaller than a text encoder's row (one value, not a whole
  // row), and a fetch is a round trip for every one of them. No JIT: two or three scans of a long series
  // pass jit_above_cost, and compiling (20-60 ms of PostgreSQL's time on the 172,000-row benchmark
  // series, before the first row) saved nothing on the plain expressions of these scans.
  const rows = store.stream<[number, number, ...string[]]>(sql, cp.values, { signal, batchSize: 3, rowMode: 'array', jit: false });
  for await (const batches of readAhead(rows)) {
    for (const [s, n, t, ...rest] of batches) {
      if (!started) {
        await enc.seriesStart(ds, undefined);
        started = true;
      }
      const col = scans[Number(s)][0];
      while (k < col) await nextColumn();
      if (k === 0) {
        rowsStreamed.inc(labels, Number(n));
        const cols = scans[0];
        for (let j = 1; j < cols.length; j++) {
          const section = sections.get(cols[j]);
          if (section) section.add(Number(n), rest[j - 1]);
          else if (flags && cols[j] === f) flags.add(rest[j - 1]);
          else kept.get(cols[j])!.push([Number(n), rest[j - 1]]);
        }
      }
      await enc.column(ds, k, Number(n), t);
    }
  }
  if (signal.aborted) throw new Error('client disconnected');
  if (!started) return;
  while (k < width - 1) await nextColumn();
  await enc.seriesEnd(ds);
}

/** One series row by row from a cursor (encoders without a text form: downsampling). */
async function streamSeriesRows(store: Store, ds: Offering, sel: SeriesSelection, enc: RowSeriesEncoder, signal: AbortSignal): Promise<void> {
  const params = new SqlParams();
  const id = params.add(ds.id);
  const cond = rowConditions(sel, params);
  const rowsSql = `FROM ${O.from} WHERE ${O.datasetId} = ${id}${cond}`;
  let extent: SeriesExtent | undefined;
  if (enc.needsExtent) {
    extent = await seriesExtent(store, ds, sel, enc.needsCount);
    if (!extent) return;
  }
  const bucketed = enc.sqlBuckets && extent ? bucketExtremesSql(enc.columns, rowsSql, extent, enc.sqlBuckets, params) : null;
  const sql = bucketed ?? `SELECT ${enc.columns} ${rowsSql} ORDER BY ${O.time}`;
  const batches = readAhead(store.stream<unknown[]>(sql, params.values, { signal, batchSize: BATCH, rowMode: 'array' }));
  let started = false;
  for await (const rows of batches) {
    if (!started) {
      await enc.seriesStart(ds, extent);
      started = true;
    }
    rowsStreamed.inc(enc.metricLabels ?? SOS_LABELS, rows.length);
    await enc.rows(ds, rows);
  }
  if (signal.aborted) throw new Error('client disconnected');
  if (started) await enc.seriesEnd(ds);
}

async function streamOnePerSeries(store: Store, sel: SeriesSelection, enc: SeriesEncoder, mode: 'latest' | 'first', signal: AbortSignal): Promise<void> {
  if (sel.offerings.length === 0) return;
  const byId = new Map(sel.offerings.map((o) => [o.id, o]));
  const params = new SqlParams();
  const ids = params.add(sel.offerings.map((o) => o.id));
  const cond = rowConditions({ ...sel, time: sel.time.filter((f) => f.op !== 'latest' && f.op !== 'first') }, params);
  // One query for every series: each LATERAL probe walks the (dataset_id, time) primary key from one end.
  // The probe's row keeps the observation alias, so the encoder's row SQL reads it as it reads the table.
  const select = isText(enc) ? enc.textSql : isColumns(enc) ? enc.columnSql.join(', ') : enc.columns;
  const sql = `SELECT ${DATASET.id}, ${isoSql(O.time)}, ${select}
    FROM ${DATASET.from}
    CROSS JOIN LATERAL (SELECT ${O.time}, ${O.value}, ${O.qc} FROM ${O.from} WHERE ${O.datasetId} = ${DATASET.id}${cond}
                        ORDER BY ${O.time} ${mode === 'latest' ? 'DESC' : 'ASC'} LIMIT 1) ${O.alias}
    WHERE ${DATASET.id} = ANY(${ids}::int[]) ORDER BY ${DATASET.code}`;
  for await (const rows of store.stream<unknown[]>(sql, params.values, { signal, batchSize: BATCH, rowMode: 'array' })) {
    rowsStreamed.inc(enc.metricLabels ?? SOS_LABELS, rows.length);
    for (const row of rows) {
      const ds = byId.get(Number(row[0]));
      if (!ds) continue;
      const t = String(row[1]);
      await enc.seriesStart(ds, { begin: t, end: t, count: 1 });
      if (isText(enc)) await enc.text(ds, String(row[2]));
      else if (isColumns(enc)) for (let k = 0; k < enc.columnSql.length; k++) await enc.column(ds, k, 1, String(row[2 + k]));
      else await enc.rows(ds, [row.slice(2)]);
      await enc.seriesEnd(ds);
    }
  }
}

/**
 * Iterates a batch stream one batch ahead: the next fetch runs in PostgreSQL while the caller
 * encodes and writes the current batch (at most two batches in memory).
 */
async function* readAhead<T>(source: AsyncIterable<T>): AsyncIterable<T> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  next.catch(() => undefined);
  try {
    for (;;) {
      const r = await next;
      if (r.done) return;
      next = it.next();
      next.catch(() => undefined);
      yield r.value;
    }
  } finally {
    // Let a fetch still in flight settle, then close the source (cursor, connection).
    await next.catch(() => undefined);
    await it.return?.();
  }
}

/**
 * The rows a min/max downsampler keeps, selected in SQL: per time bucket the first minimum and the
 * first maximum (nulls ignored), plus the series' first and last rows (the extent's times), in time
 * order. Bucket k of a row is floor((t - t0) * n / span) in exact integer milliseconds, the same
 * formula as bucketOf(). When that product could exceed 2^53 (JavaScript's exact range) the answer
 * is null: the caller streams every row and the encoder does all the work.
 */
export function bucketExtremesSql(columns: string, rowsSql: string, extent: SeriesExtent, buckets: number, params: SqlParams): string | null {
  const t0 = Date.parse(extent.begin);
  const span = Date.parse(extent.end) - t0 + 1;
  if (span * buckets >= Number.MAX_SAFE_INTEGER) return null;
  const [a, b, n, first, last] = [t0, span, buckets, extent.begin, extent.end].map((v) => params.add(v));
  const k = `least(${n}::bigint - 1, ((floor(date_part('epoch', ${O.time}) * 1000)::bigint - ${a}::bigint) * ${n}::bigint) / ${b}::bigint)`;
  // The subquery takes the observation alias, so the encoder's columns read its rows as they read the table.
  const [rmin, rmax] = [`${O.alias}.rmin`, `${O.alias}.rmax`];
  return `SELECT ${columns} FROM (
      SELECT ${O.time}, ${O.value}, ${O.qc},
        row_number() OVER (PARTITION BY ${k} ORDER BY ${O.value} ASC NULLS LAST, ${O.time}) AS rmin,
        row_number() OVER (PARTITION BY ${k} ORDER BY ${O.value} DESC NULLS LAST, ${O.time}) AS rmax
      ${rowsSql}) ${O.alias}
    WHERE ((${rmin} = 1 OR ${rmax} = 1) AND ${O.value} IS NOT NULL) OR ${O.time} = ${first}::timestamptz OR ${O.time} = ${last}::timestamptz
    ORDER BY ${O.time}`;
}

/** Availability of one series under a time filter: its phenomenon time extent and observation count. */
export interface SeriesAvailability {
  begin: string;
  end: string;
  count: number;
}

/** Per dataset id, the extent and count of the rows inside the time filter; series without such rows are absent. */
export async function availability(db: Queryable, offerings: Offering[], time: TimeFilter[]): Promise<Map<number, SeriesAvailability>> {
  if (offerings.length === 0) return new Map();
  const params = new SqlParams();
  const ids = params.add(offerings.map((o) => o.id));
  const cond = rowConditions({ offerings, time }, params);
  const r = await db.query<{ id: number; b: string; e: string; n: number }>(
    `SELECT ${O.datasetId} AS id, ${isoSql(`min(${O.time})`)} AS b, ${isoSql(`max(${O.time})`)} AS e, count(*)::int AS n
     FROM ${O.from} WHERE ${O.datasetId} = ANY(${ids}::int[])${cond} GROUP BY ${O.datasetId}`,
    params.values,
  );
  return new Map(r.rows.map((x) => [Number(x.id), { begin: x.b, end: x.e, count: Number(x.n) }]));
}

/**
 * The rows of one series named by whole epoch seconds (observation ids are truncated epochs, like the
 * times written), as one string of `rowSql` texts joined by `separator`; null when none exists.
 * Bounded by the caller (at most 1,000 ids): one query, its rows joined by PostgreSQL.
 */
export async function observationsAtSeconds(db: Queryable, datasetId: number, epochs: number[], rowSql: string, separator: string): Promise<string | null> {
  const params = new SqlParams();
  const [id, es, sep] = [params.add(datasetId), params.add(epochs), params.add(separator)];
  const r = await db.query<{ t: string | null }>(
    `SELECT string_agg(l, ${sep}::text) AS t FROM (SELECT ${rowSql} AS l FROM (SELECT DISTINCT e FROM unnest(${es}::bigint[]) e) i
       JOIN ${O.from} ON ${O.datasetId} = ${id} AND ${O.time} >= to_timestamp(i.e) AND ${O.time} < to_timestamp(i.e + 1) ORDER BY ${O.time}) s`,
    params.values,
  );
  return r.rows[0]?.t ?? null;
}

/** Every row of one series as [Unix seconds (float8: exact to the microsecond for our range), value, qc], in time order. */
export function seriesRows(store: Store, datasetCode: string, opts: StreamOptions): AsyncIterable<[number, number | null, number][]> {
  const params = new SqlParams();
  const code = params.add(datasetCode);
  return store.stream<[number, number | null, number]>(
    `SELECT extract(epoch FROM time)::float8, value, qc FROM ${OBSERVATION.table} WHERE dataset_id = (SELECT id FROM dataset WHERE code = ${code}) ORDER BY time`,
    params.values,
    { ...opts, rowMode: 'array' },
  );
}
