import type { Queryable } from '../data/store';
import { isoSql } from '../data/sqlTime';
import { SqlParams } from '../query/sqlParams';

/** Everything the NetCDF export and the ISO 19139 records say about one dataset (one time series). */
export interface DatasetInfo {
  code: string;
  stationCode: string;
  stationName: string;
  lat: number;
  lon: number;
  depthM: number | null;
  country: string | null;
  networkCode: string;
  networkName: string;
  producer: string | null;
  propertyCode: string;
  standardName: string;
  vocabularyUri: string;
  propertyLabel: string;
  /** UCUM code as stored. */
  uom: string;
  sensorCode: string;
  sensorFamily: string;
  processingLevel: string;
  /** ISO 8601 UTC instants of the first and last observation, null when there are none. */
  timeStart: string | null;
  timeEnd: string | null;
  obsCount: number;
  /** ISO 8601 UTC instant of the last change. */
  updatedAt: string;
}


const SELECT = `
SELECT d.code, s.code AS station_code, s.name AS station_name,
       ST_Y(s.geom)::float8 AS lat, ST_X(s.geom)::float8 AS lon, s.depth_m::float8 AS depth_m, s.country,
       n.code AS network_code, n.name AS network_name, o.name AS producer,
       p.code AS property_code, p.standard_name, p.vocabulary_uri, p.label AS property_label, p.uom,
       se.code AS sensor_code, se.family AS sensor_family, d.processing_level,
       ${isoSql('d.time_start')} AS time_start, ${isoSql('d.time_end')} AS time_end,
       d.obs_count::float8 AS obs_count, ${isoSql('d.updated_at')} AS updated_at
  FROM dataset d
  JOIN station s ON s.id = d.station_id
  JOIN network n ON n.id = s.network_id
  LEFT JOIN organisation o ON o.id = s.producer_id
  JOIN observed_property p ON p.id = d.property_id
  JOIN sensor se ON se.id = d.sensor_id`;

interface Row {
  code: string;
  station_code: string;
  station_name: string;
  lat: number;
  lon: number;
  depth_m: number | null;
  country: string | null;
  network_code: string;
  network_name: string;
  producer: string | null;
  property_code: string;
  standard_name: string;
  vocabulary_uri: string;
  property_label: string;
  uom: string;
  sensor_code: string;
  sensor_family: string;
  processing_level: string;
  time_start: string | null;
  time_end: string | null;
  obs_count: number;
  updated_at: string;
}

const toInfo = (r: Row): DatasetInfo => ({
  code: r.code,
  stationCode: r.station_code,
  stationName: r.station_name,
  lat: r.lat,
  lon: r.lon,
  depthM: r.depth_m,
  country: r.country,
  networkCode: r.network_code,
  networkName: r.network_name,
  producer: r.producer,
  propertyCode: r.property_code,
  standardName: r.standard_name,
  vocabularyUri: r.vocabulary_uri,
  propertyLabel: r.property_label,
  uom: r.uom,
  sensorCode: r.sensor_code,
  sensorFamily: r.sensor_family,
  processingLevel: r.processing_level,
  timeStart: r.time_start,
  timeEnd: r.time_end,
  obsCount: Number(r.obs_count),
  updatedAt: r.updated_at,
});

/** All datasets, ordered by code. */
export async function listDatasetInfos(db: Queryable): Promise<DatasetInfo[]> {
  const r = await db.query<Row>(`${SELECT} ORDER BY d.code`);
  return r.rows.map(toInfo);
}

/** One dataset by its code, or undefined. */
export async function getDatasetInfo(db: Queryable, code: string): Promise<DatasetInfo | undefined> {
  const params = new SqlParams();
  const r = await db.query<Row>(`${SELECT} WHERE d.code = ${params.add(code)}`, params.values);
  return r.rows[0] ? toInfo(r.rows[0]) : undefined;
}
