import type { Offering } from '../../catalog/offerings';
import { csvField } from '../csvField';
import { SosCsvEncoder } from './csv';

/** The header of the portal's CSV download (docs/portal.md); the SOS CSV keeps `offering,time,value,qc`. */
export const READABLE_CSV_HEADER = 'station,dataset,parameter,unit,time,value,qc\n';

/**
 * CSV for people (the portal's download form, GET /datasets/{code}.csv): every line says which
 * station, dataset, parameter and unit it belongs to, so files opened side by side stay apart. The
 * SOS CSV's streaming with other leading columns: the rest of each line is the same PostgreSQL text.
 */
export class ReadableCsvEncoder extends SosCsvEncoder {
  protected override header(): string {
    return READABLE_CSV_HEADER;
  }

  protected override seriesColumns(ds: Offering): string[] {
    return [ds.station, ds.code, ds.label, ds.uom].map(csvField);
  }
}
