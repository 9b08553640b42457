import type { ChunkWriter } from '../chunkWriter';
import { ISO_TIME_BYTES, IsoTimeWriter } from './isoTime';
import { MAX_VALUE_CHARS } from './sqlText';
import { putDouble } from './xsDouble';

/** Longest epoch text accepted (11 digits and a sign: years up to 5138). */
export const MAX_EPOCH_DIGITS = 12;
/** Most bytes putTimeValueQc writes. */
export const TIME_VALUE_QC_MAX = ISO_TIME_BYTES + 1 + MAX_VALUE_CHARS + 2;
const COMMA = 44;

/**
 * Reads the row text of EPOCH_QC_VALUE (sqlText.ts), `epoch qc` then ` value` unless the value is
 * missing, and writes its parts. That text is the cheapest PostgreSQL can give (two integers and a
 * float): formatting the time there (timestamp_out) cost it twice the rest of a one-month request,
 * and PostgreSQL is the part of the stack the other tenants of a busy machine squeeze first. read()
 * sets the fields of one row; no per-row object or string is made.
 */
export class EpochRowReader {
  private readonly iso = new IsoTimeWriter();
  private r = '';
  /** The space after the row's epoch. */
  private sp = 0;
  /** Seconds since the epoch of the row read last. */
  sec = 0;
  /** Where the value starts in the row's text (valueEnd when the value is missing), and where it ends. */
  valueStart = 0;
  valueEnd = 0;

  /** Reads the row r[a, b). */
  read(r: string, a: number, b: number): void {
    const sp = r.indexOf(' ', a);
    const digits = sp - a;
    if (digits < 1 || digits > MAX_EPOCH_DIGITS || sp >= b) throw new Error(`unexpected observation row "${r.slice(a, b)}"`);
    let sec = 0;
    const neg = r.charCodeAt(a) === 45;
    for (let i = neg ? a + 1 : a; i < sp; i++) sec = sec * 10 + (r.charCodeAt(i) - 48);
    this.r = r;
    this.sp = sp;
    this.sec = neg ? -sec : sec;
    // The flag is one digit (CHECK qc BETWEEN 0 AND 9).
    this.valueStart = sp + 3 < b ? sp + 3 : b;
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
    w.bytes[w.claim(1)] = this.r.charCodeAt(this.sp + 1);
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
    w.bytes[o + 1] = this.r.charCodeAt(this.sp + 1);
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
