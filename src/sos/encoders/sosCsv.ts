import type { Offering } from '../catalog';
import type { SeriesEncoder } from '../observationStream';
import { ChunkWriter, csvField } from './chunkWriter';
import { TIME_TEXT, VALUE_TEXT } from './sqlText';

/** Content type of the CSV output. */
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';
/** The CSV header (documented in docs/sos.md). */
export const CSV_HEADER = 'offering,time,value,qc\n';

/** CSV: one line per observation `offering,time,value,qc`; PostgreSQL formats everything after the offering. */
export class SosCsvEncoder implements SeriesEncoder {
  readonly columns = `${TIME_TEXT} || ',' || ${VALUE_TEXT} || ',' || o.qc || E'\\n'`;
  private prefix = '';

  constructor(private readonly w: ChunkWriter) {}

  /** Writes the header line. */
  begin(): Promise<void> {
    return this.w.write(CSV_HEADER);
  }

  async seriesStart(ds: Offering): Promise<void> {
    this.prefix = csvField(ds.code) + ',';
  }

  async rows(_ds: Offering, rows: unknown[][]): Promise<void> {
    const p = this.prefix;
    let s = '';
    for (let i = 0; i < rows.length; i++) s += p + (rows[i][0] as string);
    await this.w.write(s);
  }

  async seriesEnd(): Promise<void> {}

  /** Flushes the tail. */
  end(): Promise<void> {
    return this.w.flush();
  }
}
