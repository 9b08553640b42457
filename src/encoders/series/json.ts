import type { Offering } from '../../catalog/offerings';
import type { RowSeriesEncoder, TextSeriesEncoder } from '../../query/observations';
import { ChunkWriter } from '../chunkWriter';
import { EPOCH_MS, QC, TIME_ISO, VALUE, VALUE_JSON } from './sqlText';

/** Content type of the JSON time-series output. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** One point `["time",value,qc]` as SQL. */
const POINT_SQL = `'["' || ${TIME_ISO} || '",' || ${VALUE_JSON} || ',' || ${QC} || ']'`;

/** Series header: everything but the points, as documented in docs/sos.md. */
function seriesHead(ds: Offering): string {
  return (
    JSON.stringify({
      offering: ds.code,
      procedure: ds.procedure,
      observedProperty: ds.propertyUri,
      featureOfInterest: ds.station,
      label: ds.label,
      uom: ds.uom,
    }).slice(0, -1) + ',"points":['
  );
}

/**
 * JSON: {"series":[{offering, procedure, observedProperty, featureOfInterest, label, uom,
 * points:[[time, value, qc], ...]}]}; each point is formatted by PostgreSQL.
 */
export class SosJsonEncoder implements TextSeriesEncoder {
  readonly textSql = POINT_SQL;
  readonly textSeparator = ',';
  private firstSeries = true;
  private firstPoint = true;

  constructor(private readonly w: ChunkWriter) {}

  /** The next points of the series, already joined by commas. */
  async text(_ds: Offering, text: string): Promise<void> {
    if (!this.firstPoint) await this.w.write(',');
    await this.w.write(text);
    this.firstPoint = false;
  }

  /** Writes the document start. */
  begin(): Promise<void> {
    return this.w.write('{"series":[');
  }

  async seriesStart(ds: Offering): Promise<void> {
    await this.w.write((this.firstSeries ? '' : ',') + seriesHead(ds));
    this.firstSeries = false;
    this.firstPoint = true;
  }

  seriesEnd(): Promise<void> {
    return this.w.write(']}');
  }

  /** Writes the document end and flushes. */
  async end(): Promise<void> {
    await this.w.write(']}');
    await this.w.finish();
  }
}

/** Columns the downsampling encoder reads: epoch ms for bucketing, the value for extremes, the point text. */
const DOWNSAMPLE_COLUMNS = `${EPOCH_MS}, ${VALUE}, ${POINT_SQL}`;

type Pt = [number, number | null, string];

/**
 * JSON with `downsample=N`: each series is cut into B = max(1, floor(N/2)) equal time buckets
 * between its first and last point; each bucket keeps its minimum and maximum value, and the
 * series keeps its first and last points; time order is kept. Bounded memory (one bucket).
 */
export class DownsamplingJsonEncoder implements RowSeriesEncoder {
  readonly columns = DOWNSAMPLE_COLUMNS;
  readonly needsExtent = true;
  private readonly inner: SosJsonEncoder;
  /** PostgreSQL pre-selects each bucket's extremes (see bucketExtremesSql); this pass keeps them all. */
  get sqlBuckets(): number {
    return this.buckets;
  }
  private buckets = 1;
  private t0 = 0;
  private span = 1;
  private bucket = -1;
  private min: Pt | undefined;
  private max: Pt | undefined;
  private firstOfSeries: Pt | undefined;
  private last: Pt | undefined;
  private emittedFirst = false;
  private pending: string[] = [];

  constructor(
    private readonly w: ChunkWriter,
    target: number,
  ) {
    this.inner = new SosJsonEncoder(w);
    this.buckets = Math.max(1, Math.floor(target / 2));
  }

  begin(): Promise<void> {
    return this.inner.begin();
  }

  async seriesStart(ds: Offering, extent: { begin: string; end: string } | undefined): Promise<void> {
    await this.inner.seriesStart(ds);
    this.t0 = Date.parse(extent!.begin);
    this.span = Date.parse(extent!.end) - this.t0 + 1;
    this.bucket = -1;
    this.min = this.max = this.last = this.firstOfSeries = undefined;
    this.emittedFirst = false;
  }

  async rows(ds: Offering, rows: unknown[][]): Promise<void> {
    for (const r of rows) {
      const p = r as unknown as Pt;
      const b = bucketOf(p[0], this.t0, this.span, this.buckets);
      if (b !== this.bucket) {
        this.flushBucket(false);
        this.bucket = b;
      }
      if (!this.firstOfSeries) this.firstOfSeries = p;
      if (p[1] !== null) {
        if (!this.min || p[1] < this.min[1]!) this.min = p;
        if (!this.max || p[1] > this.max[1]!) this.max = p;
      }
      this.last = p;
    }
    if (this.pending.length) {
      await this.inner.text(ds, this.pending.join(','));
      this.pending = [];
    }
  }

  async seriesEnd(ds: Offering): Promise<void> {
    this.flushBucket(true);
    if (this.pending.length) await this.inner.text(ds, this.pending.join(','));
    this.pending = [];
    await this.inner.seriesEnd();
  }

  end(): Promise<void> {
    return this.inner.end();
  }

  /** Emits the current bucket's kept points (first of series, min, max, last of series) in time order. */
  private flushBucket(final: boolean): void {
    if (this.bucket < 0) return;
    const keep = new Map<number, Pt>();
    if (!this.emittedFirst && this.firstOfSeries) keep.set(this.firstOfSeries[0], this.firstOfSeries);
    if (this.min) keep.set(this.min[0], this.min);
    if (this.max) keep.set(this.max[0], this.max);
    if (final && this.last) keep.set(this.last[0], this.last);
    for (const p of [...keep.values()].sort((a, b) => a[0] - b[0])) this.pending.push(p[2]);
    this.emittedFirst = true;
    this.min = this.max = undefined;
  }
}

/** Bucket index of a time (ms) in a series starting at t0 and spanning `span` ms, cut into n buckets. */
export function bucketOf(t: number, t0: number, span: number, n: number): number {
  return Math.min(n - 1, Math.floor(((t - t0) * n) / span));
}
