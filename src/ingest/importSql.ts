import { isoSql } from '../data/sqlTime';
import { Sql, SqlParams } from '../query/sqlParams';

/*
 * Every statement of the import, by name: importer.ts reads files and checks rows, this module says what
 * is written. Values are bound through SqlParams (the one way a value reaches SQL); the table and column
 * names are the write side of schemas/*.sql, named as the migrations create them (src/catalog/schema.ts
 * holds the aliased read side, which these INSERT column lists and ON CONFLICT targets cannot use).
 */

/**
 * The settings of a run's transaction, in one round trip (run with Session.exec): a bulk COPY of millions
 * of rows may outlast STATEMENT_TIMEOUT_MS (meant for requests), so it is lifted; JIT compilation costs
 * more than it saves on the merge's simple joins.
 */
export const RUN_SETTINGS = 'SET LOCAL statement_timeout = 0; SET LOCAL jit = off';

/** Records the start of an import run; returns its id. */
export function startRun(source: string): Sql {
  const p = new SqlParams();
  return p.sql(`INSERT INTO import_run (source) VALUES (${p.add(source)}) RETURNING id`);
}

/** What one run wrote, recorded when it ends (the latest changing run is the SOS updateSequence). */
export interface RunCounts {
  stations: number;
  datasets: number;
  observationsRead: number;
  observationsInserted: number;
  observationsCorrected: number;
  changed: boolean;
}

/**
 * Marks a run finished with its counts. A changing run's finished_at is the updateSequence, so it must
 * grow in commit order and differ at the millisecond shown: taken under SEQUENCE_LOCK (held until
 * commit), at least 1 ms after the latest changing run. now() would be the transaction's start, and a
 * long import committing after a short one would get an older updateSequence than the one clients saw.
 */
export function finishRun(runId: number, c: RunCounts): Sql {
  const p = new SqlParams();
  const id = p.add(runId);
  const finished = c.changed
    ? `GREATEST(clock_timestamp(), (SELECT date_trunc('milliseconds', max(finished_at)) + interval '1 millisecond' FROM import_run WHERE changed))`
    : 'clock_timestamp()';
  return p.sql(
    `UPDATE import_run SET finished_at = ${finished}, stations = ${p.add(c.stations)}, datasets = ${p.add(c.datasets)}, observations_read = ${p.add(c.observationsRead)},
       observations_written = ${p.add(c.observationsInserted + c.observationsCorrected)}, observations_inserted = ${p.add(c.observationsInserted)},
       observations_corrected = ${p.add(c.observationsCorrected)}, changed = ${p.add(c.changed)} WHERE id = ${id}`,
  );
}

/**
 * A changing run's counts, recorded before its end, and its id and change payload as transaction-local
 * settings for CHANGING_RUN_END, which has no parameters.
 */
export function recordChangingRun(runId: number, c: RunCounts, payload: string): Sql {
  const p = new SqlParams();
  return p.sql(
    `WITH run AS (UPDATE import_run SET stations = ${p.add(c.stations)}, datasets = ${p.add(c.datasets)}, observations_read = ${p.add(c.observationsRead)},
       observations_written = ${p.add(c.observationsInserted + c.observationsCorrected)}, observations_inserted = ${p.add(c.observationsInserted)},
       observations_corrected = ${p.add(c.observationsCorrected)}, changed = true WHERE id = ${p.add(runId)} RETURNING id)
     SELECT set_config('reefgate.run_id', run.id::text, true), set_config('reefgate.change', ${p.add(payload)}, true) FROM run`,
  );
}

/**
 * The end of a changing run on PostgreSQL, sent as one script (Session.commitWith): the updateSequence
 * lock, finished_at (as finishRun: in commit order), the NOTIFY, and COMMIT. Changing runs commit one at
 * a time; sent statement by statement, each step under the lock waited for the gateway to be scheduled
 * (on a loaded machine, milliseconds each); in one script the backend runs them back to back. Each
 * statement of a script takes its own snapshot, so the UPDATE sees every run committed while the lock
 * was awaited. Its values come from recordChangingRun's settings: nothing here is bound or quoted.
 */
