import type { Offering } from '../../catalog/offerings';
import type { TextSeriesEncoder } from '../../query/observations';
import { csvField } from '../csvField';
import { ChunkWriter } from '../chunkWriter';
import { EpochRowReader, TIME_VALUE_QC_MAX } from './epochRow';
import { EPOCH_QC_VALUE } from './sqlText';

const NEWLINE = Buffer.from('\n');

/** Content type of the CSV output. */
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';
/** The CSV header (documented in docs/sos.md). */
export const CSV_HEADER = 'offering,time,value,qc\n';

/** CSV: one line per observation `offering,time,value,qc` (a missing value is an empty field). */
export class SosCsvEncoder implements TextSeriesEncoder {
  readonly textSql = EPOCH_QC_VALUE;
  readonly textSeparator = '\n';
  private prefix = Buffer.alloc(0);
  private readonly row = new EpochRowReader();

  constructor(private readonly w: ChunkWriter) {}

  /** The header line; a flavour with other leading columns overrides it with seriesColumns. */
  protected header(): string {
    return CSV_HEADER;
  }

  /** The leading columns of every line of one series (the offering), already CSV-quoted. */
  protected seriesColumns(ds: Offering): string[] {
    return [csvField(ds.code)];
  }

  /** Writes the header line. */
  begin(): Promise<void> {
    return this.w.write(this.header());
  }

  async seriesStart(ds: Offering): Promise<void> {
    this.prefix = Buffer.from(this.seriesColumns(ds).join(',') + ',', 'utf8');
  }

  /** A line per row text, after the series' leading columns. */
  text(_ds: Offering, text: string): Promise<void> {
    return this.w.lines(text, this.prefix.length + TIME_VALUE_QC_MAX + 1, this.line);
  }

  private readonly line = (s: string, a: number, b: number): void => {
    const { w, row } = this;
    row.read(s, a, b);
    w.put(this.prefix);
    row.putTimeValueQc(w);
    w.put(NEWLINE);
  };

  async seriesEnd(): Promise<void> {}

  /** Flushes the tail. */
  end(): Promise<void> {
    return this.w.finish();
  }
}
