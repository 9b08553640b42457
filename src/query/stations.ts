import type { Queryable } from '../data/store';
import { JOIN, NETWORK, PRODUCER, STATION } from '../catalog/schema';
import type { FeatureTypeDef } from '../catalog/types';
import type { Filter } from '../fes/ast';
import { compileFilter } from '../fes/compile';
import { SqlParams } from './sqlParams';
import type { BoxFilter } from './types';

/** A network row as stored. */
export interface NetworkRow {
  id: number;
  code: string;
  name: string;
}

/** A station row as stored (network by id, producer by name). */
export interface StationRow {
  id: number;
  code: string;
  name: string;
  lon: number;
  lat: number;
  depth_m: number | null;
  country: string | null;
  network_id: number;
  producer: string | null;
}

/** Every network, by code. */
export async function readNetworks(db: Queryable): Promise<NetworkRow[]> {
  const r = await db.query<NetworkRow>(`SELECT ${NETWORK.id} AS id, ${NETWORK.code} AS code, ${NETWORK.name} AS name FROM ${NETWORK.from} ORDER BY ${NETWORK.code}`);
  return r.rows.map((x) => ({ ...x, id: Number(x.id) }));
}

/** Every station with its position and producer, by code. */
export async function readStations(db: Queryable): Promise<StationRow[]> {
  const r = await db.query<StationRow>(
    `SELECT ${STATION.id} AS id, ${STATION.code} AS code, ${STATION.name} AS name, ST_X(${STATION.geom})::float8 AS lon, ST_Y(${STATION.geom})::float8 AS lat,
            ${STATION.depth}::float8 AS depth_m, ${STATION.country} AS country, ${STATION.networkId} AS network_id, ${PRODUCER.name} AS producer
       FROM ${STATION.from} ${JOIN.producer} ORDER BY ${STATION.code}`,
  );
  return r.rows.map((x) => ({ ...x, id: Number(x.id), network_id: Number(x.network_id), lon: Number(x.lon), lat: Number(x.lat), depth_m: x.depth_m === null ? null : Number(x.depth_m) }));
}

/** Codes of the stations inside a box given in any supported CRS (PostGIS reprojects the box, so the test is exact in that CRS). */
export async function stationCodesInBox(db: Queryable, box: BoxFilter): Promise<Set<string>> {
  const params = new SqlParams();
  const [x0, y0, x1, y1, srid] = [box.minx, box.miny, box.maxx, box.maxy, box.srid].map((v) => params.add(v));
  const r = await db.query<{ code: string }>(
    `SELECT ${STATION.code} AS code FROM ${STATION.from} WHERE ST_Intersects(${STATION.geom}, ST_Transform(ST_MakeEnvelope(${x0}, ${y0}, ${x1}, ${y1}, ${srid}), 4326))`,
    params.values,
  );
  return new Set(r.rows.map((x) => x.code));
}


/**
 * Codes of the stations an FES filter selects, the filter compiled over the Station feature type (its
 * geometry and properties: the same SQL a WFS or OGC API filter on stations runs), in code order.
 */
export async function stationCodesMatching(db: Queryable, stationType: FeatureTypeDef, filter: Filter): Promise<Set<string>> {
  const params = new SqlParams();
  const cond = compileFilter(filter, stationType, params);
  const r = await db.query<{ code: string }>(`SELECT ${STATION.code} AS code FROM ${stationType.from} WHERE ${cond} ORDER BY ${STATION.code}`, params.values);
  return new Set(r.rows.map((x) => x.code));
}