export function changingRunEnd(channel: string): string {
  if (!/^[a-z_]+$/.test(channel)) throw new Error(`invalid channel ${channel}`);
  return `SELECT pg_advisory_xact_lock(${SEQUENCE_LOCK});
    UPDATE import_run SET finished_at = GREATEST(clock_timestamp(), (SELECT date_trunc('milliseconds', max(finished_at)) + interval '1 millisecond' FROM import_run WHERE changed))
     WHERE id = current_setting('reefgate.run_id')::int;
    SELECT pg_notify('${channel}', current_setting('reefgate.change'));
    COMMIT`;
}

/** Advisory-lock class of the updateSequence (see finishRun); the migrations use 727274001. */
const SEQUENCE_LOCK = 727_274_002;
/** Advisory-lock class of one dataset's observations (second key: the dataset id). */
const DATASET_LOCK = 727_274_003;

/** Serialises the end of changing runs until commit, so their finished_at grow in commit order. */
export function lockSequence(): Sql {
  const p = new SqlParams();
  return p.sql(`SELECT pg_advisory_xact_lock(${p.add(SEQUENCE_LOCK)})`);
}

/**
 * Takes the write lock of each dataset, in id order (two writers never wait on each other crosswise),
 * until commit: writers of one dataset merge one after the other, so the anti-join insert never meets
 * a concurrent insert of the same key and the incremental counts and extents stay exact.
 */
export function lockDatasets(ids: number[]): Sql {
  const p = new SqlParams();
  return p.sql(`SELECT count(pg_advisory_xact_lock(${p.add(DATASET_LOCK)}, x.id)) FROM (SELECT unnest(${p.add(ids)}::int[]) AS id ORDER BY 1) x`);
}

/**
 * Creates the yearly partitions of observation the given UTC years need and lack (schemas/007; nothing while
 * observation is a plain table): one function call, which locks only when a partition is missing.
 */
export function ensurePartitions(years: number[]): Sql {
  const p = new SqlParams();
  return p.sql(`SELECT observation_ensure_partitions(${p.add(years)}::int[])`);
}

/** Creates a network named by its code, if it is new. */
export function insertNetwork(code: string): Sql {
  const p = new SqlParams();
  const c = p.add(code);
  return p.sql(`INSERT INTO network (code, name) VALUES (${c}, ${c}) ON CONFLICT (code) DO NOTHING`);
}

/** Creates a producing organisation, if it is new. */
export function insertOrganisation(name: string): Sql {
  const p = new SqlParams();
  return p.sql(`INSERT INTO organisation (name) VALUES (${p.add(name)}) ON CONFLICT (name) DO NOTHING`);
}

/** A station as the import writes it (WGS 84 position). */
export interface StationValues {
  code: string;
  name: string;
  lat: number;
  lon: number;
  depth: number | null;
  country: string | null;
  network: string;
  producer: string | null;
}

/** Inserts a station or updates it where it differs; rowCount says whether it was written. */
export function upsertStation(v: StationValues): Sql {
  const p = new SqlParams();
  const code = p.add(v.code), name = p.add(v.name), lat = p.add(v.lat), lon = p.add(v.lon);
  const depth = p.add(v.depth), country = p.add(v.country), network = p.add(v.network), producer = p.add(v.producer);
  return p.sql(
    `INSERT INTO station (code, name, geom, depth_m, country, network_id, producer_id)
       VALUES (${code}, ${name}, ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326), ${depth}, ${country},
               (SELECT id FROM network WHERE code = ${network}), (SELECT id FROM organisation WHERE name = ${producer}))
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, geom = EXCLUDED.geom, depth_m = EXCLUDED.depth_m,
         country = EXCLUDED.country, network_id = EXCLUDED.network_id, producer_id = EXCLUDED.producer_id
       WHERE (station.name, ST_AsBinary(station.geom), station.depth_m, station.country, station.network_id, station.producer_id)
         IS DISTINCT FROM (EXCLUDED.name, ST_AsBinary(EXCLUDED.geom), EXCLUDED.depth_m, EXCLUDED.country, EXCLUDED.network_id, EXCLUDED.producer_id)`,
  );
}

