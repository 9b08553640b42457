import { isoSql } from '../data/sqlTime';
import type { Queryable } from '../data/store';
import { DATASET, IMPORT_RUN, PROPERTY, SENSOR } from '../catalog/schema';

/** An observed property row as stored. */
export interface PropertyRow {
  id: number;
  code: string;
  standard_name: string;
  vocabulary_uri: string;
  label: string;
  uom: string;
}

/** A sensor row as stored (station by id). */
export interface SensorRow {
  id: number;
  code: string;
  family: string;
  station_id: number;
}

/** A dataset row as stored (station, property and sensor by id; times as ISO UTC text). */
export interface DatasetRow {
  id: number;
  code: string;
  station_id: number;
  property_id: number;
  sensor_id: number;
  processing_level: string;
  time_start: string | null;
  time_end: string | null;
  obs_count: number;
  updated_at: string;
}

/** Every observed property, by code. */
export async function readProperties(db: Queryable): Promise<PropertyRow[]> {
  const p = PROPERTY;
  const r = await db.query<PropertyRow>(
    `SELECT ${p.id} AS id, ${p.code} AS code, ${p.standardName} AS standard_name, ${p.vocabularyUri} AS vocabulary_uri, ${p.label} AS label, ${p.uom} AS uom FROM ${p.from} ORDER BY ${p.code}`,
  );
  return r.rows.map((x) => ({ ...x, id: Number(x.id) }));
}

/** Every sensor, by code. */
export async function readSensors(db: Queryable): Promise<SensorRow[]> {
  const s = SENSOR;
  const r = await db.query<SensorRow>(`SELECT ${s.id} AS id, ${s.code} AS code, ${s.family} AS family, ${s.stationId} AS station_id FROM ${s.from} ORDER BY ${s.code}`);
  return r.rows.map((x) => ({ ...x, id: Number(x.id), station_id: Number(x.station_id) }));
}

/** Every dataset with its time extent and count as the importer keeps them, by code. */
export async function readDatasets(db: Queryable): Promise<DatasetRow[]> {
  const d = DATASET;
  const r = await db.query<DatasetRow>(
    `SELECT ${d.id} AS id, ${d.code} AS code, ${d.stationId} AS station_id, ${d.propertyId} AS property_id, ${d.sensorId} AS sensor_id,
            ${d.processingLevel} AS processing_level, ${isoSql(d.timeStart)} AS time_start, ${isoSql(d.timeEnd)} AS time_end,
            ${d.obsCount} AS obs_count, ${isoSql(d.updatedAt)} AS updated_at
       FROM ${d.from} ORDER BY ${d.code}`,
  );
  return r.rows.map((x) => ({ ...x, id: Number(x.id), station_id: Number(x.station_id), property_id: Number(x.property_id), sensor_id: Number(x.sensor_id), obs_count: Number(x.obs_count) }));
}

/** When the latest import that changed data finished (ISO UTC, ms): the capabilities updateSequence. */
export async function updateSequence(db: Queryable): Promise<string> {
  const r = await db.query<{ seq: string | null }>(
    `SELECT to_char(max(${IMPORT_RUN.finishedAt}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS seq FROM ${IMPORT_RUN.from} WHERE ${IMPORT_RUN.changed}`,
  );
  return r.rows[0]?.seq ?? '1970-01-01T00:00:00.000Z';
}
