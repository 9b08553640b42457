import type { QueryResult, Session, Store } from '../data/store';
import type { Sql } from '../query/sqlParams';
import { isoUtc, MAX_INSTANT, MIN_INSTANT } from '../util/time';
import { applyChange, changePayload, CHANGES_CHANNEL, DataChange } from './changes';
import * as sql from './importSql';
import { CF_VOCABULARY, DatasetRow, ImportError, ImportForbiddenError, StationRow } from './validate';

/*
 * The one write path. The CLI import, HTTP push, SOS-T and MQTT all hand checked rows to ingest(), which
 * writes them in one transaction, all or nothing, with these rules:
 * - an observation already stored with the same value and qc changes nothing (counted unchanged);
 * - a different value or qc for a stored (dataset, time) replaces it and is recorded in
 *   observation_correction (counted corrected);
 * - datasets' counts, extents and last change, and the updateSequence (the run's finished_at), are
 *   brought up to date in the same transaction;
 * - at commit every gateway drops its cached catalogue (changes.ts: NOTIFY, and at once in this process).
 */

/**
 * Up to this many staged rows (an InsertResult request, a small import) the datasets' counts and extents
 * are updated from the inserted rows; beyond, by a recount of their stored rows, which costs the size of
 * the series (an InsertResult block of 10,000 into a series of 40,000 read all of them) but is cheaper than
 * returning millions of inserted keys.
 */
const SMALL_STAGE = 100_000;

/** Who writes, as far as the run and the rules need to know. */
export interface IngestSource {
  /** Recorded as the run's source: a directory, "POST /ingest (key 1a2b3c4d)", an MQTT client… */
  description: string;
  /** Networks this writer may change (an API key limited to networks); undefined = all. */
  networks?: ReadonlySet<string>;
}

/** What happened to the observations of one run. */
export interface ObservationCounts {
  read: number;
  inserted: number;
  corrected: number;
  unchanged: number;
  /** inserted + corrected. */
  written: number;
}

export interface IngestSummary {
  runId: number;
  stations: { read: number; written: number };
  datasets: { read: number; written: number };
  /** Distinct property codes in the datasets given; written = properties created or relabelled. */
  observedProperties: { read: number; written: number };
  observations: ObservationCounts;
  /** UTC years of the observations merged (on a partitioned table, the partitions written); set by ingest() runs. */
  years?: number[];
  changed: boolean;
  seconds: number;
}

/** One observation for addObservations (a parsed SOS-T or MQTT observation). */
export interface ObservationInput {
  /** From IngestBatch.datasetIds(): only datasets the writer may change are there. */
  datasetId: number;
  /** Epoch milliseconds. */
  time: number;
  value: number | null;
  qc: number;
}

/** Dataset ids by code; codes the writer's networks exclude are listed apart, with their network. */
export interface DatasetIds {
  ids: Map<string, number>;
  forbidden: Map<string, string>;
}

/** Writes one run in one transaction (all or nothing) and applies its change everywhere; see the module comment. */
export async function ingest(store: Store, source: IngestSource, work: (batch: IngestBatch) => Promise<void>): Promise<IngestSummary> {
  const t0 = Date.now();
  const { summary, change } = await store.transaction(async (s) => {
    // STATEMENT_TIMEOUT_MS bounds request queries; a bulk COPY of millions of rows on a busy server may
    // legitimately run longer (it was cut at 5.4M of 7.6M rows under load), and an HTTP push's COPY lasts
    // as long as its upload (bounded by the route's idle timeout instead).
    await s.exec(sql.RUN_SETTINGS);
    const runId = (await run<{ id: number }>(s, sql.startRun(source.description))).rows[0].id;
    const batch = new IngestBatch(s, runId, source);
    await work(batch);
    const summary = batch.summary((Date.now() - t0) / 1000);
    const o = summary.observations;
    const change: DataChange = { runId, datasets: [...batch.touched], catalogue: batch.catalogueChanged };
    const counts = { stations: summary.stations.written, datasets: summary.datasets.written, observationsRead: o.read, observationsInserted: o.inserted, observationsCorrected: o.corrected, changed: summary.changed };
    if (summary.changed && store.kind === 'postgres' && s.commitWith) {
      // Changing runs commit one at a time (the updateSequence lock): all that follows the lock goes in one
      // script with the COMMIT. The NOTIFY is delivered by PostgreSQL at commit, and only then, to every listening replica.
      await run(s, sql.recordChangingRun(runId, counts, changePayload(change)));
      await s.commitWith(sql.changingRunEnd(CHANGES_CHANNEL));
      return { summary, change };
    }
    if (summary.changed) await run(s, sql.lockSequence());
    await run(s, sql.finishRun(runId, counts));
    return { summary, change };
  });
  // This process sees the change at once, whatever the store (the embedded one has no other process).
  if (summary.changed) applyChange(store, change);
  return { ...summary, seconds: (Date.now() - t0) / 1000 };
}

