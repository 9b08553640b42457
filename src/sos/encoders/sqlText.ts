import { isoSql } from '../catalog';

/** Observation time as ISO 8601 UTC text (formatted by PostgreSQL). */
export const TIME_TEXT = isoSql('o.time');
/** Seconds since the epoch (observation ids). */
export const EPOCH = `extract(epoch FROM o.time)::bigint`;
/** The value as JSON number text; null (and non-finite values, which JSON cannot carry) as null. */
export const VALUE_JSON = `CASE WHEN o.value > '-Infinity'::float8 AND o.value < 'Infinity'::float8 THEN o.value::text ELSE 'null' END`;
/** The value as text, empty when missing (CSV, XML). */
export const VALUE_TEXT = `coalesce(o.value::text, '')`;
