/**
 * OGC API – EDR data as GeoJSON: a FeatureCollection with one Point feature per series (a dataset: one
 * station, one observed property) whose properties carry the series as parallel arrays `time`, `value`
 * (null when missing or not finite) and `qc`, after its description. Streamed column by column like
 * CoverageJSON; `links` and `numberReturned` follow the features. Layout in docs/ogcapi.md.
 */
import type { Offering } from '../../catalog/offerings';
import type { RequestLabels } from '../../metrics/metrics';
import { ChunkWriter } from '../chunkWriter';
import { ColumnArraysEncoder } from './columns';
import type { SeriesCrs } from './covjson';

/** Property names of the three arrays, in column order. */
const ARRAYS = ['time', 'value', 'qc'] as const;

/** How one GeoJSON answer is laid out. */
export interface EdrGeojsonLayout {
  crs: SeriesCrs;
  /** The document's links (self, alternates, collection), written after the features. */
  links: unknown[];
  metricLabels?: RequestLabels;
}

/** One feature per series, each column an array property; numberReturned counts the features written. */
export class EdrGeojsonEncoder extends ColumnArraysEncoder {
  private features = 0;

  constructor(
    w: ChunkWriter,
    private readonly layout: EdrGeojsonLayout,
  ) {
    super(w, layout.metricLabels);
  }

  begin(): Promise<void> {
    return this.w.write('{"type":"FeatureCollection","features":[');
  }

  async seriesStart(ds: Offering): Promise<void> {
    const coordinates = this.layout.crs.latFirst ? [ds.lat, ds.lon] : [ds.lon, ds.lat];
    const properties = {
      station: ds.station,
      stationName: ds.stationName,
      'parameter-name': ds.propertyCode,
      label: ds.label,
      standardName: ds.standardName,
      observedProperty: ds.propertyUri,
      unit: ds.uom,
      depth: ds.depth,
      dataset: ds.code,
    };
    const feature = { type: 'Feature', id: ds.code, geometry: { type: 'Point', coordinates }, properties };
    // The feature up to its properties' closing brace, which the arrays follow.
    await this.w.write(`${this.features > 0 ? ',' : ''}${JSON.stringify(feature).slice(0, -2)}`);
    this.features++;
    this.startColumns(-1);
  }

  /** Closes the array before (if any) and opens column k's property. */
  protected async openColumn(_ds: Offering, k: number): Promise<void> {
    await this.w.write(`${this.column_ < 0 ? '' : ']'},"${ARRAYS[k]}":[`);
  }

  async seriesEnd(): Promise<void> {
    await this.w.write(`],"count":${this.rows}}}`);
  }

  async end(): Promise<void> {
    const ts = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await this.w.write(`],"numberReturned":${this.features},"timeStamp":"${ts}","links":${JSON.stringify(this.layout.links)}}\n`);
    await this.w.finish();
  }
}