/** The writes of one run, inside its transaction. */
export class IngestBatch {
  private stationsRead = 0;
  private stationsWritten = 0;
  private datasetsRead = 0;
  private datasetsWritten = 0;
  private readonly propertiesRead = new Set<string>();
  private readonly propertiesWritten = new Set<string>();
  private readonly obs = { read: 0, inserted: 0, corrected: 0 };
  /** Datasets whose observations changed. */
  readonly touched = new Set<number>();
  private readonly years = new Set<number>();
  private staged = false;

  constructor(private readonly s: Session, readonly runId: number, private readonly source: IngestSource) {}

  /** Stations, networks, producers or datasets were written. */
  get catalogueChanged(): boolean {
    return this.stationsWritten + this.datasetsWritten + this.propertiesWritten.size > 0;
  }

  /** Creates or updates stations (and their networks and producers) where they differ. */
  async upsertStations(rows: StationRow[], file = 'stations.csv'): Promise<void> {
    for (const r of rows) {
      this.mayWrite(r.network, file, r.line, 'network', `station "${r.code}"`);
      if (this.source.networks) {
        const now = await run<{ network: string }>(this.s, sql.stationNetwork(r.code));
        if (now.rows.length) this.mayWrite(now.rows[0].network, file, r.line, 'station_id', `station "${r.code}"`);
      }
      await run(this.s, sql.insertNetwork(r.network));
      if (r.producer) await run(this.s, sql.insertOrganisation(r.producer));
      const res = await run(this.s, sql.upsertStation({ ...r, producer: r.producer || null }));
      this.stationsWritten += res.rowCount;
    }
    this.stationsRead += rows.length;
  }

  /** Creates or updates datasets, with the observed properties and sensors they name; each kind is counted on its own. */
  async upsertDatasets(rows: DatasetRow[], file = 'datasets.csv'): Promise<void> {
    const existing = this.source.networks ? await this.datasetIds() : undefined;
    for (const r of rows) {
      this.propertiesRead.add(r.property);
      const st = await run<{ id: number; code: string }>(this.s, sql.stationByCode(r.station));
      if (!st.rows.length) throw new ImportError(file, r.line, 'station_id', `unknown station "${r.station}" (not in stations.csv nor in the database)`);
      if (existing) {
        const net = (await run<{ network: string }>(this.s, sql.stationNetwork(r.station))).rows[0].network;
        this.mayWrite(net, file, r.line, 'station_id', `dataset "${r.code}"`);
        const was = existing.forbidden.get(r.code);
        if (was !== undefined) this.mayWrite(was, file, r.line, 'dataset_id', `dataset "${r.code}"`);
      }
      const stationId = st.rows[0].id;
      const prop = await run<{ id: number; standard_name: string; uom: string }>(this.s, sql.propertyByCode(r.property));
      if (prop.rows.length && (prop.rows[0].standard_name !== r.standardName || prop.rows[0].uom !== r.uom)) {
        // One property code means one quantity in one unit across the network.
        const col = prop.rows[0].standard_name !== r.standardName ? 'standard_name' : 'uom';
        throw new ImportError(file, r.line, col, `property ${r.property} is already defined with ${col} "${col === 'uom' ? prop.rows[0].uom : prop.rows[0].standard_name}"`);
      }
      const propRes = await run(this.s, sql.upsertProperty({ code: r.property, standardName: r.standardName, vocabularyUri: `${CF_VOCABULARY}${r.standardName}/`, label: r.label, uom: r.uom }));
      if (propRes.rowCount > 0) this.propertiesWritten.add(r.property);
      await run(this.s, sql.insertSensor(`${st.rows[0].code}_${r.family}`, r.family, stationId));
      const res = await run(this.s, sql.upsertDataset({ code: r.code, stationId, property: r.property, family: r.family, processing: r.processing, start: r.start, end: r.end })).catch(
        (err: { code?: string }) => {
          if (err.code === '23505') throw new ImportError(file, r.line, 'dataset_id', 'another dataset already has this station, property, instrument family and processing level');
          throw err;
        },
      );
      this.datasetsWritten += res.rowCount;
    }
    this.datasetsRead += rows.length;
  }

