import type { Offering } from '../../catalog/offerings';
import type { RowSeriesEncoder, TextSeriesEncoder } from '../../query/observations';
import { ChunkWriter } from '../chunkWriter';
import { MinMaxDownsampler } from './downsample';
import { EpochRowReader } from './epochRow';
import { ISO_TIME_BYTES } from './isoTime';
import { EPOCH_MS, EPOCH_QC_VALUE, MAX_VALUE_CHARS, QC, TIME_ISO, VALUE, VALUE_JSON } from './sqlText';

/** Content type of the JSON time-series output. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** One point `["time",value,qc]` as SQL (the downsampling pass keeps whole points). */
const POINT_SQL = `'["' || ${TIME_ISO} || '",' || ${VALUE_JSON} || ',' || ${QC} || ']'`;

const POINT_OPEN = Buffer.from('["');
const POINT_OPEN_NEXT = Buffer.from(',["');
const TIME_CLOSE = Buffer.from('",');
const NULL = Buffer.from('null');
const COMMA = Buffer.from(',');
const POINT_CLOSE = Buffer.from(']');
/** Most bytes one point takes. */
const POINT_MAX = POINT_OPEN_NEXT.length + ISO_TIME_BYTES + TIME_CLOSE.length + MAX_VALUE_CHARS + 3;

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
 * points:[[time, value, qc], ...]}]}; a missing or non-finite value is null.
 */
export class SosJsonEncoder implements TextSeriesEncoder {
  readonly textSql = EPOCH_QC_VALUE;
  readonly textSeparator = '\n';
  private firstSeries = true;
  private firstPoint = true;
  private readonly row = new EpochRowReader();

  constructor(private readonly w: ChunkWriter) {}

  /** A point per row text. */
  text(_ds: Offering, text: string): Promise<void> {
    return this.w.lines(text, POINT_MAX, this.point);
  }

  private readonly point = (s: string, a: number, b: number): void => {
    const { w, row } = this;
    row.read(s, a, b);
    w.put(this.firstPoint ? POINT_OPEN : POINT_OPEN_NEXT);
    this.firstPoint = false;
    row.putTime(w);
    w.put(TIME_CLOSE);
    if (row.hasValue && !row.valueNonFinite) row.putValue(w);
    else w.put(NULL);
    w.put(COMMA);
    row.putQc(w);
    w.put(POINT_CLOSE);
  };

  /** Points already written as JSON text and joined by commas (the downsampling pass's). */
  async pointsText(text: string): Promise<void> {
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
    await this.writeKept();
  }

  async seriesEnd(ds: Offering): Promise<void> {
    this.sampler.finish(this.kept);
    await this.writeKept();
    await this.inner.seriesEnd();
  }

  end(): Promise<void> {
    return this.inner.end();
  }

  private async writeKept(): Promise<void> {
    if (this.kept.length === 0) return;
    const text = this.kept.map((p) => p[2]).join(',');
    this.kept = [];
    await this.inner.pointsText(text);
  }
}
