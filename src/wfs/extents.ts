import type { Store } from '../data/store';
import type { FeatureTypeDef } from '../catalog/types';

/** WGS 84 lon/lat extent [west, south, east, north]. */
export type Extent = [number, number, number, number];

const WORLD: Extent = [-180, -90, 180, 90];

// Which stations carry features of each type (our own SQL, keyed by type name).
const EXTENT_SQL: Record<string, string> = {
  Station: 'SELECT ST_Extent(geom) AS e FROM station',
  Dataset: 'SELECT ST_Extent(s.geom) AS e FROM station s WHERE EXISTS (SELECT 1 FROM dataset d WHERE d.station_id = s.id)',
  Observation: 'SELECT ST_Extent(s.geom) AS e FROM station s WHERE EXISTS (SELECT 1 FROM dataset d WHERE d.station_id = s.id AND d.obs_count > 0)',
};

/**
 * Extent of each type from the data. The network spans the antimeridian; we advertise the plain min/max
 * box (e.g. -176.2 .. 179.3), which GDAL and QGIS read correctly, rather than a west > east box that
 * several clients reject. An empty type gets the whole world.
 */
export async function typeExtents(store: Store, types: FeatureTypeDef[]): Promise<Map<string, Extent>> {
  const out = new Map<string, Extent>();
  for (const t of types) {
    const sql = EXTENT_SQL[t.name];
    let e = WORLD;
    if (sql) {
      const r = await store.query<{ w: number | null; s: number | null; e: number | null; n: number | null }>(
        `SELECT ST_XMin(x.e) AS w, ST_YMin(x.e) AS s, ST_XMax(x.e) AS e, ST_YMax(x.e) AS n FROM (${sql}) x`,
      );
      const row = r.rows[0];
      if (row && row.w !== null && row.s !== null && row.e !== null && row.n !== null) e = [Number(row.w), Number(row.s), Number(row.e), Number(row.n)];
    }
    out.set(t.name, e);
  }
  return out;
}
