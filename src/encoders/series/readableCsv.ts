import type { Offering } from '../../catalog/offerings';
import type { TextSeriesEncoder } from '../../query/observations';
import { csvField } from '../csvField';
import { ChunkWriter } from '../chunkWriter';
import { TIME_VALUE_QC } from './sqlText';

const NEWLINE = Buffer.from('\n');

/** The header of the portal's CSV download (docs/portal.md); the SOS CSV keeps `offering,time,value,qc`. */
export const READABLE_CSV_HEADER = 'station,dataset,parameter,unit,time,value,qc\n';

/**
 * CSV for people (the portal's download form, GET /datasets/{code}.csv): every line says which
 * station, dataset, parameter and unit it belongs to, so files opened side by side stay apart.
 * The per-series columns are one prefix; the rest is the SOS CSV's PostgreSQL text.
 */
export class ReadableCsvEncoder implements TextSeriesEncoder {
  readonly textSql = TIME_VALUE_QC;
  readonly textSeparator = '\n';
  private prefix = Buffer.alloc(0);

  constructor(private readonly w: ChunkWriter) {}

  /** Writes the header line. */
  begin(): Promise<void> {
    return this.w.write(READABLE_CSV_HEADER);
  }

  async seriesStart(ds: Offering): Promise<void> {
    const cols = [ds.station, ds.code, ds.label, ds.uom].map(csvField).join(',');
    this.prefix = Buffer.from(cols + ',', 'utf8');
  }

  /** Lines from PostgreSQL: each gets the series' prefix on the way out. */
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