/** A station's id and code, by code. */
export function stationByCode(code: string): Sql {
  const p = new SqlParams();
  return p.sql(`SELECT id, code FROM station WHERE code = ${p.add(code)}`);
}

/** An observed property's id, CF standard name and unit, by code. */
export function propertyByCode(code: string): Sql {
  const p = new SqlParams();
  return p.sql(`SELECT id, standard_name, uom FROM observed_property WHERE code = ${p.add(code)}`);
}

/** An observed property as a dataset row declares it. */
export interface PropertyValues {
  code: string;
  standardName: string;
  vocabularyUri: string;
  label: string;
  uom: string;
}

/** Inserts an observed property or relabels it; rowCount says whether it was written. */
export function upsertProperty(v: PropertyValues): Sql {
  const p = new SqlParams();
  return p.sql(
    `INSERT INTO observed_property (code, standard_name, vocabulary_uri, label, uom) VALUES (${p.add(v.code)}, ${p.add(v.standardName)}, ${p.add(v.vocabularyUri)}, ${p.add(v.label)}, ${p.add(v.uom)})
         ON CONFLICT (code) DO UPDATE SET label = EXCLUDED.label WHERE observed_property.label IS DISTINCT FROM EXCLUDED.label`,
  );
}

/** Creates a station's sensor of one instrument family, if it is new. */
export function insertSensor(code: string, family: string, stationId: number): Sql {
  const p = new SqlParams();
  return p.sql(
    `INSERT INTO sensor (code, family, station_id) VALUES (${p.add(code)}, ${p.add(family)}, ${p.add(stationId)}) ON CONFLICT (station_id, family) DO NOTHING`,
  );
}

/** A dataset as the import writes it (property and sensor by code and family). */
export interface DatasetValues {
  code: string;
  stationId: number;
  property: string;
  family: string;
  processing: string;
  start: string | null;
  end: string | null;
}

/** Inserts a dataset or updates it where it differs; rowCount says whether it was written. */
export function upsertDataset(v: DatasetValues): Sql {
  const p = new SqlParams();
  const code = p.add(v.code), station = p.add(v.stationId), property = p.add(v.property), family = p.add(v.family);
  return p.sql(
    `INSERT INTO dataset (code, station_id, property_id, sensor_id, processing_level, declared_start, declared_end)
       VALUES (${code}, ${station}, (SELECT id FROM observed_property WHERE code = ${property}), (SELECT id FROM sensor WHERE station_id = ${station} AND family = ${family}), ${p.add(v.processing)}, ${p.add(v.start)}, ${p.add(v.end)})
       ON CONFLICT (code) DO UPDATE SET station_id = EXCLUDED.station_id, property_id = EXCLUDED.property_id, sensor_id = EXCLUDED.sensor_id,
         processing_level = EXCLUDED.processing_level, declared_start = EXCLUDED.declared_start, declared_end = EXCLUDED.declared_end, updated_at = now()
       WHERE (dataset.station_id, dataset.property_id, dataset.sensor_id, dataset.processing_level, dataset.declared_start, dataset.declared_end)
         IS DISTINCT FROM (EXCLUDED.station_id, EXCLUDED.property_id, EXCLUDED.sensor_id, EXCLUDED.processing_level, EXCLUDED.declared_start, EXCLUDED.declared_end)`,
  );
}

/** Every dataset's id and network by code: observation rows name their dataset by code; a key may be limited to networks. */
export const DATASET_IDS = 'SELECT d.id, d.code, n.code AS network FROM dataset d JOIN station s ON s.id = d.station_id JOIN network n ON n.id = s.network_id';

