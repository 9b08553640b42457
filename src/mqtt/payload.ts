import { MAX_INSTANT, MIN_INSTANT, parseIsoInstant } from '../util/time';

/*
 * The payloads of an MQTT feed message, checked here so that a message is either all good rows or one
 * reason for the dead-letter topic (the writer then never refuses a row of the feed):
 *   JSON  {"time":"2025-06-01T10:00:00Z","value":27.4,"qc":1}  or an array of such objects;
 *   CSV   lines `time,value[,qc]` (no header; an empty value is a missing one).
 * qc defaults to 0 (no QC performed, as in the import format), value may be null.
 */

/** One observation of a message, before its dataset is looked up. */
export interface FeedRow {
  /** Epoch milliseconds. */
  time: number;
  value: number | null;
  qc: number;
}

/** A message's rows, or why it goes to the dead-letter topic. */
export type ParsedPayload = { rows: FeedRow[] } | { reason: string };

/** Largest number of observations one message may carry (a batch holds many messages). */
export const MAX_ROWS_PER_MESSAGE = 10_000;

/** Parses one message body (JSON object, JSON array or CSV lines). */
export function parsePayload(body: Buffer): ParsedPayload {
  const text = body.toString('utf8').trim();
  if (text === '') return { reason: 'empty payload' };
  try {
    const rows = text[0] === '{' || text[0] === '[' ? fromJson(text) : fromCsv(text);
    if (rows.length === 0) return { reason: 'no observation in the payload' };
    if (rows.length > MAX_ROWS_PER_MESSAGE) return { reason: `more than ${MAX_ROWS_PER_MESSAGE} observations in one message` };
    return { rows };
  } catch (err) {
    if (err instanceof PayloadError) return { reason: err.message };
    throw err;
  }
}

class PayloadError extends Error {}

function fromJson(text: string): FeedRow[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new PayloadError('malformed JSON');
  }
  const items = Array.isArray(doc) ? doc : [doc];
  return items.map((o, i) => {
    const at = Array.isArray(doc) ? `item ${i + 1}: ` : '';
    if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new PayloadError(`${at}not an object {"time","value","qc"}`);
    const { time, value, qc } = o as Record<string, unknown>;
    if (typeof time !== 'string') throw new PayloadError(`${at}"time" must be an ISO 8601 string`);
    if (value !== null && value !== undefined && typeof value !== 'number') throw new PayloadError(`${at}"value" must be a number or null`);
    if (qc !== undefined && typeof qc !== 'number') throw new PayloadError(`${at}"qc" must be a digit 0-9`);
    return row(at, time, value ?? null, qc ?? 0);
  });
}

function fromCsv(text: string): FeedRow[] {
  return text.split(/\r?\n/).filter((l) => l.trim() !== '').map((line, i) => {
    const at = `line ${i + 1}: `;
    const f = line.split(',').map((s) => s.trim());
    if (f.length < 2 || f.length > 3) throw new PayloadError(`${at}expected time,value[,qc]`);
    let value: number | null = null;
    if (f[1] !== '') {
      // Number('') and Number(' ') are 0, Number('0x1f') is 31: only plain decimals pass.
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(f[1])) throw new PayloadError(`${at}value is not a number: "${f[1]}"`);
      value = Number(f[1]);
    }
    if (f.length === 3 && !/^[0-9]$/.test(f[2])) throw new PayloadError(`${at}quality flag must be a digit 0-9: "${f[2]}"`);
    return row(at, f[0], value, f.length === 3 ? Number(f[2]) : 0);
  });
}

function row(at: string, time: string, value: number | null, qc: number): FeedRow {
  // A zone is required: a feed's local time would be read as UTC without anyone noticing.
  const t = parseIsoInstant(time, { requireZone: true });
  if (t === null || t < MIN_INSTANT || t > MAX_INSTANT) throw new PayloadError(`${at}invalid ISO 8601 time (with Z or an offset, years 0001-9999): "${time.slice(0, 64)}"`);
  if (value !== null && !Number.isFinite(value)) throw new PayloadError(`${at}value is not a finite number`);
  if (!Number.isInteger(qc) || qc < 0 || qc > 9) throw new PayloadError(`${at}quality flag must be a digit 0-9: ${qc}`);
  return { time: t, value, qc };
}
