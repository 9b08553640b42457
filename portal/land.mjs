// Builds the portal's offline land layer: Natural Earth 1:10m land (world-atlas, TopoJSON) cut to the
// network's region and simplified, as one small GeoJSON file. 1:10m is the scale at which Pacific islands
// and atolls exist at all; the cut keeps the file to ~100 KiB gzip instead of 3 MB.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { bboxClip } from '@turf/turf';
import { feature } from 'topojson-client';

const require = createRequire(import.meta.url);

/**
 * The region as lon/lat boxes with longitudes in −180…360, so a Pacific region across the antimeridian is
 * one box (120°E–135°W is 120…225). Default: the western and central Pacific, Palau to French Polynesia and New Zealand; override with
 * PORTAL_LAND_BBOX="minLon,minLat,maxLon,maxLat[;…]".
 */
export function landBoxes(env = process.env.PORTAL_LAND_BBOX) {
  if (!env) return [[120, -48, 225, 25]];
  const boxes = env.split(';').map((b) => b.split(',').map(Number));
  if (boxes.some((b) => b.length !== 4 || b.some((n) => !Number.isFinite(n)) || b[0] >= b[2] || b[1] >= b[3] || b[0] < -180 || b[2] > 360)) throw new Error(`PORTAL_LAND_BBOX: bad box list ${env}`);
  return boxes;
}

/** The ring with each step across the antimeridian (a jump of more than 180°) undone, so it is drawn as one piece. */
export function unwrapRing(ring) {
  let offset = 0;
  return ring.map(([x, y], i) => {
    if (i > 0) {
      const prev = ring[i - 1][0];
      if (x - prev > 180) offset -= 360;
      else if (prev - x > 180) offset += 360;
    }
    return [x + offset, y];
  });
}

/** Douglas–Peucker on one ring (tolerance in degrees); the ring is kept whole when simplifying would leave under 4 points, so atolls survive. */
export function simplifyRing(pts, tol) {
  if (pts.length <= 4) return pts;
  const keep = new Uint8Array(pts.length);
  keep[0] = keep[pts.length - 1] = 1;
  const stack = [[0, pts.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop();
    const [ax, ay] = pts[a];
    const dx = pts[b][0] - ax;
    const dy = pts[b][1] - ay;
    const len = dx * dx + dy * dy;
    let worst = -1;
    let at = -1;
    for (let i = a + 1; i < b; i++) {
      const t = len ? Math.max(0, Math.min(1, ((pts[i][0] - ax) * dx + (pts[i][1] - ay) * dy) / len)) : 0;
      const ex = ax + t * dx - pts[i][0];
      const ey = ay + t * dy - pts[i][1];
      if (ex * ex + ey * ey > worst) [worst, at] = [ex * ex + ey * ey, i];
    }
    if (worst > tol * tol) {
      keep[at] = 1;
      stack.push([a, at], [at, b]);
    }
  }
  const out = pts.filter((_, i) => keep[i]);
  return out.length >= 4 ? out : pts;
}

/** The land layer as a GeoJSON string: one MultiPolygon, coordinates rounded to 0.001° (~100 m). */
export function buildLand({ boxes = landBoxes(), tolerance = 0.005 } = {}) {
  const topo = JSON.parse(fs.readFileSync(require.resolve('world-atlas/land-10m.json'), 'utf8'));
  const land = feature(topo, topo.objects.land);
  const round = ([x, y]) => [Math.round(x * 1000) / 1000, Math.round(y * 1000) / 1000];
  const polygons = [];
  for (const f of land.features) {
    const parts = f.geometry.type === 'MultiPolygon' ? f.geometry.coordinates : [f.geometry.coordinates];
    for (const original of parts) {
      const unwrapped = original.map(unwrapRing);
      const xs = unwrapped[0].map((p) => p[0]);
      const ys = unwrapped[0].map((p) => p[1]);
      const bb = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
      // Each polygon is tried where it is and one turn east, so 178°W lands at 182° in a 120…200 box.
      for (const shift of [0, 360]) {
        const rings = shift ? unwrapped.map((r) => r.map(([x, y]) => [x + shift, y])) : unwrapped;
        for (const box of boxes) {
          if (bb[2] + shift < box[0] || bb[0] + shift > box[2] || bb[3] < box[1] || bb[1] > box[3]) continue;
          const g = bboxClip({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: rings } }, box).geometry;
          for (const clipped of g.type === 'MultiPolygon' ? g.coordinates : [g.coordinates]) {
            const kept = clipped.filter((r) => r.length >= 4).map((r) => simplifyRing(r, tolerance).map(round));
            if (kept.length) polygons.push(kept);
          }
        }
      }
    }
  }
  return JSON.stringify({
    type: 'FeatureCollection',
    // Natural Earth is public domain; world-atlas (ISC) converted it to TopoJSON.
    attribution: 'Made with Natural Earth (public domain), via world-atlas',
    features: [{ type: 'Feature', properties: { kind: 'land' }, geometry: { type: 'MultiPolygon', coordinates: polygons } }],
  });
}
