/**
 * Min/max downsampling of a time series (the `downsample=N` option of SOS JSON and EDR), shared by the
 * encoders that take it. PostgreSQL pre-selects each bucket's extremes (bucketExtremesSql in
 * src/query/observations.ts, same bucket formula); this pass keeps what it sent, or does all the work
 * when the series' span is too long for exact bucket arithmetic in SQL.
 */

/** A row as the downsampler reads it: time (epoch ms) and value (null when missing) first, then what the encoder writes. */
export type SampleRow = readonly [number, number | null, ...unknown[]];

/** Bucket index of a time (ms) in a series starting at t0 and spanning `span` ms, cut into n buckets. */
export function bucketOf(t: number, t0: number, span: number, n: number): number {
  return Math.min(n - 1, Math.floor(((t - t0) * n) / span));
}

/**
 * One series at a time: cut into B = max(1, floor(target/2)) equal time buckets between its first and
 * last point; each bucket keeps its minimum and maximum value (the first of equals), the series its
 * first and last points; time order is kept. Memory: the current bucket's four candidates.
 */
export class MinMaxDownsampler<P extends SampleRow> {
  readonly buckets: number;
  private t0 = 0;
  private span = 1;
  private bucket = -1;
  private min: P | undefined;
  private max: P | undefined;
  private first: P | undefined;
  private last: P | undefined;
  private emittedFirst = false;

  constructor(target: number) {
    this.buckets = Math.max(1, Math.floor(target / 2));
  }

  /** Starts a series whose rows lie between extent.begin and extent.end (ISO instants). */
  start(extent: { begin: string; end: string }): void {
    this.t0 = Date.parse(extent.begin);
    this.span = Date.parse(extent.end) - this.t0 + 1;
    this.bucket = -1;
    this.min = this.max = this.first = this.last = undefined;
    this.emittedFirst = false;
  }

  /** Reads the next row (time order); the rows of a bucket it closes are appended to `out`. */
  add(p: P, out: P[]): void {
    const b = bucketOf(p[0], this.t0, this.span, this.buckets);
    if (b !== this.bucket) {
      this.flush(false, out);
      this.bucket = b;
    }
    if (!this.first) this.first = p;
    const v = p[1];
    if (v !== null) {
      if (!this.min || v < this.min[1]!) this.min = p;
      if (!this.max || v > this.max[1]!) this.max = p;
    }
    this.last = p;
  }

  /** Ends the series: the last bucket's rows (and the series' last row) are appended to `out`. */
  finish(out: P[]): void {
    this.flush(true, out);
  }

  /** Appends the current bucket's kept rows (first of series, min, max, last of series) in time order. */
  private flush(final: boolean, out: P[]): void {
    if (this.bucket < 0) return;
    const keep = new Map<number, P>();
    if (!this.emittedFirst && this.first) keep.set(this.first[0], this.first);
    if (this.min) keep.set(this.min[0], this.min);
    if (this.max) keep.set(this.max[0], this.max);
    if (final && this.last) keep.set(this.last[0], this.last);
    for (const p of [...keep.values()].sort((a, b) => a[0] - b[0])) out.push(p);
    this.emittedFirst = true;
    this.min = this.max = undefined;
  }
}
