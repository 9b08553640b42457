/**
 * An EDR data request read into the shared series selection: the query's geometry (or location id)
 * selects stations, `z` their depths, `parameter-name` the observed properties, and their datasets
 * become the SeriesSelection's offerings (station order, then parameter code); `datetime` and
 * `qualityFlag` are its row filters, as for SOS GetObservation. Every name is checked against the
 * catalogue before any SQL is built.
 */
import type { Catalogue, Dataset, Station } from '../../catalog/model';
import { offerings } from '../../catalog/offerings';
import type { Offering } from '../../catalog/offerings';
import { stationsWithDatasets } from '../../catalog/extents';
import type { CrsRef } from '../../crs/crs';
import { MAX_COLUMN_DOWNSAMPLE } from '../../encoders/series/columns';
import type { Filter } from '../../fes/ast';
import { invalidParam, OwsError } from '../../ows/errors';
import type { SeriesSelection } from '../../query/observations';
import { stationCodesMatching } from '../../query/stations';
import type { TimeFilter } from '../../query/types';
import { MAX_INSTANT, MIN_INSTANT } from '../../util/time';
import { findCollection } from '../collections';
import type { ApiContext } from '../context';
import { parseDatetime, TimeRange } from '../datetime';
import { Format, negotiate } from '../formats';
import { routeDef } from '../routes';
import { edrCrs } from './crs';
import { parseParameterNames } from './parameters';
import { EdrRouteId, POSITION_TOLERANCE_M } from './routes';
import { areaFilter, bboxFilter, coordsPoints, depthTest, nearestStations, radiusFilter } from './spatial';

/** A validated EDR data request. */
export interface EdrRequest {
  format: Format;
  crs: CrsRef;
  /** The series that may hold data (offerings in answer order) and the row filters. */
  selection: SeriesSelection;
  downsample?: number;
}

/** `datetime` as series time filters: an inclusive range, plus a strict end for a date (its whole day). */
export function timeFilters(r: TimeRange): TimeFilter[] {
  const out: TimeFilter[] = [{ op: 'During', start: r.start ?? MIN_INSTANT, end: r.end ?? MAX_INSTANT }];
  if (r.endExclusive) out.push({ op: 'Before', at: r.end! });
  return out;
}

/**
 * Whether a dataset's stored span (to the second, hence the second of margin) can meet the range: the
 * catalogue answers this without reading observations; the rows themselves are checked later.
 */
function mayOverlap(d: Dataset, r: TimeRange | undefined): boolean {
  if (d.obsCount === 0 || d.timeStart === null || d.timeEnd === null) return false;
  if (!r) return true;
  return (r.start === undefined || Date.parse(d.timeEnd) + 1000 > r.start) && (r.end === undefined || Date.parse(d.timeStart) - 1000 < r.end);
}

/** `qualityFlag=1,2`: flags 0-9 (as SOS GetObservation's vendor parameter). */
export function qualityFlags(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.every((s) => s === '')) throw invalidParam('qualityFlag', 'qualityFlag is empty');
  return parts.map((s) => {
    if (!/^\d$/.test(s)) throw invalidParam('qualityFlag', `Quality flags are integers 0-9, got "${s.slice(0, 20)}"`);
    return Number(s);
  });
}

/** `downsample=N` (2 … MAX_COLUMN_DOWNSAMPLE), for the formats that take it. */
function downsampleOf(value: string | undefined, format: Format, takers: readonly string[]): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (!/^\d{1,9}$/.test(v) || Number(v) < 2 || Number(v) > MAX_COLUMN_DOWNSAMPLE) throw invalidParam('downsample', `downsample is a whole number of points from 2 to ${MAX_COLUMN_DOWNSAMPLE}`);
  if (!takers.includes(format.id)) throw invalidParam('downsample', `downsample applies to f=${takers.join(' or f=')} only`);
  return Number(v);
}

/** The stations a data query selects (before z), in answer order. */
async function selectedStations(route: EdrRouteId, ctx: ApiContext, cat: Catalogue, crs: CrsRef): Promise<Station[]> {
  const q = ctx.query;
  const candidates = stationsWithDatasets(cat, true);
  if (route === 'edrLocation') {
    const id = ctx.path.locationId;
    const station = cat.stations.find((s) => s.code === id);
    if (!station) throw new OwsError('NotFound', 'locationId', `No location "${id.slice(0, 100)}"; the locations are listed at /collections/${ctx.path.collectionId}/locations`, { status: 404 });
    return [station];
  }
  if (route === 'edrPosition') return nearestStations(coordsPoints(q.get('coords'), crs), candidates, POSITION_TOLERANCE_M);
  let filter: Filter;
  if (route === 'edrRadius') filter = radiusFilter(q.get('coords'), q.get('within'), q.get('within-units'), crs);
  else if (route === 'edrArea') filter = areaFilter(q.get('coords'), crs);
  else filter = bboxFilter(q.get('bbox'), crs);
  const stationType = findCollection(ctx.config, 'stations')!.type;
  const codes = await stationCodesMatching(ctx.store, stationType, filter);
  return candidates.filter((s) => codes.has(s.code));
}

/** Reads an EDR data query (position, radius, area, cube, location) against the catalogue. */
export async function readEdrRequest(route: EdrRouteId, ctx: ApiContext, cat: Catalogue, formatsWithDownsample: readonly string[]): Promise<EdrRequest> {
  const q = ctx.query;
  const format = negotiate(routeDef(ctx.config, route).formats, q.get('f'), ctx.accept);
  const crs = edrCrs(q.get('crs'));
  const parameters = parseParameterNames(q.get('parameter-name'), cat);
  const datetime = q.get('datetime');
  const range = datetime === undefined ? undefined : parseDatetime(datetime);
  const qc = qualityFlags(q.get('qualityFlag'));
  const depthOk = depthTest(q.get('z'));
  const downsample = downsampleOf(q.get('downsample'), format, formatsWithDownsample);
  const stations = (await selectedStations(route, ctx, cat, crs)).filter((s) => !depthOk || depthOk(s.depthM));
  const order = new Map(stations.map((s, i) => [s.code, i]));
  const byId = new Map(cat.datasets.map((d) => [d.id, d]));
  const series = offerings(cat)
    .filter((o) => order.has(o.station) && (!parameters || parameters.has(o.propertyCode)) && mayOverlap(byId.get(o.id)!, range))
    .sort((a: Offering, b: Offering) => order.get(a.station)! - order.get(b.station)! || (a.propertyCode < b.propertyCode ? -1 : a.propertyCode > b.propertyCode ? 1 : a.code < b.code ? -1 : 1));
  return { format, crs, downsample, selection: { offerings: series, time: range ? timeFilters(range) : [], qc } };
}