  /** Every dataset's id by code, as this transaction sees it (datasets upserted before included). */
  async datasetIds(): Promise<DatasetIds> {
    const out: DatasetIds = { ids: new Map(), forbidden: new Map() };
    for (const r of (await this.s.query<{ id: number; code: string; network: string }>(sql.DATASET_IDS)).rows) {
      if (!this.source.networks || this.source.networks.has(r.network)) out.ids.set(r.code, r.id);
      else out.forbidden.set(r.code, r.network);
    }
    return out;
  }

  /** A staging of observations read from one file; its rows go to copyObservations. */
  stage(file: string): ObservationStage {
    return new ObservationStage(file);
  }

  /**
   * The bulk path: COPYs the staged rows (chunks of ObservationStage.line text) into a temporary table,
   * refuses a (dataset, time) given twice, and merges them. One call per run.
   */
  async copyObservations(stage: ObservationStage, chunks: AsyncIterable<string>): Promise<void> {
    if (this.staged) throw new Error('copyObservations runs once per batch');
    this.staged = true;
    await this.s.query(sql.STAGING.tempBuffers).catch(() => undefined);
    await this.s.query(sql.STAGING.create);
    await this.s.copyIn(sql.STAGING.copy, chunks);
    if (!stage.ordered) {
      const dup = await this.s.query<{ line: number; first: number; code: string; time: string }>(sql.STAGING.firstDuplicate);
      if (dup.rows.length) {
        const d = dup.rows[0];
        throw new ImportError(stage.file, d.line, 'time', `duplicate observation for dataset "${d.code}" at ${d.time} (first on line ${d.first})`);
      }
    }
    this.obs.read += stage.rows;
    if (stage.rows === 0) return;
    await this.s.query(sql.STAGING.analyze);
    await this.merge(stage.datasetIds, stage.span, 'staged', stage.rows <= SMALL_STAGE ? 'incremental' : 'recount', stage.file);
  }

  /**
   * The path of a few observations (SOS-T, an MQTT batch): checked, then merged without a staging
   * table. A (dataset, time) given twice in one call is refused (a transport that redelivers dedupes
   * first); calls may repeat within a run, a later one correcting an earlier one.
   */
  async addObservations(rows: ObservationInput[], file = 'request'): Promise<void> {
    const seen = new Set<string>();
    const span = new TimeSpan();
    const arrays: sql.ObservationArrays = { datasetIds: [], times: [], values: [], qcs: [] };
    rows.forEach((r, i) => {
      const at = i + 1;
      if (!Number.isInteger(r.datasetId)) throw new ImportError(file, at, 'dataset_id', 'unknown dataset');
      if (!Number.isFinite(r.time) || r.time < MIN_INSTANT || r.time > MAX_INSTANT) throw new ImportError(file, at, 'time', 'time outside years 0001-9999');
      if (r.value !== null && !Number.isFinite(r.value)) throw new ImportError(file, at, 'value', `not a finite number: ${r.value}`);
      if (!Number.isInteger(r.qc) || r.qc < 0 || r.qc > 9) throw new ImportError(file, at, 'qc', `quality flag must be a digit 0-9: ${r.qc}`);
      const key = `${r.datasetId}@${r.time}`;
      if (seen.has(key)) throw new ImportError(file, at, 'time', `duplicate observation at ${isoUtc(r.time)} in one request`);
      seen.add(key);
      span.add(r.time);
      arrays.datasetIds.push(r.datasetId);
      arrays.times.push(new Date(r.time).toISOString());
      arrays.values.push(r.value);
      arrays.qcs.push(r.qc);
    });
    this.obs.read += rows.length;
    if (rows.length) await this.merge([...new Set(arrays.datasetIds)], span, arrays, 'incremental', file);
  }

