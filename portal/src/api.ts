/** The portal's only data sources: the gateway's own OGC API – Features (GeoJSON) and SOS (JSON, CSV, O&M) services. */

/** Settings the server writes into the page. */
export interface PortalSettings {
  /** Where requests go: the advertised base URL, or this page's own directory (same origin, as the CSP requires). */
  baseUrl: string;
  /** The base URL the server advertises in its links (PUBLIC_URL); links under it are rebased on `baseUrl`. */
  advertisedBaseUrl: string;
  /** Path of the OGC API – Features landing page (OGCAPI_BASE_PATH). */
  ogcapiPath: string;
  basemapUrl: string;
  /** File name of the land layer under portal/assets (empty: bundle built without it). */
  landAsset: string;
}

export interface Station {
  id: string;
  name: string;
  network: string;
  producer: string;
  country: string;
  depth: number | null;
  lon: number;
  lat: number;
  observedProperties: string[];
  firstObservation: string | null;
  lastObservation: string | null;
  datasetCount: number;
}

export interface Dataset {
  id: string;
  stationId: string;
  stationName: string;
  propertyLabel: string;
  standardName: string;
  uom: string;
  processingLevel: string;
  instrumentFamily: string;
  startTime: string | null;
  endTime: string | null;
  observationCount: number;
  sosUrl?: string;
  csvUrl?: string;
  /** OGC API – EDR series of the dataset's station and property (CoverageJSON). */
  edrUrl?: string;
  opendapUrl?: string;
  metadataUrl?: string;
}

/** One series of the SOS JSON output: points are [isoTime, value, qc]. */
export interface Series {
  offering: string;
  procedure: string;
  observedProperty: string;
  featureOfInterest: string;
  label: string;
  uom: string;
  points: [string, number | null, number | null][];
}

export type Format = 'csv' | 'om' | 'json';
const MEDIA: Record<Format, string> = { csv: 'text/csv', om: 'http://www.opengis.net/om/2.0', json: 'application/json' };

