/**
 * The CRSs of OGC API – Features Part 2, as URIs over the CRSs WFS serves (src/crs): CRS84 first (the
 * default, lon/lat), then EPSG:4326 in its authority axis order (lat/lon) and the projected ones.
 * Coordinates come from the same reprojection SQL as WFS (src/query/features.ts).
 */
import { CRS84_URI, crsName, CrsRef, parseCrs, SUPPORTED_SRIDS } from '../crs/crs';
import { invalidParam } from '../ows/errors';

export const CRS84 = CRS84_URI;

/** The advertised CRS URIs, default first. */
export const CRS_URIS: readonly string[] = [CRS84, ...Object.keys(SUPPORTED_SRIDS).map((code) => crsName.uri(code))];

/** Where the geometries are stored: EPSG:4326 with x = longitude, i.e. CRS84. */
export const STORAGE_CRS = CRS84;

/** The default CRS (CRS84) as a parsed reference. */
export const DEFAULT_CRS: CrsRef = parseCrs(CRS84)!;

/** A `crs`/`bbox-crs`/`filter-crs` value: one of the advertised URIs exactly; anything else → 400 naming the parameter. */
export function parseCrsParam(value: string, param: string): CrsRef {
  const v = value.trim();
  const ref = CRS_URIS.includes(v) ? parseCrs(v) : null;
  if (!ref) throw invalidParam(param, `Unsupported ${param} "${v.slice(0, 120)}"; supported: ${CRS_URIS.join(', ')}`);
  return ref;
}
