/**
 * The CRSs of the EDR data queries: WGS 84 in both axis orders. `coords` and `bbox` are read in the
 * request's `crs`, and the answer's coordinates are referenced to it (CoverageJSON referencing, GeoJSON
 * axis order). Projected CRSs are left to the items (OGC API – Features Part 2): a station series
 * gains nothing from them.
 */
import type { CrsRef } from '../../crs/crs';
import { invalidParam } from '../../ows/errors';
import { CRS84, parseCrsParam } from '../crs';

export const EPSG_4326 = 'http://www.opengis.net/def/crs/EPSG/0/4326';

/** The CRSs with the WKT EDR's crs_details gives each, default first. */
export const EDR_CRS: readonly { crs: string; wkt: string }[] = [
  {
    crs: CRS84,
    wkt: 'GEOGCS["WGS 84 (CRS84)",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Longitude",EAST],AXIS["Latitude",NORTH],AUTHORITY["OGC","CRS84"]]',
  },
  {
    crs: EPSG_4326,
    wkt: 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]',
  },
];

/** The `crs` of an EDR query (default CRS84); any other value → 400 naming the two. */
export function edrCrs(value: string | undefined): CrsRef {
  if (value === undefined) return parseCrsParam(CRS84, 'crs');
  const v = value.trim();
  if (!EDR_CRS.some((c) => c.crs === v)) throw invalidParam('crs', `Unsupported crs "${v.slice(0, 120)}" for EDR queries; supported: ${EDR_CRS.map((c) => c.crs).join(', ')}`);
  return parseCrsParam(v, 'crs');
}
