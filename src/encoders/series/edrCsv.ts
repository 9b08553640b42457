/**
 * OGC API – EDR data as CSV: one line per observation, `station,parameter,time,value,qc,unit`. The
 * time, value and flag of each line are written as the SOS CSV writes them (from the same row text,
 * so both give the same rows); the station and parameter before them and the unit after them are
 * constant per series.
 */
import type { Offering } from '../../catalog/offerings';
import type { RequestLabels } from '../../metrics/metrics';
import type { TextSeriesEncoder } from '../../query/observations';
import { ChunkWriter } from '../chunkWriter';
import { csvField } from '../csvField';
import { EpochRowReader, TIME_VALUE_QC_MAX } from './epochRow';
import { EPOCH_QC_VALUE } from './sqlText';

/** The header line. */
export const EDR_CSV_HEADER = 'station,parameter,time,value,qc,unit\n';

/** One line per observation; missing values are empty fields. */
export class EdrCsvEncoder implements TextSeriesEncoder {
  readonly textSql = EPOCH_QC_VALUE;
  readonly textSeparator = '\n';
  private prefix = Buffer.alloc(0);
  private suffix = Buffer.alloc(0);
  private readonly row = new EpochRowReader();

  constructor(
    private readonly w: ChunkWriter,
    readonly metricLabels?: RequestLabels,
  ) {}

  begin(): Promise<void> {
    return this.w.write(EDR_CSV_HEADER);
  }

  async seriesStart(ds: Offering): Promise<void> {
    this.prefix = Buffer.from(`${csvField(ds.station)},${csvField(ds.propertyCode)},`, 'utf8');
    this.suffix = Buffer.from(`,${csvField(ds.uom)}\n`, 'utf8');
  }

  text(_ds: Offering, text: string): Promise<void> {
    return this.w.lines(text, this.prefix.length + TIME_VALUE_QC_MAX + this.suffix.length, this.line);
  }

  private readonly line = (s: string, a: number, b: number): void => {
    const { w, row } = this;
    row.read(s, a, b);
    w.put(this.prefix);
    row.putTimeValueQc(w);
    w.put(this.suffix);
  };

  async seriesEnd(): Promise<void> {}

  end(): Promise<void> {
    return this.w.finish();
  }
}
