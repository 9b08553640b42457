import { OBSERVATION } from '../../catalog/schema';
import { isoSql } from '../../data/sqlTime';

/*
 * The SQL text of one observation row in each series format, over the observation columns of
 * src/catalog/schema.ts (the alias the statements of src/query/observations.ts give the table). These
 * texts are part of the hot path's prepared statements: a change here changes their plans.
 */
const { time, value, qc } = OBSERVATION;

/** Observation time as ISO 8601 UTC text (formatted by PostgreSQL). */
export const TIME_TEXT = isoSql(time);
/**
 * Observation time as `YYYY-MM-DD HH:MI:SS` (UTC, whole seconds), the timestamp's own output
 * format: several times cheaper for PostgreSQL than to_char (but see EPOCH_QC_VALUE).
 */
export const TIME_PLAIN = `date_trunc('second', ${time} AT TIME ZONE 'UTC')::text`;
/** TIME_PLAIN made ISO 8601 in PostgreSQL (still cheaper than to_char), for text aggregated there. */
export const TIME_ISO = `replace(${TIME_PLAIN}, ' ', 'T') || 'Z'`;
/**
 * Whole seconds since the epoch (observation ids, and the time of O&M rows), truncated like TIME_PLAIN.
 * date_part is float8 arithmetic; extract() goes through numeric and costs PostgreSQL several times more.
 */
export const EPOCH = `floor(date_part('epoch', ${time}))::bigint`;
/** Milliseconds since the epoch as float8 (bucketing by time when downsampling). */
export const EPOCH_MS = `(extract(epoch FROM ${time}) * 1000)::float8`;
/** Longest text PostgreSQL writes for a float8 (shortest round-trip form: -1.2345678901234567e-308). */
export const MAX_VALUE_CHARS = 40;
/** The value as a float8 column (or its text in concat_ws), null when missing. */
export const VALUE = value;
/** The value as JSON number text; null (and non-finite values, which JSON cannot carry) as null. */
export const VALUE_JSON = `CASE WHEN ${value} > '-Infinity'::float8 AND ${value} < 'Infinity'::float8 THEN ${value}::text ELSE 'null' END`;
/** The value as text, empty when missing (CSV, XML). */
export const VALUE_TEXT = `coalesce(${value}::text, '')`;
/** The quality flag (a smallint; `||` and concat_ws make it text). */
export const QC = qc;
/**
 * The row text of every encoder that writes a series row by row (read by EpochRowReader, or O&M 2.0's
 * templates): a stamp, `epoch * 10 + qc` (the flag is one digit, CHECK qc BETWEEN 0 AND 9), then
 * ` value` unless the value is missing. One integer and a float are the cheapest text PostgreSQL can
 * give: a month's rows cost it 0.6 ms this way against 1.2 ms with an ISO time and commas (the CSV text
 * before) and 1.3 ms as JSON points; the flag folded into the epoch saves it another integer to format
 * and a separator to send (0.64 -> 0.57 ms of its CPU for a month's statement; docs/benchmarks.md,
 * eleventh session).
 */
export const EPOCH_QC_VALUE = `concat_ws(' ', ${EPOCH} * 10 + ${QC}, ${VALUE})`;
