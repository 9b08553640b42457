/**
 * The quality flags of one series held in memory while its other columns stream: the column driver
 * (streamSeriesColumns) reads the flags in the same scan as the times instead of scanning the series
 * once more, and keeps them here until their column's turn. One byte a row while every flag is 0…255
 * (the schema allows 0…9), two bytes (any smallint) once one is not: a 172,000-row series holds 168 KiB,
 * a million rows 1 MiB. The text given back is exactly the text PostgreSQL sent (smallint output joined
 * by the separator), so an encoder cannot tell held flags from streamed ones.
 */

const COMMA = 44;
const MINUS = 45;

export class HeldFlags {
  private codes: Uint8Array | Int16Array;
  private n = 0;

  /** `expectedRows`: the series' stored count, the first allocation (the array grows past it if needed). */
  constructor(expectedRows: number) {
    this.codes = new Uint8Array(Math.max(16, expectedRows));
  }

  /** Rows held. */
  get length(): number {
    return this.n;
  }

  /** Bytes held (what the typed array takes). */
  get bytes(): number {
    return this.codes.byteLength;
  }

  /** Appends the flags of `text`: integers joined by commas, as PostgreSQL's string_agg(qc::text, ',') gives them. */
  add(text: string): void {
    if (text === '') return;
    let v = 0;
    let neg = false;
    for (let i = 0; i <= text.length; i++) {
      const c = i < text.length ? text.charCodeAt(i) : COMMA;
      if (c === COMMA) {
        this.push(neg ? -v : v);
        v = 0;
        neg = false;
      } else if (c === MINUS) neg = true;
      else v = v * 10 + (c - 48);
    }
  }

  /** The flags of rows [start, end) as PostgreSQL would have written them, joined by commas. */
  text(start: number, end: number): string {
    const codes = this.codes;
    if (codes instanceof Uint8Array) {
      // 0…9, the schema's flags, are one digit: one byte and a comma a row, decoded as Latin-1 at once.
      let digits = true;
      for (let i = start; i < end && digits; i++) digits = codes[i] < 10;
      if (digits) {
        const b = Buffer.allocUnsafe(Math.max(0, 2 * (end - start) - 1));
        for (let i = start, o = 0; i < end; i++, o += 2) {
          b[o] = 48 + codes[i];
          if (o + 1 < b.length) b[o + 1] = COMMA;
        }
        return b.toString('latin1');
      }
    }
    const parts: string[] = [];
    for (let i = start; i < end; i++) parts.push(String(codes[i]));
    return parts.join(',');
  }

  private push(v: number): void {
    if (this.n === this.codes.length) this.grow(this.codes.length * 2);
    if (this.codes instanceof Uint8Array && (v < 0 || v > 255)) {
      const wide = new Int16Array(this.codes.length);
      wide.set(this.codes.subarray(0, this.n));
      this.codes = wide;
    }
    this.codes[this.n++] = v;
  }

  private grow(size: number): void {
    const next = this.codes instanceof Uint8Array ? new Uint8Array(size) : new Int16Array(size);
    next.set(this.codes.subarray(0, this.n));
    this.codes = next;
  }
}
