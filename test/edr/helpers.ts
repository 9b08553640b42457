import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import type { Store } from '../../src/data/store';
import type { TestApp } from '../helpers/app';
import { SHARED_DIR } from '../helpers/shared';

export const enc = encodeURIComponent;
export const EDR = '/ogcapi/collections/insitu';

/** The OGC API tests' GET (EDR lives on the same API): text, and the parsed JSON when there is a JSON body. */
export { get as edrGet } from '../ogcapi/helpers';

let validator: ReturnType<Ajv['compile']> | undefined;

/** The schema with each `uniqueItems: true` renamed `uniqueValues` (same rule, checked below in linear time). */
function withLinearUniqueness(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withLinearUniqueness);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => (k === 'uniqueItems' && v === true ? ['uniqueValues', true] : [k, withLinearUniqueness(v)])));
}

/** uniqueItems as JSON Schema defines it (no two equal items), by hashing: ajv compares every pair, which takes minutes on a 30,000-value time axis. */
function uniqueValues(_schema: unknown, data: unknown): boolean {
  if (!Array.isArray(data)) return true;
  const seen = new Set<string>();
  for (const item of data) {
    // JSON.stringify of a primitive is a canonical key; objects and arrays (rare here) fall back to a sorted-key form.
    const key = item !== null && typeof item === 'object' ? JSON.stringify(item, Object.keys(item).sort()) : JSON.stringify(item);
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}

/**
 * Validates a document against the OGC CoverageJSON 1.0 JSON schema (../shared/covjson-schema, offline,
 * ajv as its README shows) and returns the errors; `uniqueItems` is evaluated by hashing (same rule).
 */
export function covjsonErrors(doc: unknown): unknown[] {
  if (!validator) {
    const schema = JSON.parse(fs.readFileSync(path.join(SHARED_DIR, 'covjson-schema', 'coveragejson.json'), 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addKeyword({ keyword: 'uniqueValues', schemaType: 'boolean', validate: uniqueValues, errors: false });
    validator = ajv.compile(withLinearUniqueness(schema) as object);
  }
  return validator(doc) ? [] : (validator.errors ?? []);
}

/** One stored observation as a client reads it: ISO time to the second, value (null for missing and non-finite), flag. */
export interface Row {
  time: string;
  value: number | null;
  qc: number;
}

/** The rows of one dataset as the database holds them, optionally inside [from, to] (ISO, ends included), in time order. */
export async function dbRows(store: Store, datasetCode: string, from?: string, to?: string): Promise<Row[]> {
  const r = await store.query<{ t: string; v: number | null; q: number }>(
    `SELECT to_char(o.time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t, o.value AS v, o.qc AS q
       FROM observation o JOIN dataset d ON d.id = o.dataset_id
      WHERE d.code = $1 AND ($2::timestamptz IS NULL OR o.time >= $2) AND ($3::timestamptz IS NULL OR o.time <= $3) ORDER BY o.time`,
    [datasetCode, from ?? null, to ?? null],
  );
  return r.rows.map((x) => ({ time: x.t, value: x.v === null || !Number.isFinite(Number(x.v)) ? null : Number(x.v), qc: Number(x.q) }));
}

/** The rows of a CoverageJSON coverage (time axis, the parameter's range and its _QC range). */
export function coverageRows(cov: any, parameter: string): Row[] {
  const times: string[] = cov.domain.axes.t.values;
  const values: (number | null)[] = cov.ranges[parameter].values;
  const flags: number[] = cov.ranges[`${parameter}_QC`].values;
  expect(values).toHaveLength(times.length);
  expect(flags).toHaveLength(times.length);
  expect(cov.ranges[parameter].shape).toEqual([times.length]);
  expect(cov.ranges[`${parameter}_QC`].shape).toEqual([times.length]);
  return times.map((time, i) => ({ time, value: values[i], qc: flags[i] }));
}

/**
 * Appends `n` one-minute observations after a dataset's last one (every 7th missing, a NaN, an
 * infinity, some flags other than 1), so the series spans several 5,000-row batches; updates its stored
 * count and end as the importer would.
 */
export async function extendSeries(store: Store, datasetCode: string, n: number): Promise<void> {
  await store.query(
    `INSERT INTO observation (dataset_id, time, value, qc)
     SELECT d.id, d.time_end + g * interval '1 minute',
            CASE WHEN g % 7 = 0 THEN NULL WHEN g = 4999 THEN 'NaN'::float8 WHEN g = 5001 THEN 'Infinity'::float8 ELSE 20 + g * 0.001 END,
            CASE WHEN g % 1000 = 0 THEN 4 WHEN g % 333 = 0 THEN 3 ELSE 1 END
       FROM dataset d, generate_series(1, $2::int) g WHERE d.code = $1`,
    [datasetCode, n],
  );
  await store.query(
    `UPDATE dataset d SET obs_count = s.n, time_end = s.e FROM (SELECT dataset_id, count(*)::int AS n, max(time) AS e FROM observation GROUP BY dataset_id) s
     WHERE s.dataset_id = d.id AND d.code = $1`,
    [datasetCode],
  );
}

/** Dataset code → station code, property code, unit, as the catalogue holds them. */
export async function datasetInfo(store: Store): Promise<Map<string, { station: string; property: string; uom: string; lon: number; lat: number; depth: number | null }>> {
  const r = await store.query<{ code: string; station: string; property: string; uom: string; lon: number; lat: number; depth: number | null }>(
    `SELECT d.code, s.code AS station, p.code AS property, p.uom, ST_X(s.geom)::float8 AS lon, ST_Y(s.geom)::float8 AS lat, s.depth_m::float8 AS depth
       FROM dataset d JOIN station s ON s.id = d.station_id JOIN observed_property p ON p.id = d.property_id ORDER BY d.code`,
  );
  return new Map(r.rows.map((x) => [x.code, { station: x.station, property: x.property, uom: x.uom, lon: Number(x.lon), lat: Number(x.lat), depth: x.depth === null ? null : Number(x.depth) }]));
}