/** A station's network, by station code (a key limited to networks may not move a station out of its own). */
export function stationNetwork(code: string): Sql {
  const p = new SqlParams();
  return p.sql(`SELECT n.code AS network FROM station s JOIN network n ON n.id = s.network_id WHERE s.code = ${p.add(code)}`);
}

/**
 * The staging of observations: a temporary table filled by COPY, checked for duplicates, then merged
 * into observation (mergeCorrections, then insertNew and recountDatasets).
 */
export const STAGING = {
  // temp_buffers only applies before the session's first temporary table; harmless afterwards.
  tempBuffers: "SET LOCAL temp_buffers = '128MB'",
  create: 'CREATE TEMP TABLE import_obs (line bigint, dataset_id integer, time timestamptz, value double precision, qc smallint) ON COMMIT DROP',
  copy: 'COPY import_obs (line, dataset_id, time, value, qc) FROM STDIN',
  /** The first (dataset, time) given twice, with both lines. */
  firstDuplicate: `SELECT max(i.line)::int AS line, min(i.line)::int AS first, d.code, ${isoSql('i.time')} AS time
       FROM import_obs i JOIN dataset d ON d.id = i.dataset_id
       GROUP BY i.dataset_id, d.code, i.time HAVING count(*) > 1 ORDER BY 1 LIMIT 1`,
  analyze: 'ANALYZE import_obs',
} as const;

/**
 * The first and last instant (ISO 8601) of the rows a statement merges. Every join of those rows with
 * observation also says `o.time` lies between them: redundant for the result, but on a partitioned table
 * the planner then keeps only the partitions of those years. Without it, an anti-join of 200,000 staged
 * rows planned a hash of every partition (all 7.6M stored rows) instead of key probes.
 */
export interface TimeWindow {
  from: string;
  to: string;
}

/** `o.time` within the window, bound through `p`. */
function within(p: SqlParams, w: TimeWindow): string {
  return `o.time >= ${p.add(w.from)}::timestamptz AND o.time <= ${p.add(w.to)}::timestamptz`;
}

/**
 * Whether the given datasets have stored rows inside the window (a key range probe per dataset). When they
 * have none, no merged row can be stored already, and the insert goes without its anti-join: faster (a
 * first import, a new year), and it avoids a trap of the anti-join on a table or partition that is empty
 * and was analysed empty (a year created ahead): planned as a nested loop over a sequential scan of
 * "nothing", it rescanned the pages its own statement was filling, once per staged row (quadratic: 200,000
 * rows into an empty year ran for minutes).
 */
export function storedWithin(datasetIds: number[], window: TimeWindow): Sql {
  const p = new SqlParams();
  return p.sql(`SELECT EXISTS (SELECT 1 FROM observation o WHERE o.dataset_id = ANY(${p.add(datasetIds)}::int[]) AND ${within(p, window)}) AS stored`);
}

/** The anti-join keeping the rows `i` not stored yet; none when storedWithin said nothing can be. */
function notStored(p: SqlParams, window: TimeWindow, antiJoin: boolean): string {
  return antiJoin ? `WHERE NOT EXISTS (SELECT 1 FROM observation o WHERE o.dataset_id = i.dataset_id AND o.time = i.time AND ${within(p, window)})` : '';
}

/**
 * The staged rows not stored yet, by an anti-join: on a re-import a hash join that finds nothing. No
 * RETURNING here: passing millions of inserted keys back through a tuplestore to count them cost a
 * quarter more on the 7.6M set than recountDatasets afterwards.
 */
export function insertNewStaged(window: TimeWindow, antiJoin = true): Sql {
  const p = new SqlParams();
  return p.sql(
    `INSERT INTO observation (dataset_id, time, value, qc)
     SELECT i.dataset_id, i.time, i.value, i.qc FROM import_obs i
     ${notStored(p, window, antiJoin)}`,
  );
}

