/**
 * The output formats of the EDR data queries, one row each (the encoders live in src/encoders/series):
 * the route table offers them (their media types and `f` names are rows of src/ogcapi/formats.ts),
 * the collection advertises them, and a query writes its answer with the row's encoder.
 */
import type { Offering } from '../../catalog/offerings';
import type { ChunkWriter } from '../../encoders/chunkWriter';
import { DownsampledColumns } from '../../encoders/series/columns';
import { CovJsonEncoder, SeriesCrs } from '../../encoders/series/covjson';
import { EdrCsvEncoder } from '../../encoders/series/edrCsv';
import { EdrGeojsonEncoder } from '../../encoders/series/edrGeojson';
import type { RequestLabels } from '../../metrics/metrics';
import type { DocumentSeriesEncoder } from '../../encoders/series/document';
import type { FormatId } from '../formats';
import type { Link } from '../links';

/** What an answer's encoder is told about it. */
export interface EdrAnswer {
  /** The series that hold data, in answer order. */
  series: readonly Offering[];
  crs: SeriesCrs;
  /** Links of the document (GeoJSON writes them). */
  links: Link[];
  downsample?: number;
  metricLabels: RequestLabels;
}

export interface EdrFormat {
  id: FormatId;
  /** Takes `downsample=N`. */
  downsample: boolean;
  encoder(w: ChunkWriter, a: EdrAnswer): DocumentSeriesEncoder;
}

/** Every EDR data format. */
export const EDR_FORMATS: readonly EdrFormat[] = [
  {
    id: 'covjson',
    downsample: true,
    encoder: (w, a) => {
      // One series is one Coverage; anything else a CoverageCollection (docs/ogcapi.md).
      const enc = new CovJsonEncoder(w, { single: a.series.length === 1, series: a.series, crs: a.crs, metricLabels: a.metricLabels });
      return a.downsample ? new DownsampledColumns(enc, a.downsample) : enc;
    },
  },
  {
    id: 'geojson',
    downsample: true,
    encoder: (w, a) => {
      const enc = new EdrGeojsonEncoder(w, { crs: a.crs, links: a.links, metricLabels: a.metricLabels });
      return a.downsample ? new DownsampledColumns(enc, a.downsample) : enc;
    },
  },
  { id: 'csv', downsample: false, encoder: (w, a) => new EdrCsvEncoder(w, a.metricLabels) },
];

/** The row of a format id. */
export function edrFormat(id: FormatId): EdrFormat {
  const f = EDR_FORMATS.find((x) => x.id === id);
  if (!f) throw new Error(`No EDR encoder for ${id}`);
  return f;
}
