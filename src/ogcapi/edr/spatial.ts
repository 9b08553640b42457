/**
 * The geometry of an EDR query read into what selects stations: `coords` (WKT, through the CQL2
 * geometry parser) and `bbox` become FES filters on the Station feature type, compiled by the same SQL
 * as any WFS or OGC API filter (radius: geodesic DWithin; area: Intersects; cube: BBOX); a position
 * is matched to the nearest station within a tolerance; `z` is a predicate on station depths.
 */
import type { Station } from '../../catalog/model';
import type { CrsRef } from '../../crs/crs';
import { parseWktGeometry } from '../../cql2';
import type { Filter, GeometryOperand } from '../../fes/ast';
import { parseBboxKvp } from '../../fes/kvp';
import { invalidParam, missingParam } from '../../ows/errors';

/** The `within-units` an EDR radius query takes (advertised in data_queries), with the distance unit the FES compiler reads. */
const UNITS: Record<string, string> = { km: 'km', m: 'm', mi: 'mi', nmi: '[nmi_i]' };
export const WITHIN_UNITS: readonly string[] = Object.keys(UNITS);

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function required(value: string | undefined, name: string): string {
  if (value === undefined || value.trim() === '') throw missingParam(name, `Parameter ${name} is required for this query`);
  return value.trim();
}

/** The points of a position or radius `coords` (POINT or MULTIPOINT), x = longitude. */
export function coordsPoints(value: string | undefined, crs: CrsRef): [number, number][] {
  const g = parseWktGeometry(required(value, 'coords'), crs, ['Point', 'MultiPoint'], 'coords');
  return g.geojson.type === 'Point' ? [g.geojson.coordinates as [number, number]] : (g.geojson.coordinates as [number, number][]);
}

/** Mean Earth radius (IUGG), metres: the sphere great-circle distances are measured on. */
const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance between two lon/lat positions, metres (haversine). */
export function greatCircleM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Position semantics: for each point, the nearest station (ties: the first by code) if it lies within
 * `toleranceM` of it; points with none are dropped. Each station once, in the order of the points.
 */
export function nearestStations(points: [number, number][], stations: readonly Station[], toleranceM: number): Station[] {
  const out: Station[] = [];
  for (const [x, y] of points) {
    let best: Station | undefined;
    let bestD = Infinity;
    for (const s of stations) {
      const d = greatCircleM(x, y, s.lon, s.lat);
      if (d < bestD) {
        best = s;
        bestD = d;
      }
    }
    if (best && bestD <= toleranceM && !out.includes(best)) out.push(best);
  }
  return out;
}

/** A radius query: stations within `within` `within-units` of any point (geodesic, on the spheroid). */
export function radiusFilter(coords: string | undefined, within: string | undefined, units: string | undefined, crs: CrsRef): Filter {
  const points = coordsPoints(coords, crs);
  const w = required(within, 'within');
  if (!NUMBER.test(w) || !(Number(w) > 0) || !Number.isFinite(Number(w))) throw invalidParam('within', `within must be a positive number, got "${w.slice(0, 40)}"`);
  const u = required(units, 'within-units').toLowerCase();
  const uom = UNITS[u];
  if (!uom || !Object.hasOwn(UNITS, u)) throw invalidParam('within-units', `Unsupported within-units "${u.slice(0, 40)}"; supported: ${WITHIN_UNITS.join(', ')}`);
  const around = (p: [number, number]): Filter => ({ op: 'DWithin', geometry: { geojson: { type: 'Point', coordinates: p }, srid: crs.srid }, distance: { value: Number(w), uom } });
  return points.length === 1 ? around(points[0]) : { op: 'Or', args: points.map(around) };
}

/** An area query: stations inside (or on the edge of) the POLYGON or MULTIPOLYGON. */
export function areaFilter(coords: string | undefined, crs: CrsRef): Filter {
  const geometry: GeometryOperand = parseWktGeometry(required(coords, 'coords'), crs, ['Polygon', 'MultiPolygon'], 'coords');
  return { op: 'Intersects', geometry };
}

/** A `bbox` (4 numbers, or 6 whose heights are ignored) in the axis order of `crs` as a BBOX filter. */
export function bboxFilter(value: string | undefined, crs: CrsRef): Filter {
  const parts = required(value, 'bbox').split(',').map((s) => s.trim());
  if (parts.length !== 4 && parts.length !== 6) throw invalidParam('bbox', 'bbox must be 4 numbers (minx,miny,maxx,maxy) or 6 (with minz and maxz)');
  for (const p of parts) if (!NUMBER.test(p) || !Number.isFinite(Number(p))) throw invalidParam('bbox', `bbox value "${p.slice(0, 40)}" is not a number`);
  const xy = parts.length === 6 ? [parts[0], parts[1], parts[3], parts[4]] : parts;
  return parseBboxKvp(xy.join(','), crs, 'bbox');
}

/** Most levels a `z=Rn/…` sequence may name. */
const MAX_LEVELS = 1000;

function depthNumber(s: string): number {
  const t = s.trim();
  if (!NUMBER.test(t) || !Number.isFinite(Number(t))) throw invalidParam('z', `z value "${t.slice(0, 40)}" is not a number`);
  return Number(t);
}

/**
 * `z` as a test on a station's depth (metres, positive down): `a/b` a range (ends included), `a` or
 * `a,b,c` exact levels, `Rn/first/step` n levels. A station of unknown depth matches no `z`.
 */
export function depthTest(value: string | undefined): ((depth: number | null) => boolean) | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') throw invalidParam('z', 'z is empty');
  const rec = /^R(\d+)\/([^/]+)\/([^/]+)$/i.exec(v);
  let levels: number[];
  if (rec) {
    const n = Number(rec[1]);
    if (n < 1 || n > MAX_LEVELS) throw invalidParam('z', `z=Rn/first/step takes 1 to ${MAX_LEVELS} levels`);
    const [first, step] = [depthNumber(rec[2]), depthNumber(rec[3])];
    levels = Array.from({ length: n }, (_x, i) => first + i * step);
  } else if (v.includes('/')) {
    const ends = v.split('/');
    if (ends.length !== 2) throw invalidParam('z', 'z is a level, a list a,b,c, a range min/max or Rn/first/step');
    const [lo, hi] = ends.map(depthNumber);
    if (lo > hi) throw invalidParam('z', `The z range begins (${lo}) above its end (${hi})`);
    return (d) => d !== null && d >= lo && d <= hi;
  } else {
    levels = v.split(',').map(depthNumber);
  }
  return (d) => d !== null && levels.some((l) => Math.abs(l - d) <= 1e-9 * Math.max(1, Math.abs(l)));
}
