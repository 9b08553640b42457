/** Coordinate and time formatting shared by the panels and the chart. */

/** Formats one coordinate as degrees and decimal minutes, e.g. 20°32.933'S. */
export function degreesDecimalMinutes(value: number, axis: 'lat' | 'lon'): string {
  const hemi = axis === 'lat' ? (value < 0 ? 'S' : 'N') : value < 0 ? 'W' : 'E';
  const abs = Math.abs(value);
  let deg = Math.floor(abs);
  let min = Math.round((abs - deg) * 60 * 1000) / 1000;
  // 59.9996' rounds to 60.000': carry into the degrees.
  if (min >= 60) {
    deg += 1;
    min -= 60;
  }
  return `${deg}°${min.toFixed(3)}'${hemi}`;
}

/** "20°32.933'S, 166°33.659'E" from a longitude and latitude in degrees. */
export function formatLatLon(lon: number, lat: number): string {
  return `${degreesDecimalMinutes(lat, 'lat')}, ${degreesDecimalMinutes(normaliseLon(lon), 'lon')}`;
}

/** Brings a longitude back into [-180, 180). */
export function normaliseLon(lon: number): number {
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

/**
 * Longitudes to draw so a network spanning the antimeridian stays one group:
 * negative longitudes are shifted by +360 when that makes the network narrower.
 */
export function unwrapLongitudes(lons: number[]): { shift: boolean; lons: number[] } {
  if (lons.length === 0) return { shift: false, lons };
  const span = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
  const shifted = lons.map((l) => (l < 0 ? l + 360 : l));
  const shift = span(shifted) < span(lons);
  return { shift, lons: shift ? shifted : lons };
}

const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
const EPSG = 'http://www.opengis.net/def/crs/EPSG/0/';
/** Radius of the spherical Mercator (EPSG:3857). */
const R = 6378137;

/**
 * Longitude and latitude of a point written in one of the OGC API's CRSs (undefined for a CRS the
 * map cannot place without a projection library: the UTM and Lambert ones).
 */
export function lonLatOf(coords: number[], crs: string): [number, number] | undefined {
  const [a, b] = coords;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return undefined;
  if (crs === CRS84 || crs === '') return [a, b];
  // OGC API – Features Part 2: EPSG:4326 is written latitude first.
  if (crs === `${EPSG}4326`) return [b, a];
  if (crs === `${EPSG}3857`) return [((a / R) * 180) / Math.PI, ((2 * Math.atan(Math.exp(b / R)) - Math.PI / 2) * 180) / Math.PI];
  return undefined;
}

/** "2024-01-23 06:00 UTC" from an ISO instant (or the input when it is not a date). */
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** UCUM codes people read differently: "Cel" is shown as °C, the dimensionless "1" as nothing. */
const UNIT_SYMBOLS: Record<string, string> = { Cel: '°C', '1': '', 'deg': '°', 'degC': '°C' };

/** A unit for display (the UCUM code itself when it reads well as is). */
export function displayUnit(ucum: string): string {
  return UNIT_SYMBOLS[ucum] ?? ucum;
}
