import { isoSql } from '../../data/sqlTime';

/** Observation time as ISO 8601 UTC text (formatted by PostgreSQL). */
export const TIME_TEXT = isoSql('o.time');
/**
 * Observation time as `YYYY-MM-DD HH:MI:SS` (UTC, whole seconds), the timestamp's own output
 * format: several times cheaper for PostgreSQL than to_char. Writers turn it into ISO 8601 with
 * ChunkWriter.putIsoTime (a 'T' for the blank, a 'Z' after), so clients see the same text.
 */
export const TIME_PLAIN = `date_trunc('second', o.time AT TIME ZONE 'UTC')::text`;
/** TIME_PLAIN made ISO 8601 in PostgreSQL (still cheaper than to_char), for text aggregated there. */
export const TIME_ISO = `replace(${TIME_PLAIN}, ' ', 'T') || 'Z'`;
/** Length of TIME_PLAIN's text. */
export const TIME_PLAIN_LENGTH = 19;
/**
 * Whole seconds since the epoch (observation ids, and the time of O&M rows), truncated like TIME_PLAIN.
 * date_part is float8 arithmetic; extract() goes through numeric and costs PostgreSQL several times more.
 */
export const EPOCH = `floor(date_part('epoch', o.time))::bigint`;
/** The value as JSON number text; null (and non-finite values, which JSON cannot carry) as null. */
export const VALUE_JSON = `CASE WHEN o.value > '-Infinity'::float8 AND o.value < 'Infinity'::float8 THEN o.value::text ELSE 'null' END`;
/** The value as text, empty when missing (CSV, XML). */
export const VALUE_TEXT = `coalesce(o.value::text, '')`;
