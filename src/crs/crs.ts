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

/** WGS 84: the CRS positions are stored in, and every protocol's default. */
export const WGS84_SRID = 4326;

/**
 * The spellings of an EPSG CRS identifier that documents write. Each family of documents names a CRS
 * its own way, and for a geographic CRS the spelling also says the axis order (see parseCrs): a
 * document picks its spelling here and never writes one out.
 */
export const crsName = {
  /** OGC URN (WFS 2.0, SOS 1.0, O&M 1.0, SensorML 1.0.1 positions): latitude first. */
  urn: (srid: number | string): string => `urn:ogc:def:crs:EPSG::${srid}`,
  /** OGC http URI (SOS 2.0, O&M 2.0, SensorML 2.0, ISO 19139): latitude first. */
  uri: (srid: number | string): string => `http://www.opengis.net/def/crs/EPSG/0/${srid}`,
  /** The URN of WFS 1.1.0 documents and their clients (x-ogc, no version field): latitude first. */
  xUrn: (srid: number | string): string => `urn:x-ogc:def:crs:EPSG:${srid}`,
  /** The EPSG code (WFS 1.0.0, OGC Filter 1.0, proj4): longitude first. */
  short: (srid: number | string): string => `EPSG:${srid}`,
  /** The spelling of the OceanSITES manual's coordinate_reference_frame attribute (no `def:`). */
  oceansites: (srid: number | string): string => `urn:ogc:crs:EPSG::${srid}`,
} as const;

/** OGC CRS84 (WGS 84, longitude first) in its http URI form: the default CRS of the OGC APIs and CQL2. */
export const CRS84_URI = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';

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
  return Object.keys(SUPPORTED_SRIDS).map((k) => crsName.urn(k));
}

/** The default CRS: WGS 84 with the EPSG authority (lat/lon) axis order. */
export const DEFAULT_CRS: CrsRef = { ...SUPPORTED_SRIDS[WGS84_SRID], latFirst: true, name: crsName.urn(WGS84_SRID) };
