import { CrsRef, crsName, DEFAULT_CRS, parseCrs, requireCrs, WGS84_SRID } from '../crs/crs';
import type { WfsVersion } from './version';

// WFS 1.1.0 clients (and GeoServer-era documents) write the URN without the empty version field.
const X_OGC_SHORT = /^urn:(?:x-)?ogc:def:crs:EPSG:(\d+)$/i;

/** Parses an SRSNAME as any supported spelling (including `urn:x-ogc:def:crs:EPSG:4326`), echoing it verbatim; unknown → 400 locator srsName. */
export function parseSrsName(value: string, locator = 'srsName'): CrsRef {
  const m = X_OGC_SHORT.exec(value.trim());
  if (m) {
    const c = parseCrs(crsName.urn(m[1]));
    if (c) return { ...c, name: value.trim() };
  }
  return requireCrs(value, locator);
}

/** The CRS a version uses when the client names none: lat/lon URN for 2.0.0 and 1.1.0, lon/lat EPSG:4326 for 1.0.0. */
export function defaultCrs(version: WfsVersion): CrsRef {
  if (version === '2.0.0') return DEFAULT_CRS;
  if (version === '1.1.0') return parseSrsName(crsName.xUrn(WGS84_SRID));
  return parseSrsName(crsName.short(WGS84_SRID));
}
