import { invalidParam } from '../ows/errors';

/** A coordinate reference system we can serve, described once for every operation. */
export interface CrsDef {
  srid: number;
  /** True when the axis order of coordinates is latitude/northing first for this spelling. */
  latFirst: boolean;
  /** True for geographic (degrees) systems. */
  geographic: boolean;
  /** Human title. */
  title: string;
  /** WGS84 (lon/lat) area of use: [minLon, minLat, maxLon, maxLat]. */
  area: [number, number, number, number];
}

/** The CRSs ReefGate serves (EPSG codes); identifiers map onto these with their axis order. */
export const SUPPORTED_SRIDS: Record<number, Omit<CrsDef, 'latFirst'>> = {
  4326: { srid: 4326, geographic: true, title: 'WGS 84', area: [-180, -90, 180, 90] },
  3857: { srid: 3857, geographic: false, title: 'WGS 84 / Pseudo-Mercator', area: [-180, -85.06, 180, 85.06] },
  3163: { srid: 3163, geographic: false, title: 'RGNC91-93 / Lambert New Caledonia', area: [156.25, -26.45, 174.28, -14.83] },
  32758: { srid: 32758, geographic: false, title: 'WGS 84 / UTM zone 58S', area: [162, -80, 168, 0] },
};

/** Parsed CRS identifier, remembering the spelling the client used (echoed back in srsName). */
export interface CrsRef extends CrsDef {
  /** The identifier exactly as given (the conformance suite wants it echoed verbatim). */
  name: string;
}

const URN = /^urn:(?:x-)?ogc:def:crs:EPSG:(?:[0-9.]*:)?(\d+)$/i;
const HTTP = /^https?:\/\/www\.opengis\.net\/def\/crs\/EPSG\/[0-9.]+\/(\d+)$/i;
const GML = /^https?:\/\/www\.opengis\.net\/gml\/srs\/epsg\.xml#(\d+)$/i;
const SHORT = /^EPSG:(\d+)$/i;
const CRS84 = /^(?:CRS:84|OGC:CRS84|urn:ogc:def:crs:OGC:(?:1\.3|[0-9.]*):CRS84|https?:\/\/www\.opengis\.net\/def\/crs\/OGC\/1\.3\/CRS84)$/i;

/**
 * Parses any spelling of a supported CRS. Axis order (R6): the URN and http://www.opengis.net/def forms
 * of EPSG:4326 are lat/lon; `EPSG:4326`, the gml/srs form and CRS:84 are lon/lat. Projected CRSs here
 * are all easting/northing. Returns null for an unknown or unsupported CRS.
 */
export function parseCrs(name: string): CrsRef | null {
  const s = name.trim();
  if (CRS84.test(s)) return { ...SUPPORTED_SRIDS[4326], latFirst: false, name: s };
  let m = URN.exec(s) ?? HTTP.exec(s);
  let authorityAxis = true;
  if (!m) {
    m = SHORT.exec(s) ?? GML.exec(s);
    authorityAxis = false;
  }
  if (!m) return null;
  const def = SUPPORTED_SRIDS[Number(m[1])];
  if (!def) return null;
  return { ...def, latFirst: def.geographic && authorityAxis, name: s };
}

/** Like parseCrs but throws InvalidParameterValue with the given locator (srsName by default). */
export function requireCrs(name: string, locator = 'srsName'): CrsRef {
  const c = parseCrs(name);
  if (!c) throw invalidParam(locator, `Unsupported or unknown CRS "${name}"; supported: ${supportedCrsUrns().join(', ')}, CRS:84`);
  return c;
}

/** The URN spelling of each supported CRS, in capabilities order (4326 first, as the default). */
export function supportedCrsUrns(): string[] {
  return Object.keys(SUPPORTED_SRIDS).map((k) => `urn:ogc:def:crs:EPSG::${k}`);
}

/** The default CRS: WGS 84 with the EPSG authority (lat/lon) axis order. */
export const DEFAULT_CRS: CrsRef = { ...SUPPORTED_SRIDS[4326], latFirst: true, name: 'urn:ogc:def:crs:EPSG::4326' };