interface GeoJsonFeature {
  id?: string | number;
  geometry: { type: string; coordinates: number[] } | null;
  properties: Record<string, unknown>;
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const optStr = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const num = (v: unknown): number | null => (v === null || v === undefined || v === '' || Number.isNaN(Number(v)) ? null : Number(v));

/** Fetches JSON, throwing on a non-2xx answer (the OWS exception text is kept in the message). */
async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal, headers: { Accept: 'application/json, application/geo+json' } });
  if (!res.ok) throw new Error(`${res.status} ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}

/** Page size asked for: the server may serve fewer (OGCAPI_LIMIT_MAX) and links the next page. */
const PAGE_LIMIT = 1000;

/** The OGC API – Features items URL of a collection as GeoJSON (CRS84, the default). */
export function itemsUrl(s: PortalSettings, collection: string): string {
  return `${s.baseUrl}${s.ogcapiPath}/collections/${encodeURIComponent(collection)}/items?f=json&limit=${PAGE_LIMIT}`;
}

/** The OGC API HTML page of one feature (linked from the panels). */
export function featurePageUrl(s: PortalSettings, collection: string, id: string): string {
  return `${s.baseUrl}${s.ogcapiPath}/collections/${encodeURIComponent(collection)}/items/${encodeURIComponent(id)}?f=html`;
}

/** A link the server wrote (under its advertised base URL) as a URL of this page's origin. */
export function rebase(href: string, s: PortalSettings): string {
  return s.advertisedBaseUrl && s.advertisedBaseUrl !== s.baseUrl && href.startsWith(`${s.advertisedBaseUrl}/`) ? s.baseUrl + href.slice(s.advertisedBaseUrl.length) : href;
}

interface FeatureCollection {
  features: GeoJsonFeature[];
  links?: { href: string; rel: string }[];
}

/** Every feature of a collection, following the `next` links page by page. */
async function fetchAllFeatures(s: PortalSettings, url: string, signal?: AbortSignal): Promise<GeoJsonFeature[]> {
  const out: GeoJsonFeature[] = [];
  for (let next: string | undefined = url, pages = 0; next && pages < 1000; pages++) {
    const fc: FeatureCollection = await getJson<FeatureCollection>(next, signal);
    out.push(...fc.features);
    const href = fc.features.length > 0 ? fc.links?.find((l) => l.rel === 'next')?.href : undefined;
    next = href ? rebase(href, s) : undefined;
  }
  return out;
}

/** The gateway's own ISO 19139 record of a dataset. */
export function isoRecordUrl(s: PortalSettings, datasetId: string): string {
  return `${s.baseUrl}/metadata/${encodeURIComponent(datasetId)}.xml`;
}

/**
 * A dataset as a file of the gateway: `csv` the readable CSV (station, dataset, parameter, unit, time,
 * value, qc) over optional days `from`…`to` (both included), `nc` the whole OceanSITES NetCDF.
 */
export function datasetFileUrl(s: PortalSettings, datasetId: string, ext: 'csv' | 'nc', fromDay?: string, toDay?: string): string {
  const q = fromDay && toDay ? `?${new URLSearchParams({ from: fromDay, to: toDay })}` : '';
  return `${s.baseUrl}/datasets/${encodeURIComponent(datasetId)}.${ext}${q}`;
}

/** Every station, from the OGC API collection `stations`. */
export async function fetchStations(s: PortalSettings, signal?: AbortSignal): Promise<Station[]> {
  const features = await fetchAllFeatures(s, itemsUrl(s, 'stations'), signal);
  return features
    .filter((f) => f.geometry && f.geometry.type === 'Point')
    .map((f) => {
      const p = f.properties;
      const [lon, lat] = f.geometry!.coordinates;
      return {
        id: str(p.stationId ?? f.id),
        name: str(p.name),
        network: str(p.network),
        producer: str(p.producer),
        country: str(p.country),
        depth: num(p.depth),
        lon,
        lat,
        observedProperties: str(p.observedProperties).split(',').map((x) => x.trim()).filter(Boolean),
        firstObservation: optStr(p.firstObservation),
        lastObservation: optStr(p.lastObservation),
        datasetCount: num(p.datasetCount) ?? 0,
      };
    });
}

/** Every dataset, from the OGC API collection `datasets`. */
export async function fetchDatasets(s: PortalSettings, signal?: AbortSignal): Promise<Dataset[]> {
  const features = await fetchAllFeatures(s, itemsUrl(s, 'datasets'), signal);
  return features.map((f) => {
    const p = f.properties;
    return {
      id: str(p.datasetId ?? f.id),
      stationId: str(p.stationId),
      stationName: str(p.stationName),
      propertyLabel: str(p.propertyLabel),
      standardName: str(p.standardName),
      uom: str(p.uom),
      processingLevel: str(p.processingLevel),
      instrumentFamily: str(p.instrumentFamily),
      startTime: optStr(p.startTime),
      endTime: optStr(p.endTime),
      observationCount: num(p.observationCount) ?? 0,
      sosUrl: optStr(p.sosUrl) ?? undefined,
      csvUrl: optStr(p.csvUrl) ?? undefined,
      edrUrl: optStr(p.edrUrl) ?? undefined,
      opendapUrl: optStr(p.opendapUrl) ?? undefined,
      metadataUrl: optStr(p.metadataUrl) ?? undefined,
    };
  });
}

/** OceanSITES quality flags (docs/data-model.md): 1 good, 2 probably good — what the chart plots by default. */
export const GOOD_FLAGS = '1,2';
/** Every other flag (0 no QC, 3/4 bad, 5 changed, 6–8, 9 missing): shown, marked, only on request. */
export const FLAGGED_FLAGS = '0,3,4,5,6,7,8,9';

/** A SOS 2.0 GetObservation URL for one dataset (offering), optionally over a period, downsampled, restricted to quality flags. */
export function observationUrl(s: PortalSettings, opts: { offering?: string; format: Format; from?: string; to?: string; latest?: boolean; downsample?: number; qualityFlag?: string }): string {
  const q = new URLSearchParams({ service: 'SOS', version: '2.0.0', request: 'GetObservation' });
  if (opts.offering) q.set('offering', opts.offering);
  if (opts.latest) q.set('temporalFilter', 'om:phenomenonTime,latest');
  else if (opts.from && opts.to) q.set('temporalFilter', `om:phenomenonTime,${opts.from}/${opts.to}`);
  q.set('responseFormat', MEDIA[opts.format]);
  if (opts.downsample) q.set('downsample', String(opts.downsample));
  if (opts.qualityFlag) q.set('qualityFlag', opts.qualityFlag);
  return `${s.baseUrl}/sos?${q}`;
}

/** The OGC API – EDR URL of one station's series (every parameter) over a period, downsampled, with these quality flags, as CoverageJSON. */
export function edrStationUrl(s: PortalSettings, station: string, from: string, to: string, downsample: number, qualityFlag: string): string {
  const q = new URLSearchParams({ datetime: `${from}/${to}`, downsample: String(downsample), qualityFlag, f: 'CoverageJSON' });
  return `${s.baseUrl}${s.ogcapiPath}/collections/insitu/locations/${encodeURIComponent(station)}?${q}`;
}

/** One series as the chart draws it: times (ms), values (NaN for gaps), quality flags. */
export interface SeriesColumns {
  times: Float64Array;
  values: Float64Array;
  qc: Uint8Array;
}

interface Coverage {
  id?: string;
  domain: { axes: { t: { values: string[] } } };
  ranges: Record<string, { values: (number | null)[] }>;
}

/**
 * Reads a CoverageJSON Coverage or CoverageCollection (an EDR answer) into series by coverage id (the
 * dataset code): the measured range is the one whose key does not end in _QC, its flags the _QC one.
 */
export function coverageSeries(doc: { type: string; coverages?: Coverage[] } & Partial<Coverage>): Map<string, SeriesColumns> {
  const out = new Map<string, SeriesColumns>();
  const coverages = doc.type === 'CoverageCollection' ? (doc.coverages ?? []) : [doc as Coverage];
  for (const c of coverages) {
    const key = Object.keys(c.ranges).find((k) => !k.endsWith('_QC'));
    if (!c.id || !key) continue;
    const t = c.domain.axes.t.values;
    const v = c.ranges[key].values;
    const f = c.ranges[`${key}_QC`]?.values ?? [];
    const times = new Float64Array(t.length);
    const values = new Float64Array(t.length);
    const qc = new Uint8Array(t.length);
    for (let i = 0; i < t.length; i++) {
      times[i] = Date.parse(t[i]);
      values[i] = v[i] === null ? NaN : v[i]!;
      qc[i] = f[i] ?? 255;
    }
    out.set(c.id, { times, values, qc });
  }
  return out;
}

/**
 * Every series of a station over a period with these quality flags, in one EDR request, each reduced
 * on the server to about `buckets` buckets (filtered before downsampling, as for SOS JSON); a period
 * without such data (204) is none.
 */
export async function fetchStationSeries(s: PortalSettings, station: string, from: string, to: string, buckets: number, qualityFlag: string, signal?: AbortSignal): Promise<Map<string, SeriesColumns>> {
  const res = await fetch(edrStationUrl(s, station, from, to, buckets, qualityFlag), { signal, headers: { Accept: 'application/prs.coverage+json' } });
  if (res.status === 204) return new Map();
  if (!res.ok) throw new Error(`${res.status} ${(await res.text()).slice(0, 300)}`);
  return coverageSeries(await res.json());
}

/** The most recent observation of every dataset, in one request. */
export async function fetchLatest(s: PortalSettings, signal?: AbortSignal): Promise<Series[]> {
  const doc = await getJson<{ series: Series[] }>(observationUrl(s, { format: 'json', latest: true }), signal);
  return doc.series;
}
