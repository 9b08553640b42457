import { isoSql } from '../data/sqlTime';
import { Sql, SqlParams } from '../query/sqlParams';

/*
 * Every statement of the import, by name: importer.ts reads files and checks rows, this module says what
 * is written. Values are bound through SqlParams (the one way a value reaches SQL); the table and column
 * names are the write side of schemas/*.sql, named as the migrations create them (src/catalog/schema.ts
 * holds the aliased read side, which these INSERT column lists and ON CONFLICT targets cannot use).
 */

/** Bulk COPY of millions of rows may outlast STATEMENT_TIMEOUT_MS (meant for requests): lifted for the import's transaction. */
export const NO_STATEMENT_TIMEOUT = 'SET LOCAL statement_timeout = 0';

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
  observationsWritten: number;
  changed: boolean;
}

/** Marks a run finished with its counts. */
export function finishRun(runId: number, c: RunCounts): Sql {
  const p = new SqlParams();
  const id = p.add(runId);
  return p.sql(
    `UPDATE import_run SET finished_at = now(), stations = ${p.add(c.stations)}, datasets = ${p.add(c.datasets)}, observations_read = ${p.add(c.observationsRead)}, observations_written = ${p.add(c.observationsWritten)}, changed = ${p.add(c.changed)} WHERE id = ${id}`,
  );
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

/** Every dataset's id by code: observation rows name their dataset by code. */
export const DATASET_IDS = 'SELECT id, code FROM dataset';

/**
 * The staging of observations: a temporary table filled by COPY, checked for duplicates, then merged
 * into observation (changed values first, then new rows through an anti-join: on a re-import both are
 * hash joins that find nothing, several times faster than per-row ON CONFLICT probes).
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
  // JIT compilation costs more than it saves on these two simple joins.
  noJit: 'SET LOCAL jit = off',
  updateChanged: `UPDATE observation o SET value = i.value, qc = i.qc FROM import_obs i
     WHERE o.dataset_id = i.dataset_id AND o.time = i.time AND (o.value, o.qc) IS DISTINCT FROM (i.value, i.qc)`,
  insertNew: `INSERT INTO observation (dataset_id, time, value, qc)
     SELECT i.dataset_id, i.time, i.value, i.qc FROM import_obs i
     WHERE NOT EXISTS (SELECT 1 FROM observation o WHERE o.dataset_id = i.dataset_id AND o.time = i.time)`,
  /** Extents and counts of the staged datasets from the stored rows, so partial re-imports keep them right. */
  refreshExtents: `UPDATE dataset d SET time_start = x.t0, time_end = x.t1, obs_count = x.n, updated_at = now()
       FROM (SELECT o.dataset_id, min(o.time) AS t0, max(o.time) AS t1, count(*) AS n
             FROM observation o WHERE o.dataset_id IN (SELECT DISTINCT dataset_id FROM import_obs) GROUP BY o.dataset_id) x
       WHERE d.id = x.dataset_id AND (d.time_start, d.time_end, d.obs_count) IS DISTINCT FROM (x.t0, x.t1, x.n)`,
} as const;
