/**
 * What the column encoders (CoverageJSON, EDR GeoJSON) share: the SQL of their three columns (the
 * time axis, the values, the quality flags, each as JSON text formatted by PostgreSQL) and the
 * downsampling adapter that feeds them the rows `downsample=N` keeps.
 */
import type { Offering } from '../../catalog/offerings';
import type { ColumnSeriesEncoder, RowSeriesEncoder, SeriesExtent } from '../../query/observations';
import { MinMaxDownsampler } from './downsample';
import { TIME_ISO, VALUE_JSON } from './sqlText';

/** The time of a row as a JSON string (`"2024-01-01T00:00:00Z"`), the value as a JSON number or null, the flag as an integer. */
export const SERIES_COLUMNS: readonly string[] = [`'"' || ${TIME_ISO} || '"'`, VALUE_JSON, 'o.qc::text'];

/** What a column document encoder adds to the driver's protocol: its document start and end. */
export type ColumnDocumentEncoder = ColumnSeriesEncoder & { begin(): Promise<void>; end(): Promise<void> };

/** Largest `downsample` a column document takes: the points kept are held until the series ends (its columns are written one after the other). */
export const MAX_COLUMN_DOWNSAMPLE = 20_000;

type Kept = [number, number | null, ...string[]];

/**
 * A column encoder with `downsample=N`: rows read with their time (ms) and value for bucketing, then
 * each column's text; each series' kept rows (at most N + 2) are held and written as columns when it
 * ends. PostgreSQL pre-selects each bucket's extremes (sqlBuckets), as for SOS JSON.
 */
export class DownsampledColumns implements RowSeriesEncoder {
  readonly columns: string;
  readonly needsExtent = true;
  private readonly sampler: MinMaxDownsampler<Kept>;
  private kept: Kept[] = [];

  constructor(
    private readonly inner: ColumnDocumentEncoder,
    target: number,
  ) {
    this.columns = `(extract(epoch FROM o.time) * 1000)::float8, o.value, ${inner.columnSql.join(', ')}`;
    this.sampler = new MinMaxDownsampler<Kept>(target);
  }

  get metricLabels() {
    return this.inner.metricLabels;
  }

  get sqlBuckets(): number {
    return this.sampler.buckets;
  }

  begin(): Promise<void> {
    return this.inner.begin();
  }

  async seriesStart(ds: Offering, extent: SeriesExtent | undefined): Promise<void> {
    this.sampler.start(extent!);
    this.kept = [];
    await this.inner.seriesStart(ds, extent);
  }

  async rows(_ds: Offering, rows: unknown[][]): Promise<void> {
    for (const r of rows) this.sampler.add(r as unknown as Kept, this.kept);
  }

  async seriesEnd(ds: Offering): Promise<void> {
    this.sampler.finish(this.kept);
    const n = this.kept.length;
    for (let k = 0; k < this.inner.columnSql.length; k++) {
      await this.inner.column(ds, k, n, this.kept.map((r) => r[2 + k]).join(this.inner.columnSeparator));
    }
    this.kept = [];
    await this.inner.seriesEnd(ds);
  }

  end(): Promise<void> {
    return this.inner.end();
  }
}
