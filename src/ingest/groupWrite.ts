import { sharedStore } from '../data/requestStore';
import type { Store } from '../data/store';
import { isoUtc, MAX_INSTANT, MIN_INSTANT } from '../util/time';
import { applyChange, CHANGES_CHANNEL } from './changes';
import { ImportError } from './validate';
import { ingest, IngestSource, IngestSummary, TimeSpan } from './writer';

/*
 * Observations-only writes (SOS InsertObservation and InsertResult) in one round trip: the rules of the
 * one write path (writer.ts) as one PostgreSQL function, reefgate_write_observations (schemas/006), called
 * as one autocommit statement. Requests that arrive while this process has WRITES_IN_FLIGHT such
 * statements running wait, and go together in the next one: each keeps its own run and is written all
 * or nothing, but they share one commit. Changing runs end under the updateSequence lock until commit, so
 * with one commit per request every request waited for its own WAL flush, one after another (about 190
 * requests/s on this machine's disk); a group pays one flush.
 * The embedded store (one process, transactions one at a time) takes the transaction of writer.ts.
 */

/** Statements of grouped writes running at once per process; later requests queue and form the next groups. */
const WRITES_IN_FLIGHT = 2;
/** Rows of one group at most (one request may have more, alone: SOS InsertResult checks the bound). */
const GROUP_ROWS = 100_000;
/** Requests of one group at most. */
const GROUP_REQUESTS = 64;

/** Observations as columns, one entry per row (what an SOS-T request parses into). */
export interface ObservationColumns {
  /** Dataset ids (only datasets the writer may change: the caller checked the networks). */
  datasetIds: number[];
  /** Epoch milliseconds. */
  times: number[];
  /** null: a missing value. */
  values: (number | null)[];
  qcs: number[];
}

/** A request's rows of one dataset: their time range, and their times as a set once needed. */
interface DatasetRows {
  min: number;
  max: number;
  /** Row indexes into times. */
  rows: number[];
  times: number[];
  set?: Set<number>;
}

/** A request's (dataset, time) keys, by dataset. */
type Keys = Map<number, DatasetRows>;

/** A request's part of a group: its checked rows, their (dataset, time) keys, and its caller. */
interface Pending {
  source: IngestSource;
  rows: ObservationColumns;
  keys: Keys;
  file: string;
  t0: number;
  resolve: (s: IngestSummary) => void;
  reject: (e: unknown) => void;
}

interface GroupResult {
  runId?: number;
  inserted?: number;
  corrected?: number;
  datasets?: number[];
  gone?: number;
}

/** The queue of one shared store. */
interface Queue {
  waiting: Pending[];
  running: number;
}

const queues = new WeakMap<object, Queue>();

// The FROM item runs first (a volatile function keeps its subquery from being flattened): the yearly
// partitions the rows need exist before the write, in the same round trip (schemas/007; nothing on a plain table).
const WRITE = `SELECT reefgate_write_observations($1::text[], $2::int[], $3::int[], $4::int[], $5::int8[], $6::int8[], $7::int[], $8::int[], $9::int8[], $10::float8[], $11::int2[], $12) AS r
  FROM (SELECT observation_ensure_partitions($13::int[])) AS partitions`;

/**
 * Writes observations as one run (all or nothing; see writer.ts for the rules), grouped with other
 * requests' writes of this process under one commit. A row the writer refuses throws ImportError
 * (line = lines[row], by default its 1-based row), before anything is sent; a dataset deleted meanwhile, ImportError at line 0.
 */
export async function writeObservations(store: Store, source: IngestSource, rows: ObservationColumns, file = 'request', lines?: number[]): Promise<IngestSummary> {
  const keys = checkColumns(rows, file, lines);
  if (store.kind !== 'postgres') {
    return ingest(store, source, (b) =>
      b.addObservations(
        rows.times.map((time, i) => ({ datasetId: rows.datasetIds[i], time, value: rows.values[i], qc: rows.qcs[i] })),
        file,
      ),
    );
  }
  // The shared store: a request that goes away must not cancel a statement that writes others' requests too.
  const shared = sharedStore(store) as Store;
  let q = queues.get(shared);
  if (!q) queues.set(shared, (q = { waiting: [], running: 0 }));
  const queue = q;
  return new Promise<IngestSummary>((resolve, reject) => {
    queue.waiting.push({ source, rows, keys, file, t0: Date.now(), resolve, reject });
    pump(shared, queue);
  });
}

/** Starts groups while fewer than WRITES_IN_FLIGHT run. */
function pump(store: Store, q: Queue): void {
  while (q.running < WRITES_IN_FLIGHT && q.waiting.length) {
    const group = takeGroup(q.waiting);
    q.running++;
    void runGroup(store, group).finally(() => {
      q.running--;
      pump(store, q);
    });
  }
}

/**
 * The longest run of waiting requests, in arrival order, within the bounds and with no (dataset, time)
 * in two of them (the function's merge sees each key once); the first is always taken.
 */
function takeGroup(waiting: Pending[]): Pending[] {
  const group = [waiting[0]];
  let rows = waiting[0].rows.times.length;
  let n = 1;
  while (n < waiting.length && group.length < GROUP_REQUESTS) {
    const p = waiting[n];
    if (rows + p.rows.times.length > GROUP_ROWS || group.some((g) => overlaps(g.keys, p.keys))) break;
    group.push(p);
    rows += p.rows.times.length;
    n++;
  }
  waiting.splice(0, n);
  return group;
}

/** Whether two requests share a (dataset, time): time ranges first, sets only where ranges meet. */
function overlaps(a: Keys, b: Keys): boolean {
  for (const [id, x] of b) {
    const y = a.get(id);
    if (!y || y.max < x.min || x.max < y.min) continue;
    const [small, large] = x.rows.length < y.rows.length ? [x, y] : [y, x];
    const set = timeSet(large);
    for (const i of small.rows) if (set.has(small.times[i])) return true;
  }
  return false;
}

