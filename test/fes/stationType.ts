import fs from 'node:fs';
import path from 'node:path';
import { FeatureTypeDef } from '../../src/catalog/types';
import { compileFilter } from '../../src/fes/compile';
import { Filter } from '../../src/fes/ast';
import { SqlParams } from '../../src/query/sqlParams';
import { Store } from '../../src/data/store';

/** A small Station type over the demo schema, written for these tests (the WFS catalog has its own). */
export const STATION: FeatureTypeDef = {
  name: 'Station',
  title: 'Station',
  abstract: 'Test station type',
  keywords: ['stations'],
  from: 'station s JOIN network n ON n.id = s.network_id LEFT JOIN organisation o ON o.id = s.producer_id',
  idSql: 's.code',
  geometry: { name: 'geom', sql: 's.geom', gmlType: 'PointPropertyType', srid: 4326 },
  properties: [
    { name: 'name', type: 'string', sql: 's.name', nullable: false },
    { name: 'network', type: 'string', sql: 'n.code', nullable: false },
    { name: 'producer', type: 'string', sql: 'o.name', nullable: true },
    { name: 'country', type: 'string', sql: 's.country', nullable: true },
    { name: 'depth', type: 'double', sql: 's.depth_m', nullable: true },
    { name: 'datasetCount', type: 'int', sql: '(SELECT count(*) FROM dataset d WHERE d.station_id = s.id)', nullable: false },
    { name: 'firstObservation', type: 'dateTime', sql: '(SELECT min(d.time_start) FROM dataset d WHERE d.station_id = s.id)', nullable: true },
    { name: 'lastObservation', type: 'dateTime', sql: '(SELECT max(d.time_end) FROM dataset d WHERE d.station_id = s.id)', nullable: true },
    { name: 'hasData', type: 'boolean', sql: 'EXISTS (SELECT 1 FROM dataset d WHERE d.station_id = s.id AND d.obs_count > 0)', nullable: false },
    { name: 'observedProperties', type: 'string', sql: "'list'", nullable: false, queryable: false },
  ],
  orderKey: ['s.code'],
};

export interface CsvStation {
  code: string;
  name: string;
  producer: string;
  country: string;
  lat: number;
  lon: number;
  depth: number;
}

/** The demo stations straight from demo/stations.csv: the oracle the SQL results are checked against. */
export function demoStations(): CsvStation[] {
  const text = fs.readFileSync(path.resolve(__dirname, '../../demo/stations.csv'), 'utf8').trim();
  const [, ...lines] = text.split('\n');
  return lines.map((l) => {
    const [code, name, , producer, country, lat, lon, depth] = l.split(',');
    return { code, name, producer, country, lat: Number(lat), lon: Number(lon), depth: Number(depth) };
  });
}

/** Codes of the demo stations matching a predicate, sorted like the SQL result. */
export function expectedCodes(pred: (s: CsvStation) => boolean): string[] {
  return demoStations().filter(pred).map((s) => s.code).sort();
}

/** Compiles a filter for STATION and runs it, returning the selected station codes in code order. */
export async function selectCodes(store: Store, filter: Filter, type: FeatureTypeDef = STATION): Promise<string[]> {
  const params = new SqlParams();
  const where = compileFilter(filter, type, params);
  const r = await store.query<{ code: string }>(`SELECT ${type.idSql} AS code FROM ${type.from} WHERE ${where} ORDER BY ${type.orderKey.join(', ')}`, params.values);
  return r.rows.map((x) => x.code);
}
