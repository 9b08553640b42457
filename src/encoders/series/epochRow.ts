import type { ChunkWriter } from '../chunkWriter';
import { ISO_TIME_BYTES, IsoTimeWriter } from './isoTime';
import { MAX_VALUE_CHARS } from './sqlText';
import { putDouble } from './xsDouble';

/** Longest epoch text accepted (11 digits and a sign: years up to 5138). */
export const MAX_EPOCH_DIGITS = 12;
/** Longest stamp text accepted (EPOCH_QC_VALUE's `epoch * 10 + qc`: the epoch's digits and the flag's). */
const MAX_STAMP_CHARS = MAX_EPOCH_DIGITS + 1;
/** Most bytes putTimeValueQc writes. */
export const TIME_VALUE_QC_MAX = ISO_TIME_BYTES + 1 + MAX_VALUE_CHARS + 2;
const COMMA = 44;
const SPACE = 32;
const MINUS = 45;

/**
 * Where the stamp of the row r[a, b) ends: at its space, or at b when the value is missing. `known` is
 * the last row's stamp length: a series' stamps keep one length for years on end, and a row has one space
 * at most, so a space at that offset is this row's; otherwise the stamp is scanned for.
 */
export function stampEnd(r: string, a: number, b: number, known: number): number {
  const guess = a + known;
  return known > 0 && guess < b && r.charCodeAt(guess) === SPACE ? guess : scanStamp(r, a, b);
}

/** stampEnd's scan, apart so that the per-row check stays small enough to inline into the row loops. */
function scanStamp(r: string, a: number, b: number): number {
  // Bounded, not indexOf: a row without a value has no space, and indexOf would search the rows after it.
  let i = a;
  while (i < b && r.charCodeAt(i) !== SPACE) i++;
  if (i === a || i - a > MAX_STAMP_CHARS) throw new Error(`unexpected observation row "${r.slice(a, b)}"`);
  return i;
}

/**
 * Reads the row text of EPOCH_QC_VALUE (sqlText.ts), the stamp `epoch * 10 + qc` then ` value` unless
 * the value is missing, and writes its parts. That text is the cheapest PostgreSQL can give (an integer
 * and a float): formatting the time there (timestamp_out) cost it twice the rest of a one-month request,
 * and PostgreSQL is the part of the stack the other tenants of a busy machine squeeze first. read()
 * sets the fields of one row; no per-row object or string is made.
 */
export class EpochRowReader {
  private readonly iso = new IsoTimeWriter();
  private r = '';
  /** Length of the last row's stamp. */
  private stampChars = 0;
  /** Seconds since the epoch of the row read last. */
  sec = 0;
  /** Its quality flag (0-9). */
  qc = 0;
  /** Where the value starts in the row's text (valueEnd when the value is missing), and where it ends. */
  valueStart = 0;
  valueEnd = 0;

  /** Reads the row r[a, b). */
  read(r: string, a: number, b: number): void {
    const end = stampEnd(r, a, b, this.stampChars);
    this.stampChars = end - a;
    const neg = r.charCodeAt(a) === MINUS;
    let n = 0;
    for (let i = neg ? a + 1 : a; i < end; i++) n = n * 10 + (r.charCodeAt(i) - 48);
    if (neg) n = -n;
    // Floored, so a time before 1970 keeps a flag of 0-9: -5 s with flag 3 is -47.
    const sec = Math.floor(n / 10);
    this.r = r;
    this.sec = sec;
    this.qc = n - sec * 10;
    this.valueStart = end < b ? end + 1 : b;
    this.valueEnd = b;
  }

  /** True when the row has a value. */
  get hasValue(): boolean {
    return this.valueStart < this.valueEnd;
  }

  /** Writes the time as ISO 8601 UTC, `YYYY-MM-DDTHH:MM:SSZ` (the caller made room for ISO_TIME_BYTES). */
  putTime(w: ChunkWriter): void {
    this.iso.write(w.bytes, w.claim(ISO_TIME_BYTES), this.sec);
  }

  /** Writes the quality flag's digit (one byte). */
  putQc(w: ChunkWriter): void {
    w.bytes[w.claim(1)] = 48 + this.qc;
  }

  /** Writes the value's text as PostgreSQL wrote it (nothing when missing; the caller made room). */
  putValue(w: ChunkWriter): void {
    w.putAscii(this.r, this.valueStart, this.valueEnd);
  }

  /** Writes `time,value,qc` (ISO 8601 time, the value as PostgreSQL wrote it or nothing): a CSV line's fields, an O&M 1.0 block. */
  putTimeValueQc(w: ChunkWriter): void {
    this.putTime(w);
    w.bytes[w.claim(1)] = COMMA;
    w.putAscii(this.r, this.valueStart, this.valueEnd);
    const o = w.claim(2);
    w.bytes[o] = COMMA;
    w.bytes[o + 1] = 48 + this.qc;
  }

  /** Writes the value as xs:double (PostgreSQL's infinities are INF and -INF there; the caller made room). */
  putXsDouble(w: ChunkWriter): void {
    putDouble(w, this.r, this.valueStart, this.valueEnd);
  }

  /** True when the value is NaN or an infinity (PostgreSQL's `NaN`, `Infinity`, `-Infinity`), which JSON cannot carry. */
  get valueNonFinite(): boolean {
    const c = this.r.charCodeAt(this.valueStart);
    return c === 78 /* N */ || c === 73 /* I */ || (c === 45 && this.r.charCodeAt(this.valueStart + 1) === 73);
  }
}
