/**
 * CoverageJSON 1.0 (OGC 21-069r2) of station time series, streamed: one `Coverage` of domain type
 * `PointSeries` per series (a dataset: one station, one observed property), alone when the answer is
 * one series, else in a `CoverageCollection` that carries the parameters once. Each coverage has two
 * ranges: the measured parameter (`TEMP`, floats, missing and non-finite values as null) and its
 * quality flags (`TEMP_QC`, integers, a categorical parameter over the OceanSITES flag table). The time
 * axis and the ranges are parallel arrays, so the series arrives column by column (ColumnSeriesEncoder)
 * and `shape` is written before the values it counts. Layout in docs/ogcapi.md.
 */
import type { Offering } from '../../catalog/offerings';
import { UCUM_URI, unitNames } from '../../catalog/units';
import { QC_FLAG_MEANINGS } from '../../catalog/qualityFlags';
import type { RequestLabels } from '../../metrics/metrics';
import { ChunkWriter } from '../chunkWriter';
import { ColumnArraysEncoder } from './columns';
import { QC_PARAMETER } from './identifiers';

/** Media type of CoverageJSON (the EDR standard's). */
export const COVJSON_MEDIA_TYPE = 'application/prs.coverage+json';

/** Depth below mean sea level, metres, positive down: the vertical reference of station depths. */
export const DEPTH_CRS = 'http://www.opengis.net/def/crs/EPSG/0/5715';

/** The horizontal CRS coordinates are referenced to: its URI and whether latitude is its first axis. */
export interface SeriesCrs {
  uri: string;
  latFirst: boolean;
}

/** Key of the quality-flag parameter of a parameter (the OceanSITES variable name). */
export const qcKey = (code: string): string => `${code}_QC`;

const i18n = (en: string) => ({ en });

/** The CoverageJSON parameter of an observed property (the series' measured values). */
export function measuredParameter(o: Offering): Record<string, unknown> {
  const unit = unitNames(o.uom);
  return {
    type: 'Parameter',
    description: i18n(`${o.label} (CF standard name ${o.standardName})`),
    unit: { label: i18n(unit.label), symbol: { value: o.uom, type: UCUM_URI } },
    observedProperty: { id: o.propertyUri, label: i18n(o.label), description: i18n(`CF standard name ${o.standardName}`) },
  };
}

/** The categorical parameter of a series' quality flags: OceanSITES reference table 2, encoded as its digits. */
export function qcParameter(o: Offering): Record<string, unknown> {
  const id = (flag: number) => `${QC_PARAMETER}/${flag}`;
  return {
    type: 'Parameter',
    description: i18n(`Quality flag of ${o.propertyCode} (OceanSITES reference table 2)`),
    observedProperty: {
      id: QC_PARAMETER,
      label: i18n('Quality flag'),
      categories: QC_FLAG_MEANINGS.map((m, flag) => ({ id: id(flag), label: i18n(m.replace(/_/g, ' ')) })),
    },
    categoryEncoding: Object.fromEntries(QC_FLAG_MEANINGS.map((_m, flag) => [id(flag), flag])),
  };
}

/** The parameters of some series, each property once (first seen order), measured then flags. */
export function parametersOf(series: readonly Offering[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const o of series) {
    if (out[o.propertyCode]) continue;
    out[o.propertyCode] = measuredParameter(o);
    out[qcKey(o.propertyCode)] = qcParameter(o);
  }
  return out;
}

/** The referencing of a station series' domain: horizontal CRS (axis order of its URI), depth if known, time. */
export function referencing(crs: SeriesCrs, withDepth: boolean): unknown[] {
  return [
    { coordinates: crs.latFirst ? ['y', 'x'] : ['x', 'y'], system: { type: 'GeographicCRS', id: crs.uri } },
    ...(withDepth
      ? [{ coordinates: ['z'], system: { type: 'VerticalCRS', id: DEPTH_CRS, cs: { csAxes: [{ name: i18n('Depth'), direction: 'down', unit: { symbol: 'm' } }] } } }]
      : []),
    { coordinates: ['t'], system: { type: 'TemporalRS', calendar: 'Gregorian' } },
  ];
}

/** How one CoverageJSON answer is laid out. */
export interface CovJsonLayout {
  /** True when the answer is exactly one series: a Coverage; otherwise a CoverageCollection. */
  single: boolean;
  /** The series that may be written (their parameters go to the collection, or to the single coverage). */
  series: readonly Offering[];
  crs: SeriesCrs;
  metricLabels?: RequestLabels;
}

/**
 * CoverageJSON writer, fed column by column: the time axis (column 0) closes the domain, then each
 * range gets its `shape` (the row count of column 0) and its values. Constant parts are built once per
 * series; the values are PostgreSQL's text copied through.
 */
export class CovJsonEncoder extends ColumnArraysEncoder {
  private firstCoverage = true;

  constructor(
    w: ChunkWriter,
    private readonly layout: CovJsonLayout,
  ) {
    super(w, layout.metricLabels);
  }

  /** The collection's head (nothing for a single coverage: it starts with its series). */
  begin(): Promise<void> {
    if (this.layout.single) return Promise.resolve();
    const head = { type: 'CoverageCollection', domainType: 'PointSeries', parameters: parametersOf(this.layout.series) };
    return this.w.write(`${JSON.stringify(head).slice(0, -1)},"coverages":[`);
  }

  async seriesStart(ds: Offering): Promise<void> {
    const single = this.layout.single;
    const head: Record<string, unknown> = { type: 'Coverage', id: ds.code, station: ds.station, stationName: ds.stationName };
    if (single) head.parameters = parametersOf([ds]);
    const axes = `"x":{"values":[${ds.lon}]},"y":{"values":[${ds.lat}]}${ds.depth === null ? '' : `,"z":{"values":[${ds.depth}]}`}`;
    await this.w.write(
      `${single ? '' : this.firstCoverage ? '' : ','}${JSON.stringify(head).slice(0, -1)},"domain":{"type":"Domain","domainType":"PointSeries",` +
        `"referencing":${JSON.stringify(referencing(this.layout.crs, ds.depth !== null))},"axes":{${axes},"t":{"values":[`,
    );
    this.firstCoverage = false;
    // The time axis' array is open: column 0 continues it.
    this.startColumns(0);
  }

  /** Closes the column before (the time axis and the domain, or a range) and opens range k with its shape. */
  protected async openColumn(ds: Offering, k: number): Promise<void> {
    const close = this.column_ === 0 ? ']}}},"ranges":{' : ']},';
    const key = k === 1 ? ds.propertyCode : qcKey(ds.propertyCode);
    const dataType = k === 1 ? 'float' : 'integer';
    await this.w.write(`${close}${JSON.stringify(key)}:{"type":"NdArray","dataType":"${dataType}","axisNames":["t"],"shape":[${this.rows}],"values":[`);
  }

  async seriesEnd(): Promise<void> {
    await this.w.write(']}}}');
  }

  /** Closes the collection (or the single coverage's line) and flushes. */
  async end(): Promise<void> {
    await this.w.write(this.layout.single ? '\n' : ']}\n');
    await this.w.finish();
  }
}
