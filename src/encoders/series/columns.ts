/**
 * What the column encoders (CoverageJSON, EDR GeoJSON) share: the SQL of their three columns (the
 * time axis, the values, the quality flags, each as JSON text formatted by PostgreSQL), the loop that
 * writes each column as one JSON array (ColumnArraysEncoder) and the downsampling adapter that feeds
 * them the rows `downsample=N` keeps.
 */
import type { Offering } from '../../catalog/offerings';
import type { RequestLabels } from '../../metrics/metrics';
import type { DeferredSection } from '../../ows/types';
import type { ColumnSection, ColumnSeriesEncoder, RowSeriesEncoder, SeriesExtent } from '../../query/observations';
import type { ChunkWriter } from '../chunkWriter';
import { MinMaxDownsampler } from './downsample';
import { ISO_TIME_BYTES, IsoTimeWriter } from './isoTime';
import { EPOCH, EPOCH_MS, QC, VALUE, VALUE_JSON } from './sqlText';

/**
 * The time of a row as whole epoch seconds (written as a JSON ISO 8601 string by writeTimes: PostgreSQL
 * formats an integer several times faster than a timestamp), the value as a JSON number or null (also
 * for NaN and infinities), the flag as an integer.
 */
export const SERIES_COLUMNS: readonly string[] = [`${EPOCH}::text`, VALUE_JSON, `${QC}::text`];

const QUOTE = 34;
const COMMA = 44;
const MINUS = 45;
/** Bytes of one written time: comma, quotes and the 20 of the time. */
const ITEM_BYTES = ISO_TIME_BYTES + 3;

/**
 * Writes a batch of column 0 (epoch seconds joined by commas) as `"2024-01-01T00:00:00Z"` items joined
 * by commas, after a comma when the array already has items. One pass over the text, no string per
 * row: the digits are read as they come and the time's bytes go straight into the chunk (IsoTimeWriter).
 */
export async function writeTimes(w: ChunkWriter, iso: IsoTimeWriter, text: string, afterItems: boolean): Promise<void> {
  if (text === '') return;
  const at = { i: 0, comma: afterItems };
  for (;;) {
    fillTimes(w, iso, text, at);
    if (at.i > text.length) return;
    await w.flush();
  }
}

/** Writes the items of text from at.i on while they fit the current chunk; at.i is left on the first one that did not (past the end when all did). */
function fillTimes(w: ChunkWriter, iso: IsoTimeWriter, text: string, at: { i: number; comma: boolean }): void {
  const n = text.length;
  let comma = at.comma;
  let item = at.i;
  let sec = 0;
  let neg = false;
  for (let i = at.i; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : COMMA;
    if (c === COMMA) {
      if (w.room() < ITEM_BYTES) break;
      let o = w.claim(comma ? ITEM_BYTES : ITEM_BYTES - 1);
      const buf = w.bytes;
      if (comma) buf[o++] = COMMA;
      buf[o] = QUOTE;
      iso.write(buf, o + 1, neg ? -sec : sec);
      buf[o + 1 + ISO_TIME_BYTES] = QUOTE;
      comma = true;
      sec = 0;
      neg = false;
      item = i + 1;
    } else if (c === MINUS) neg = true;
    else sec = sec * 10 + (c - 48);
  }
  at.i = item;
  at.comma = comma;
}

/** What a column document encoder adds to the driver's protocol: its document start and end. */
export type ColumnDocumentEncoder = ColumnSeriesEncoder & { begin(): Promise<void>; end(): Promise<void> };

/**
 * The streaming loop of a column document: each column of a series is one JSON array whose items come
 * in batches (the times through writeTimes, the values and flags as PostgreSQL's text), counted on the
 * time column. A format writes what opens a column's array (openColumn: it closes the one before) and
 * its series' and document's start and end; both formats' bytes come from this one loop.
 */
export abstract class ColumnArraysEncoder implements ColumnDocumentEncoder {
  readonly columnSql = SERIES_COLUMNS;
  readonly columnSeparator = ',';
  /** The flags (SERIES_COLUMNS[2]): the driver reads them with the times and holds them, one scan fewer. */
  readonly flagColumn = 2;
  /** The column whose array is open (-1: none yet in this series). */
  protected column_ = -1;
  /** Rows of the current series so far (items of its time column). */
  protected rows = 0;
  private firstInColumn = true;
  private readonly iso = new IsoTimeWriter();

  constructor(
    protected readonly w: ChunkWriter,
    readonly metricLabels?: RequestLabels,
  ) {}

  abstract begin(): Promise<void>;
  abstract seriesStart(ds: Offering, extent: SeriesExtent | undefined): Promise<void>;
  abstract seriesEnd(ds: Offering): Promise<void>;
  abstract end(): Promise<void>;

  /** Writes what closes the open column (column_, if any) and opens column k's array. */
  protected abstract openColumn(ds: Offering, k: number): Promise<void>;

  /** Resets the loop for a new series whose column `open` (-1 for none) seriesStart has already opened. */
  protected startColumns(open: number): void {
    this.column_ = open;
    this.rows = 0;
    this.firstInColumn = true;
  }

  async column(ds: Offering, k: number, n: number, text: string): Promise<void> {
    if (k !== this.column_) {
      await this.openColumn(ds, k);
      this.column_ = k;
      this.firstInColumn = true;
    }
    if (k === 0) {
      this.rows += n;
      await writeTimes(this.w, this.iso, text, !this.firstInColumn);
    } else {
      if (!this.firstInColumn) await this.w.write(',');
      await this.w.write(text);
    }
    this.firstInColumn = false;
  }

  /** A section of the sink (gzip responses) fed with the column's batches joined as column() joins them; undefined without. */
  deferColumn(_ds: Offering, _k: number): ColumnSection | undefined {
    const section = this.w.deferred();
    return section ? new SinkColumn(section) : undefined;
  }

  /** Opens column k's array (its shape is known: column 0 is complete) and places the section as its items. */
  async placeColumn(ds: Offering, k: number, c: ColumnSection): Promise<void> {
    await this.openColumn(ds, k);
    this.column_ = k;
    this.firstInColumn = false;
    await this.w.place((c as SinkColumn).section);
  }
}

/** A column's items fed to a sink's deferred section: batches joined by commas, as column() writes them. */
class SinkColumn implements ColumnSection {
  private first = true;

  constructor(readonly section: DeferredSection) {}

  add(_n: number, text: string): void {
    // One write a batch (a cons string, flattened once when encoded): each write is a job for the compressor.
    this.section.write(this.first ? text : `,${text}`);
    this.first = false;
  }
}

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
    this.columns = `${EPOCH_MS}, ${VALUE}, ${inner.columnSql.join(', ')}`;
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
