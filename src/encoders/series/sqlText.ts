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
 * format: several times cheaper for PostgreSQL than to_char. Writers turn it into ISO 8601 with
 * ChunkWriter.putIsoTime (a 'T' for the blank, a 'Z' after), so clients see the same text.
 */
export const TIME_PLAIN = `date_trunc('second', ${time} AT TIME ZONE 'UTC')::text`;
/** TIME_PLAIN made ISO 8601 in PostgreSQL (still cheaper than to_char), for text aggregated there. */
export const TIME_ISO = `replace(${TIME_PLAIN}, ' ', 'T') || 'Z'`;
/** Length of TIME_PLAIN's text. */
export const TIME_PLAIN_LENGTH = 19;
/**
 * Whole seconds since the epoch (observation ids, and the time of O&M rows), truncated like TIME_PLAIN.
 * date_part is float8 arithmetic; extract() goes through numeric and costs PostgreSQL several times more.
 */
export const EPOCH = `floor(date_part('epoch', ${time}))::bigint`;
/** Milliseconds since the epoch as float8 (bucketing by time when downsampling). */
export const EPOCH_MS = `(extract(epoch FROM ${time}) * 1000)::float8`;
/** The value as a float8 column (or its text in concat_ws), null when missing. */
export const VALUE = value;
/** The value as JSON number text; null (and non-finite values, which JSON cannot carry) as null. */
export const VALUE_JSON = `CASE WHEN ${value} > '-Infinity'::float8 AND ${value} < 'Infinity'::float8 THEN ${value}::text ELSE 'null' END`;
/** The value as text, empty when missing (CSV, XML). */
export const VALUE_TEXT = `coalesce(${value}::text, '')`;
/** The quality flag (a smallint; `||` and concat_ws make it text). */
export const QC = qc;
/** `time,value,qc` with an ISO 8601 time: a CSV line after its offering, and an O&M 1.0 DataArray block. */
export const TIME_VALUE_QC = `${TIME_ISO} || ',' || ${VALUE_TEXT} || ',' || ${QC}`;