  /**
   * Creates the yearly partitions the rows need (when observation is partitioned; before any dataset lock,
   * so writers take the partition lock and the dataset locks in one order), locks the datasets and checks
   * they still exist (the caller may have looked them up before this transaction), then corrections, then
   * new rows; each statement also brings its datasets up to date: incrementally from the inserted rows, or
   * by a recount after a bulk insert (cheaper there).
   */
  private async merge(datasetIds: number[], span: TimeSpan, rows: 'staged' | sql.ObservationArrays, counts: 'incremental' | 'recount', file: string): Promise<void> {
    for (const y of span.years) this.years.add(y);
    await run(this.s, sql.ensurePartitions(span.years));
    const window = span.window;
    await run(this.s, sql.lockDatasets(datasetIds));
    // Under the dataset locks: no other writer can store rows of these datasets until commit.
    const stored = (await run<{ stored: boolean }>(this.s, sql.storedWithin(datasetIds, window))).rows[0].stored;
    for (const r of (await run<{ id: number; n: number }>(this.s, sql.mergeCorrections(this.runId, datasetIds, rows, window))).rows) {
      // Line 0: no one row is at fault.
      if (r.n < 0) throw new ImportError(file, 0, 'dataset_id', `dataset ${r.id} no longer exists (its sensor was deleted meanwhile)`);
      this.obs.corrected += r.n;
      this.touched.add(r.id);
    }
    if (counts === 'recount') {
      const inserted = (await run(this.s, sql.insertNewStaged(window, stored))).rowCount;
      this.obs.inserted += inserted;
      const counted = stored ? sql.recountDatasets(datasetIds) : { text: sql.ADD_STAGED_COUNTS, values: [] };
      if (inserted > 0) for (const r of (await run<{ id: number }>(this.s, counted)).rows) this.touched.add(r.id);
      return;
    }
    for (const r of (await run<{ id: number; n: number }>(this.s, sql.mergeNew(rows, window, stored))).rows) {
      this.obs.inserted += r.n;
      this.touched.add(r.id);
    }
  }

  /**
   * Creates a sensor under the code a client chose (SOS InsertSensor), before upsertDatasets links its
   * dataset by station and family; a code already used by another station or family is refused.
   */
  async upsertSensor(code: string, family: string, stationCode: string, file = 'request', line = 1): Promise<void> {
    await run(this.s, sql.insertNamedSensor(code, family, stationCode));
    const now = (await run<{ family: string; station: string }>(this.s, sql.sensorByCode(code))).rows[0];
    if (!now || now.station !== stationCode || now.family !== family) {
      throw new ImportError(file, line, 'procedure', `procedure "${code}" ${now ? `already exists at station "${now.station}" (family "${now.family}")` : `cannot be created: station "${stationCode}" already has a sensor of family "${family}"`}`);
    }
  }

  /**
   * Deletes a sensor with its datasets and their observations (SOS DeleteSensor), under the datasets'
   * write locks so no writer of them runs meanwhile; returns the deleted dataset ids, or null when the
   * sensor does not exist.
   */
  async deleteSensor(code: string, file = 'request'): Promise<number[] | null> {
    const se = (await run<{ id: number; network: string }>(this.s, sql.sensorByCode(code))).rows[0];
    if (!se) return null;
    this.mayWrite(se.network, file, 1, 'procedure', `procedure "${code}"`);
    const ids = (await run<{ id: number }>(this.s, sql.sensorDatasets(se.id))).rows.map((r) => r.id);
    await run(this.s, sql.lockDatasets(ids));
    for (const st of sql.deleteSensorData(se.id, ids)) await run(this.s, st);
    this.datasetsWritten += ids.length + 1;
    for (const id of ids) this.touched.add(id);
    return ids;
  }