function timeSet(d: DatasetRows): Set<number> {
  return (d.set ??= new Set(d.rows.map((i) => d.times[i])));
}

/** One statement for the group; each request is answered with its own outcome. */
async function runGroup(store: Store, group: Pending[]): Promise<void> {
  // Each column as one array literal, request after request: no copy of the rows into group arrays.
  const column = (f: (p: Pending, k: number) => string) => `{${group.map(f).filter(Boolean).join(',')}}`;
  // Per (request, dataset): rows, first and last time (the function's append test and counts).
  const stats: [number[], number[], number[], number[], number[]] = [[], [], [], [], []];
  group.forEach((p, k) => {
    for (const [id, d] of p.keys) {
      stats[0].push(k + 1);
      stats[1].push(id);
      stats[2].push(d.rows.length);
      stats[3].push(d.min);
      stats[4].push(d.max);
    }
  });
  const span = new TimeSpan();
  for (const p of group) for (const t of p.rows.times) span.add(t);
  let results: GroupResult[];
  try {
    const db = store.forWrites?.() ?? store;
    const res = await db.query<{ r: GroupResult[] }>(
      WRITE,
      [
        group.map((p) => p.source.description),
        ...stats.map((a) => `{${a.join(',')}}`),
        column((p, k) => `${k + 1},`.repeat(p.rows.times.length).slice(0, -1)),
        column((p) => p.rows.datasetIds.join(',')),
        column((p) => p.rows.times.join(',')),
        // join() writes null as an empty element, which PostgreSQL's array input refuses: NULL is spelled out.
        column((p) => p.rows.values.map((v) => (v === null ? 'NULL' : v)).join(',')),
        column((p) => p.rows.qcs.join(',')),
        CHANGES_CHANNEL,
        `{${span.years.join(',')}}`,
      ],
      { prepare: true },
    );
    results = res.rows[0].r;
  } catch (err) {
    for (const p of group) p.reject(err);
    return;
  }
  // This process sees the change at once (other replicas through the group's NOTIFY): one change for the group.
  const touched = new Set<number>();
  let lastRun = 0;
  for (const r of results) {
    if (!r.inserted && !r.corrected) continue;
    for (const id of r.datasets ?? []) touched.add(id);
    lastRun = r.runId!;
  }
  if (lastRun) applyChange(store, { runId: lastRun, datasets: [...touched], catalogue: false });
  group.forEach((p, k) => {
    const r = results[k];
    if (r.gone !== undefined) {
      // Line 0: no one row is at fault.
      p.reject(new ImportError(p.file, 0, 'dataset_id', `dataset ${r.gone} no longer exists (its sensor was deleted meanwhile)`));
      return;
    }
    const inserted = r.inserted ?? 0;
    const corrected = r.corrected ?? 0;
    const read = p.rows.times.length;
    const changed = inserted + corrected > 0;
    p.resolve({
      runId: r.runId!,
      stations: { read: 0, written: 0 },
      datasets: { read: 0, written: 0 },
      observedProperties: { read: 0, written: 0 },
      observations: { read, inserted, corrected, unchanged: read - inserted - corrected, written: inserted + corrected },
      changed,
      seconds: (Date.now() - p.t0) / 1000,
    });
  });
}

/**
 * Checks every row as IngestBatch.addObservations does and returns the rows' (dataset, time) keys; a
 * (dataset, time) given twice is refused. Errors name line lines[row] (default row + 1). Times that grow
 * within each dataset (the usual case) cannot repeat: only the others are compared.
 */
function checkColumns(r: ObservationColumns, file: string, lines?: number[]): Keys {
  const keys: Keys = new Map();
  const unordered = new Set<DatasetRows>();
  const n = r.times.length;
  const line = (i: number) => lines?.[i] ?? i + 1;
  if (r.datasetIds.length !== n || r.values.length !== n || r.qcs.length !== n) throw new Error('observation columns of different lengths');
  for (let i = 0; i < n; i++) {
    const at = line(i);
    const id = r.datasetIds[i], time = r.times[i], value = r.values[i], qc = r.qcs[i];
    if (!Number.isInteger(id)) throw new ImportError(file, at, 'dataset_id', 'unknown dataset');
    if (!Number.isSafeInteger(time) || time < MIN_INSTANT || time > MAX_INSTANT) throw new ImportError(file, at, 'time', 'time outside years 0001-9999');
    if (value !== null && !Number.isFinite(value)) throw new ImportError(file, at, 'value', `not a finite number: ${value}`);
    if (!Number.isInteger(qc) || qc < 0 || qc > 9) throw new ImportError(file, at, 'qc', `quality flag must be a digit 0-9: ${qc}`);
    const d = keys.get(id);
    if (!d) keys.set(id, { min: time, max: time, rows: [i], times: r.times });
    else {
      if (time > d.max) d.max = time;
      else {
        if (time < d.min) d.min = time;
        unordered.add(d);
      }
      d.rows.push(i);
    }
  }
  // The first row (in request order) repeating an earlier one.
  let dup: { row: number; first: number } | undefined;
  for (const d of unordered) {
    const seen = new Map<number, number>();
    for (const i of d.rows) {
      const first = seen.get(r.times[i]);
      if (first !== undefined) {
        if (!dup || i < dup.row) dup = { row: i, first };
        break;
      }
      seen.set(r.times[i], i);
    }
  }
  if (dup) throw new ImportError(file, line(dup.row), 'time', `duplicate observation at ${isoUtc(r.times[dup.row])} in one request (also at ${line(dup.first)})`);
  return keys;
}
