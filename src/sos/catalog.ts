import { sharedStore } from '../data/requestStore';
import type { Queryable } from '../data/store';
import { isoSql } from '../data/sqlTime';
import { SqlParams } from '../query/sqlParams';

/** One SOS offering = one dataset, with everything the documents say about it. */
export interface Offering {
  id: number;
  /** Offering identifier (dataset code). */
  code: string;
  /** Procedure identifier (sensor code). */
  procedure: string;
  family: string;
  /** Feature of interest identifier (station code). */
  station: string;
  stationName: string;
  lon: number;
  lat: number;
  depth: number | null;
  country: string | null;
  network: string;
  producer: string | null;
  propertyCode: string;
  standardName: string;
  /** observedProperty identifier (vocabulary URI). */
  propertyUri: string;
  label: string;
  uom: string;
  processingLevel: string;
  /** First and last observation times (ISO UTC), null for a dataset without data. */
  timeStart: string | null;
  timeEnd: string | null;
  obsCount: number;
}


const OFFERING_SQL = `
SELECT d.id, d.code, se.code AS procedure, se.family, s.code AS station, s.name AS station_name,
       ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat, s.depth_m, s.country, n.code AS network, org.name AS producer,
       p.code AS property_code, p.standard_name, p.vocabulary_uri, p.label, p.uom, d.processing_level,
       ${isoSql('d.time_start')} AS time_start, ${isoSql('d.time_end')} AS time_end, d.obs_count
FROM dataset d
JOIN station s ON s.id = d.station_id
JOIN network n ON n.id = s.network_id
LEFT JOIN organisation org ON org.id = s.producer_id
JOIN sensor se ON se.id = d.sensor_id
JOIN observed_property p ON p.id = d.property_id`;

/** Optional restriction of the offering list to stations inside a box (any supported CRS). */
export interface BoxFilter {
  minx: number;
  miny: number;
  maxx: number;
  maxy: number;
  srid: number;
}

/** How long the offering list is reused: it changes only on import, and every SOS request reads it. */
const OFFERINGS_TTL_MS = 2000;
const offeringsCache = new WeakMap<Queryable, { at: number; list: Promise<Offering[]> }>();

/** Loads every offering (ordered by code), optionally only those whose station lies in the box. */
export async function loadOfferings(db: Queryable, box?: BoxFilter): Promise<Offering[]> {
  if (!box) {
    // Cached per shared store, and loaded outside any one request: the requests that wait on the list
    // must not see it cancelled because the one that started loading it went away.
    const shared = sharedStore(db);
    const hit = offeringsCache.get(shared);
    if (hit && Date.now() - hit.at < OFFERINGS_TTL_MS) return hit.list;
    const list = queryOfferings(shared);
    offeringsCache.set(shared, { at: Date.now(), list });
    list.catch(() => offeringsCache.delete(shared));
    return list;
  }
  return queryOfferings(db, box);
}

async function queryOfferings(db: Queryable, box?: BoxFilter): Promise<Offering[]> {
  const params = new SqlParams();
  let where = '';
  if (box) {
    const [x0, y0, x1, y1, srid] = [box.minx, box.miny, box.maxx, box.maxy, box.srid].map((v) => params.add(v));
    where = ` WHERE ST_Intersects(s.geom, ST_Transform(ST_MakeEnvelope(${x0}, ${y0}, ${x1}, ${y1}, ${srid}), 4326))`;
  }
  const r = await db.query<Record<string, unknown>>(`${OFFERING_SQL}${where} ORDER BY d.code`, params.values);
  return r.rows.map(toOffering);
}

function toOffering(r: Record<string, unknown>): Offering {
  return {
    id: Number(r.id),
    code: String(r.code),
    procedure: String(r.procedure),
    family: String(r.family),
    station: String(r.station),
    stationName: String(r.station_name),
    lon: Number(r.lon),
    lat: Number(r.lat),
    depth: r.depth_m === null ? null : Number(r.depth_m),
    country: (r.country as string | null) ?? null,
    network: String(r.network),
    producer: (r.producer as string | null) ?? null,
    propertyCode: String(r.property_code),
    standardName: String(r.standard_name),
    propertyUri: String(r.vocabulary_uri),
    label: String(r.label),
    uom: String(r.uom),
    processingLevel: String(r.processing_level),
    timeStart: (r.time_start as string | null) ?? null,
    timeEnd: (r.time_end as string | null) ?? null,
    obsCount: Number(r.obs_count),
  };
}

/** The capabilities updateSequence: when the latest import that changed data finished (ISO UTC, ms). */
export async function updateSequence(db: Queryable): Promise<string> {
  const r = await db.query<{ seq: string | null }>(
    `SELECT to_char(max(finished_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS seq FROM import_run WHERE changed`,
  );
  return r.rows[0]?.seq ?? '1970-01-01T00:00:00.000Z';
}

/** Distinct values of one offering field, in first-seen order. */
export function distinct<K extends keyof Offering>(offerings: Offering[], key: K): Offering[K][] {
  return [...new Set(offerings.map((o) => o[key]))];
}