  /** Refuses a write to a network outside the writer's networks. */
  private mayWrite(network: string, file: string, line: number, column: string, what: string): void {
    if (this.source.networks && !this.source.networks.has(network)) {
      throw new ImportForbiddenError(file, line, column, `${what} belongs to network "${network}", which this API key may not write`);
    }
  }

  /** The counts so far. */
  summary(seconds: number): IngestSummary {
    const { read, inserted, corrected } = this.obs;
    return {
      runId: this.runId,
      stations: { read: this.stationsRead, written: this.stationsWritten },
      datasets: { read: this.datasetsRead, written: this.datasetsWritten },
      observedProperties: { read: this.propertiesRead.size, written: this.propertiesWritten.size },
      observations: { read, inserted, corrected, unchanged: read - inserted - corrected, written: inserted + corrected },
      years: [...this.years].sort((a, b) => a - b),
      changed: this.catalogueChanged || inserted + corrected > 0,
      seconds,
    };
  }
}

/**
 * The COPY text of the staging table (line, dataset id, time, value, qc), one checked row at a time, and
 * what the merge needs to know about them: which datasets, and whether each one's times only grew (then
 * no (dataset, time) can repeat except back to back, which is caught here without a query).
 */
export class ObservationStage {
  rows = 0;
  ordered = true;
  private readonly last = new Map<number, number>();
  private readonly timeSpan = new TimeSpan();

  constructor(readonly file: string) {}

  /** One row's COPY line. time is the text PostgreSQL reads (ISO 8601), t the same instant in ms; value '\N' when missing. */
  line(n: number, id: number, code: string, t: number, time: string, value: string, qc: string): string {
    const prev = this.last.get(id);
    if (prev !== undefined && t <= prev) {
      if (t === prev) throw new ImportError(this.file, n, 'time', `duplicate observation for dataset "${code}" at ${isoUtc(t)} (same as the previous one)`);
      this.ordered = false;
    } else {
      this.last.set(id, t);
    }
    this.rows++;
    this.timeSpan.add(t);
    return `${n}\t${id}\t${time}\t${value}\t${qc}\n`;
  }

  /** The datasets of the staged rows. */
  get datasetIds(): number[] {
    return [...this.last.keys()];
  }

  /** The instants of the staged rows: their UTC years and extent. */
  get span(): TimeSpan {
    return this.timeSpan;
  }
}

/**
 * The distinct UTC years (the partitions a write needs) and the extent of instants given one by one. Rows
 * come grouped by series in time order, so nearly every instant falls in the year of the one before: that
 * is a few comparisons, and a calendar computation only when the year changes.
 */
export class TimeSpan {
  private readonly yearSet = new Set<number>();
  private from = 0;
  private to = -1;
  private min = Infinity;
  private max = -Infinity;

  /** Adds an instant (epoch ms). */
  add(t: number): void {
    if (t < this.min) this.min = t;
    if (t > this.max) this.max = t;
    if (t >= this.from && t < this.to) return;
    const y = new Date(t).getUTCFullYear();
    this.yearSet.add(y);
    this.from = yearStart(y);
    this.to = yearStart(y + 1);
  }

  /** The years seen, ascending. */
  get years(): number[] {
    return [...this.yearSet].sort((a, b) => a - b);
  }

  /** The first and last instant seen (the writer's joins are bounded by them); empty span: an empty window. */
  get window(): sql.TimeWindow {
    if (this.min > this.max) return { from: new Date(0).toISOString(), to: new Date(-1).toISOString() };
    return { from: new Date(this.min).toISOString(), to: new Date(this.max).toISOString() };
  }
}

/** Epoch ms of 1 January of a UTC year (Date.UTC would read years 0-99 as 1900-1999). */
function yearStart(y: number): number {
  const d = new Date(0);
  d.setUTCFullYear(y, 0, 1);
  return d.getTime();
}

function run<R = Record<string, unknown>>(s: Session, st: Sql): Promise<QueryResult<R>> {
  return s.query<R>(st.text, st.values);
}
