import { sharedStore } from '../data/requestStore';
import type { Store } from '../data/store';
import { isoUtc, MAX_INSTANT, MIN_INSTANT } from '../util/time';
import { applyChange, CHANGES_CHANNEL } from './changes';
import { ImportError } from './validate';
import { ingest, IngestSource, IngestSummary } from './writer';

/*
 * Observations-only writes (SOS InsertObservation and InsertResult) in one round trip: the rules of the
 * one write path (writer.ts) as one PostgreSQL function, reefgate_write_observations (schemas/005), called
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

/** (dataset, time) keys of a request: dataset id → time → row. */
type Keys = Map<number, Map<number, number>>;

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

const WRITE = `SELECT reefgate_write_observations($1::text[], $2::int[], $3::int[], $4::int[], $5::int8[], $6::float8[], $7::int2[], $8) AS r`;

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

function overlaps(a: Keys, b: Keys): boolean {
  for (const [id, times] of b) {
    const other = a.get(id);
    if (!other) continue;
    const [small, large] = other.size < times.size ? [other, times] : [times, other];
    for (const t of small.keys()) if (large.has(t)) return true;
  }
  return false;
}

/** One statement for the group; each request is answered with its own outcome. */
async function runGroup(store: Store, group: Pending[]): Promise<void> {
  const reqs: number[] = [];
  const ids: number[] = [];
  const times: number[] = [];
  const values: (number | null)[] = [];
  const qcs: number[] = [];
  group.forEach((p, k) => {
    const r = p.rows;
    for (let i = 0; i < r.times.length; i++) {
      reqs.push(k + 1);
      ids.push(r.datasetIds[i]);
      times.push(r.times[i]);
      values.push(r.values[i]);
      qcs.push(r.qcs[i]);
    }
  });
  let results: GroupResult[];
  try {
    const db = store.forWrites?.() ?? store;
    const res = await db.query<{ r: GroupResult[] }>(
      WRITE,
      [group.map((p) => p.source.description), arrayLiteral([...new Set(group.flatMap((p) => [...p.keys.keys()]))]), arrayLiteral(reqs), arrayLiteral(ids), arrayLiteral(times), arrayLiteral(values), arrayLiteral(qcs), CHANGES_CHANNEL],
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
 * A PostgreSQL array literal of numbers (null → NULL): one join, where the driver would convert every
 * element of a 10,000-row InsertResult on its own. Only numbers reach it: no quoting is needed.
 */
function arrayLiteral(xs: (number | null)[]): string {
  return `{${xs.map((x) => (x === null ? 'NULL' : String(x))).join(',')}}`;
}

/**
 * Checks every row as IngestBatch.addObservations does and returns the rows' (dataset, time) keys (with
 * each one's row); a (dataset, time) given twice is refused. Errors name line lines[row] (default row + 1).
 */
function checkColumns(r: ObservationColumns, file: string, lines?: number[]): Keys {
  const keys: Keys = new Map();
  const n = r.times.length;
  if (r.datasetIds.length !== n || r.values.length !== n || r.qcs.length !== n) throw new Error('observation columns of different lengths');
  for (let i = 0; i < n; i++) {
    const at = lines?.[i] ?? i + 1;
    const id = r.datasetIds[i], time = r.times[i], value = r.values[i], qc = r.qcs[i];
    if (!Number.isInteger(id)) throw new ImportError(file, at, 'dataset_id', 'unknown dataset');
    if (!Number.isSafeInteger(time) || time < MIN_INSTANT || time > MAX_INSTANT) throw new ImportError(file, at, 'time', 'time outside years 0001-9999');
    if (value !== null && !Number.isFinite(value)) throw new ImportError(file, at, 'value', `not a finite number: ${value}`);
    if (!Number.isInteger(qc) || qc < 0 || qc > 9) throw new ImportError(file, at, 'qc', `quality flag must be a digit 0-9: ${qc}`);
    let seen = keys.get(id);
    if (!seen) keys.set(id, (seen = new Map()));
    const first = seen.get(time);
    if (first !== undefined) throw new ImportError(file, at, 'time', `duplicate observation at ${isoUtc(time)} in one request (first at ${lines?.[first] ?? first + 1})`);
    seen.set(time, i);
  }
  return keys;
}
