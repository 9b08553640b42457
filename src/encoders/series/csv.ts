import type { Offering } from '../../catalog/offerings';
import type { TextSeriesEncoder } from '../../query/observations';
import { csvField } from '../csvField';
import { ChunkWriter } from '../chunkWriter';
import { TIME_VALUE_QC } from './sqlText';

const NEWLINE = Buffer.from('\n');

/** Content type of the CSV output. */
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';
/** The CSV header (documented in docs/sos.md). */
export const CSV_HEADER = 'offering,time,value,qc\n';

/** CSV: one line per observation `offering,time,value,qc`; PostgreSQL formats everything after the offering. */
export class SosCsvEncoder implements TextSeriesEncoder {
  readonly textSql = TIME_VALUE_QC;
  readonly textSeparator = '\n';
  private prefix = Buffer.alloc(0);

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

  /** Lines from PostgreSQL without the offering: each gets the series' prefix on the way out. */
  text(_ds: Offering, text: string): Promise<void> {
    return this.w.lines(text, this.prefix.length + 1, this.line);
  }

  private readonly line = (s: string, a: number, b: number): void => {
    this.w.put(this.prefix);
    this.w.putAscii(s, a, b);
    this.w.put(NEWLINE);
  };

  async seriesEnd(): Promise<void> {}

  /** Flushes the tail. */
  end(): Promise<void> {
    return this.w.finish();
  }
}
