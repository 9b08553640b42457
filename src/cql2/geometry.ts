import { CrsRef } from '../crs/crs';
import { GeometryOperand } from '../fes/ast';
import { checkPosition, envelopeOperand, toXY, XY } from '../fes/geometry';
import { OwsError } from '../ows/errors';
import type { GeometryNode, GeometryType } from './ast';

/** Array nesting of each type's coordinates above the position (Point: 0, Polygon: rings of positions = 2). */
const NESTING: Record<GeometryType, number> = { Point: 0, LineString: 1, MultiPoint: 1, Polygon: 2, MultiLineString: 2, MultiPolygon: 3 };

type Fail = (what: string) => never;

/** Runs one of the FES geometry checks, turning its OwsError into this parser's error at the literal. */
function checked<T>(fn: () => T, fail: Fail): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof OwsError) fail(e.message);
    throw e;
  }
}

function ring(r: XY[], fail: Fail): XY[] {
  const first = r[0];
  const last = r[r.length - 1];
  if (r.length < 4 || first[0] !== last[0] || first[1] !== last[1]) fail('a polygon ring needs at least four positions and must be closed (first = last)');
  return r;
}

/**
 * A geometry literal (WKT or GeoJSON, coordinates in the axis order of the filter CRS) as an FES
 * geometry operand: positions normalised to x=lon and checked like FES GML (src/fes/geometry.ts),
 * BBOX through the same envelope rule (a west edge east of the east edge crosses the antimeridian).
 */
export function geometryOperand(g: GeometryNode, crs: CrsRef, fail: Fail): GeometryOperand {
  if (g.kind === 'bbox') {
    const v = g.values;
    const [w, s, e, n] = v.length === 6 ? [v[0], v[1], v[3], v[4]] : v;
    return checked(() => envelopeOperand(toXY(w, s, crs), toXY(e, n, crs), crs, 'filter'), fail);
  }
  const position = (p: number[]): XY => {
    const xy = toXY(p[0], p[1], crs);
    checked(() => checkPosition(xy, crs, 'filter'), fail);
    return xy;
  };
  const walk = (c: unknown, depth: number): unknown => (depth === 0 ? position(c as number[]) : (c as unknown[]).map((x) => walk(x, depth - 1)));
  const coordinates = walk(g.coordinates, NESTING[g.type]);
  switch (g.type) {
    case 'LineString':
      if ((coordinates as XY[]).length < 2) fail('a linestring needs at least two positions');
      break;
    case 'MultiLineString':
      if ((coordinates as XY[][]).some((l) => l.length < 2)) fail('a linestring needs at least two positions');
      break;
    case 'Polygon':
      (coordinates as XY[][]).forEach((r) => ring(r, fail));
      break;
    case 'MultiPolygon':
      (coordinates as XY[][][]).forEach((p) => p.forEach((r) => ring(r, fail)));
      break;
  }
  return { geojson: { type: g.type, coordinates }, srid: crs.srid };
}