/**
 * Counts and extents of the given datasets from their stored rows (after a bulk insert from the
 * staging table), and their last change where these moved; returns the datasets updated.
 */
export function recountDatasets(ids: number[]): Sql {
  const p = new SqlParams();
  return p.sql(
    `UPDATE dataset d SET time_start = x.t0, time_end = x.t1, obs_count = x.n, updated_at = now()
       FROM (SELECT o.dataset_id, min(o.time) AS t0, max(o.time) AS t1, count(*) AS n
               FROM observation o WHERE o.dataset_id = ANY(${p.add(ids)}::int[]) GROUP BY o.dataset_id) x
      WHERE d.id = x.dataset_id AND (d.time_start, d.time_end, d.obs_count) IS DISTINCT FROM (x.t0, x.t1, x.n)
      RETURNING d.id`,
  );
}

/**
 * Counts and extents of the datasets from the staged rows, added to the stored ones, and their last change;
 * returns the datasets updated. Only right when every staged row was inserted (storedWithin found none
 * stored in the window: then a staged row cannot be stored already): a recount would read every stored row
 * of the datasets (the whole network for an import of a new quarter, 100 million rows) for what the stage says.
 */
export const ADD_STAGED_COUNTS = `UPDATE dataset d SET obs_count = d.obs_count + x.n, time_start = LEAST(d.time_start, x.t0), time_end = GREATEST(d.time_end, x.t1), updated_at = now()
     FROM (SELECT dataset_id, count(*) AS n, min(time) AS t0, max(time) AS t1 FROM import_obs GROUP BY dataset_id) x
    WHERE d.id = x.dataset_id RETURNING d.id`;

/** Observations given as parallel arrays (a few per request: SOS-T, MQTT batches), merged without a staging table. */
export interface ObservationArrays {
  datasetIds: number[];
  /** ISO 8601 instants. */
  times: string[];
  values: (number | null)[];
  qcs: number[];
}

/** The rows to merge, as the relation `i (dataset_id, time, value, qc)`: the staging table or the arrays. */
function source(p: SqlParams, rows: 'staged' | ObservationArrays): string {
  if (rows === 'staged') return 'import_obs i';
  return `unnest(${p.add(rows.datasetIds)}::int[], ${p.add(rows.times)}::timestamptz[], ${p.add(rows.values)}::float8[], ${p.add(rows.qcs)}::int2[]) AS i (dataset_id, time, value, qc)`;
}

/**
 * Checks the datasets still exist, then replaces the value and qc of stored observations the input changes, records each change with the old
 * and new values and the run, and marks those datasets changed. Identical rows are left alone (no
 * write, no record). Returns the corrections per dataset. On a re-import that changes nothing this is
 * one hash join finding nothing, several times faster than per-row ON CONFLICT probes.
 * A dataset that no longer exists comes back with n = -1 (the caller rolls back): run after
 * lockDatasets, in a statement of its own, as this is (a statement's snapshot predates the locks it
 * waits for), this sees a DeleteSensor that committed while the writer looked its datasets up or waited.
 */
export function mergeCorrections(runId: number, datasetIds: number[], rows: 'staged' | ObservationArrays, window: TimeWindow): Sql {
  const p = new SqlParams();
  const run = p.add(runId);
  return p.sql(
    `WITH gone AS (
       SELECT x.id FROM unnest(${p.add(datasetIds)}::int[]) AS x (id) WHERE NOT EXISTS (SELECT 1 FROM dataset d WHERE d.id = x.id)
     ), changed AS (
       SELECT o.dataset_id, o.time, o.value AS old_value, o.qc AS old_qc, i.value AS new_value, i.qc AS new_qc
         FROM ${source(p, rows)} JOIN observation o ON o.dataset_id = i.dataset_id AND o.time = i.time AND ${within(p, window)}
        WHERE (o.value, o.qc) IS DISTINCT FROM (i.value, i.qc)
     ), upd AS (
       UPDATE observation o SET value = c.new_value, qc = c.new_qc FROM changed c WHERE o.dataset_id = c.dataset_id AND o.time = c.time AND ${within(p, window)}
     ), rec AS (
       INSERT INTO observation_correction (dataset_id, time, old_value, old_qc, new_value, new_qc, import_run_id)
       SELECT dataset_id, time, old_value, old_qc, new_value, new_qc, ${run} FROM changed
     ), per AS (
       SELECT dataset_id, count(*)::int AS n FROM changed GROUP BY dataset_id
     ), ds AS (
       UPDATE dataset d SET updated_at = now() FROM per WHERE d.id = per.dataset_id
     )
     SELECT dataset_id AS id, n FROM per UNION ALL SELECT id, -1 FROM gone`,
  );
}

