import type { Offering } from '../../catalog/offerings';
import type { RowSeriesEncoder, TextSeriesEncoder } from '../../query/observations';
import { ChunkWriter } from '../chunkWriter';
import { MinMaxDownsampler } from './downsample';
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
 * series keeps its first and last points; time order is kept (MinMaxDownsampler). Bounded memory (one bucket).
 */
export class DownsamplingJsonEncoder implements RowSeriesEncoder {
  readonly columns = DOWNSAMPLE_COLUMNS;
  readonly needsExtent = true;
  private readonly inner: SosJsonEncoder;
  private readonly sampler: MinMaxDownsampler<Pt>;
  private kept: Pt[] = [];

  /** PostgreSQL pre-selects each bucket's extremes (see bucketExtremesSql); this pass keeps them all. */
  get sqlBuckets(): number {
    return this.sampler.buckets;
  }

  constructor(
    private readonly w: ChunkWriter,
    target: number,
  ) {
    this.inner = new SosJsonEncoder(w);
    this.sampler = new MinMaxDownsampler<Pt>(target);
  }

  begin(): Promise<void> {
    return this.inner.begin();
  }

  async seriesStart(ds: Offering, extent: { begin: string; end: string } | undefined): Promise<void> {
    await this.inner.seriesStart(ds);
    this.sampler.start(extent!);
  }

  async rows(ds: Offering, rows: unknown[][]): Promise<void> {
    for (const r of rows) this.sampler.add(r as unknown as Pt, this.kept);
    await this.writeKept(ds);
  }

  async seriesEnd(ds: Offering): Promise<void> {
    this.sampler.finish(this.kept);
    await this.writeKept(ds);
    await this.inner.seriesEnd();
  }

  end(): Promise<void> {
    return this.inner.end();
  }

  private async writeKept(ds: Offering): Promise<void> {
    if (this.kept.length === 0) return;
    const text = this.kept.map((p) => p[2]).join(',');
    this.kept = [];
    await this.inner.text(ds, text);
  }
}
