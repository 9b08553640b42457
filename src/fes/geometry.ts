import proj4 from 'proj4';
import { CrsRef, crsName, WGS84_SRID } from '../crs/crs';
import { invalidParam } from '../ows/errors';
import { GeometryOperand } from './ast';

/** x/y after axis normalisation (x = lon for geographic CRSs). */
export type XY = [number, number];

// proj4 definitions of the projected CRSs of src/crs/crs.ts, used only to refuse coordinates that
// PROJ inside PostGIS could not transform (which would otherwise surface as a SQL error).
const PROJ_DEFS: Record<number, string> = {
  3857: '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs',
  3163: '+proj=lcc +lat_0=-21.5 +lon_0=166 +lat_1=-20.6666666666667 +lat_2=-22.3333333333333 +x_0=400000 +y_0=300000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  32758: '+proj=utm +zone=58 +south +datum=WGS84 +units=m +no_defs',
};
/** Degrees a projected coordinate may lie outside its CRS's area of use before it is refused. */
const AREA_MARGIN_DEG = 15;

/** Checks that one normalised position is usable in this CRS; throws InvalidParameterValue otherwise. */
export function checkPosition(p: XY, crs: CrsRef, locator: string): void {
  if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) throw invalidParam(locator, 'Coordinates must be finite numbers');
  if (crs.geographic) {
    if (Math.abs(p[1]) > 90) throw invalidParam(locator, `Latitude ${p[1]} is outside [-90, 90] (check the axis order of ${crs.name})`);
    if (Math.abs(p[0]) > 540) throw invalidParam(locator, `Longitude ${p[0]} is out of range`);
    return;
  }
  const def = PROJ_DEFS[crs.srid];
  if (!def) return;
  let ll: number[];
  try {
    ll = proj4(def, crsName.short(WGS84_SRID), [p[0], p[1]]);
  } catch {
    throw invalidParam(locator, `Coordinates ${p[0]} ${p[1]} cannot be transformed from ${crs.name}`);
  }
  if (crs.srid === 3857) {
    if (!Number.isFinite(ll[1]) || Math.abs(p[0]) > 1e9 || Math.abs(p[1]) > 1e9) throw invalidParam(locator, `Coordinates ${p[0]} ${p[1]} are out of range for ${crs.name}`);
    return;
  }
  const [w, s, e, n] = crs.area;
  const ok = ll.every(Number.isFinite) && ll[0] >= w - AREA_MARGIN_DEG && ll[0] <= e + AREA_MARGIN_DEG && ll[1] >= s - AREA_MARGIN_DEG && ll[1] <= n + AREA_MARGIN_DEG;
  if (!ok) throw invalidParam(locator, `Coordinates ${p[0]} ${p[1]} are outside the area of use of ${crs.name}`);
}

/** Swaps lat/lon input into x/y order when the CRS spelling is latitude-first (R6). */
export function toXY(a: number, b: number, crs: CrsRef): XY {
  return crs.latFirst ? [b, a] : [a, b];
}

function ring(minx: number, miny: number, maxx: number, maxy: number): XY[] {
  return [[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]];
}

// Half the x extent of EPSG:3857 (the projected antimeridian).
const MERCATOR_HALF = 20037508.342789244;

/**
 * An envelope (corners already in x/y order) as a geometry operand. A west edge greater than the east
 * edge, or a geographic box running past ±180, selects across the antimeridian: it becomes a
 * MultiPolygon of the two halves so one index-friendly ST_Intersects covers both sides.
 */
export function envelopeOperand(lower: XY, upper: XY, crs: CrsRef, locator: string): GeometryOperand {
  checkPosition(lower, crs, locator);
  checkPosition(upper, crs, locator);
  let [minx, miny] = lower;
  let [maxx, maxy] = upper;
  if (miny > maxy) throw invalidParam(locator, `The lower corner's ${crs.latFirst ? 'latitude' : 'y'} (${miny}) is greater than the upper corner's (${maxy})`);
  const half = crs.geographic ? 180 : crs.srid === 3857 ? MERCATOR_HALF : undefined;
  const bbox: [number, number, number, number] = [minx, miny, maxx, maxy];
  if (half === undefined) {
    if (minx > maxx) throw invalidParam(locator, `The lower corner's x (${minx}) is greater than the upper corner's (${maxx})`);
    return { geojson: { type: 'Polygon', coordinates: [ring(minx, miny, maxx, maxy)] }, srid: crs.srid, bbox };
  }
  if (minx <= maxx && maxx - minx >= 2 * half) {
    minx = -half;
    maxx = half;
  }
  // Bring a box that runs past one edge back to the canonical range, keeping its span.
  if (minx <= maxx && maxx > half) {
    return split(minx, miny, maxx - 2 * half, maxy, half, crs, bbox);
  }
  if (minx <= maxx && minx < -half) {
    return split(minx + 2 * half, miny, maxx, maxy, half, crs, bbox);
  }
  if (minx > maxx) return split(wrap(minx, half), miny, wrap(maxx, half), maxy, half, crs, bbox);
  return { geojson: { type: 'Polygon', coordinates: [ring(minx, miny, maxx, maxy)] }, srid: crs.srid, bbox };
}

function wrap(x: number, half: number): number {
  let v = x;
  while (v > half) v -= 2 * half;
  while (v < -half) v += 2 * half;
  return v;
}

function split(west: number, miny: number, east: number, maxy: number, half: number, crs: CrsRef, bbox: [number, number, number, number]): GeometryOperand {
  if (west <= east) return { geojson: { type: 'Polygon', coordinates: [ring(west, miny, east, maxy)] }, srid: crs.srid, bbox };
  return {
    geojson: { type: 'MultiPolygon', coordinates: [[ring(west, miny, half, maxy)], [ring(-half, miny, east, maxy)]] },
    srid: crs.srid,
    bbox,
  };
}