/**
 * Inserts the given rows not stored yet (an anti-join) and brings the datasets' counts, extents and last
 * change up to date incrementally: exact under the dataset locks, since rows are only ever added or
 * corrected and a correction keeps its time. A few rows added to a long series cost a few index probes,
 * where recounting its stored rows would read all of them. Returns the rows inserted per dataset.
 */
export function mergeNew(rows: 'staged' | ObservationArrays, window: TimeWindow, antiJoin = true): Sql {
  const p = new SqlParams();
  return p.sql(
    `WITH ins AS (
       INSERT INTO observation (dataset_id, time, value, qc)
       SELECT i.dataset_id, i.time, i.value, i.qc FROM ${source(p, rows)}
        ${notStored(p, window, antiJoin)}
       RETURNING dataset_id, time
     ), per AS (
       SELECT dataset_id, count(*) AS n, min(time) AS t0, max(time) AS t1 FROM ins GROUP BY dataset_id
     ), ds AS (
       UPDATE dataset d SET obs_count = d.obs_count + per.n, time_start = LEAST(d.time_start, per.t0), time_end = GREATEST(d.time_end, per.t1), updated_at = now()
         FROM per WHERE d.id = per.dataset_id
     )
     SELECT dataset_id AS id, n::int AS n FROM per`,
  );
}

/** Creates a sensor (an SOS procedure) with the code its InsertSensor gave, if neither it nor the station's family exist. */
export function insertNamedSensor(code: string, family: string, stationCode: string): Sql {
  const p = new SqlParams();
  return p.sql(
    `INSERT INTO sensor (code, family, station_id) SELECT ${p.add(code)}, ${p.add(family)}, s.id FROM station s WHERE s.code = ${p.add(stationCode)} ON CONFLICT DO NOTHING`,
  );
}

/** A sensor's station and family, by code. */
export function sensorByCode(code: string): Sql {
  const p = new SqlParams();
  return p.sql(`SELECT se.id, se.family, st.code AS station, n.code AS network FROM sensor se JOIN station st ON st.id = se.station_id JOIN network n ON n.id = st.network_id WHERE se.code = ${p.add(code)}`);
}

/** The datasets of a sensor (what DeleteSensor removes). */
export function sensorDatasets(sensorId: number): Sql {
  const p = new SqlParams();
  return p.sql(`SELECT id FROM dataset WHERE sensor_id = ${p.add(sensorId)} ORDER BY id`);
}

/** Removes datasets with their observations (corrections and result templates go by ON DELETE CASCADE), then the sensor. */
export function deleteSensorData(sensorId: number, datasetIds: number[]): Sql[] {
  const ids = (): [SqlParams, string] => {
    const p = new SqlParams();
    return [p, p.add(datasetIds)];
  };
  const [p1, a1] = ids();
  const [p2, a2] = ids();
  const p3 = new SqlParams();
  return [
    p1.sql(`DELETE FROM observation WHERE dataset_id = ANY(${a1}::int[])`),
    p2.sql(`DELETE FROM dataset WHERE id = ANY(${a2}::int[])`),
    p3.sql(`DELETE FROM sensor WHERE id = ${p3.add(sensorId)}`),
  ];
}
