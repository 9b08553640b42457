import { DEFAULT_CRS, requireCrs } from '../crs/crs';
import type { XmlElement } from '../http/xml';
import { invalidParam, missingParam } from '../ows/errors';
import type { BoxFilter } from '../query/types';

/** The feature-of-interest geometry is the only spatial property: accept its usual spellings. */
function checkValueReference(ref: string, locator: string): void {
  if (ref.trim() === '') throw missingParam('ValueReference', 'The spatial filter has no value reference');
  if (!/(^|[:/])shape$/i.test(ref.trim())) {
    throw invalidParam(locator, `Unsupported value reference "${ref}"; use om:featureOfInterest/*/sams:shape`);
  }
}

function toBox(nums: number[], crsName: string | undefined, locator: string): BoxFilter {
  if (nums.length !== 4 || nums.some((n) => !Number.isFinite(n))) throw invalidParam(locator, 'A bounding box needs four numbers');
  const crs = crsName ? requireCrs(crsName, locator) : DEFAULT_CRS;
  const [a, b, c, d] = nums;
  const [minx, miny, maxx, maxy] = crs.latFirst ? [b, a, d, c] : [a, b, c, d];
  if (minx > maxx || miny > maxy) throw invalidParam(locator, 'The lower corner of the bounding box is above its upper corner');
  return { minx, miny, maxx, maxy, srid: crs.srid };
}

/** KVP spatialFilter: `valueReference,lowerA,lowerB,upperA,upperB[,crs]` in the CRS axis order (default EPSG 4326 lat/lon). */
export function parseKvpSpatialFilter(raw: string, locator = 'spatialFilter'): BoxFilter {
  const parts = raw.split(',').map((s) => s.trim());
  checkValueReference(parts[0] ?? '', locator);
  if (parts.length !== 5 && parts.length !== 6) throw invalidParam(locator, 'Expected valueReference,minA,minB,maxA,maxB[,crs]');
  const nums = parts.slice(1, 5).map((s) => (s === '' ? NaN : Number(s)));
  return toBox(nums, parts[5], locator);
}

/** XML spatialFilter: fes:BBOX with a ValueReference and a gml:Envelope. */
export function parseXmlSpatialFilter(container: XmlElement, locator = 'spatialFilter'): BoxFilter {
  const bbox = container.children[0];
  if (!bbox) throw missingParam(locator, 'The spatial filter is empty');
  if (bbox.local !== 'BBOX') throw invalidParam(locator, `Unsupported spatial operator "${bbox.local}"; use BBOX`);
  const ref = bbox.children.find((c) => c.local === 'ValueReference');
  checkValueReference(ref?.text ?? '', locator);
  const env = bbox.children.find((c) => c.local === 'Envelope');
  if (!env) throw missingParam(locator, 'BBOX needs a gml:Envelope');
  const lower = env.children.find((c) => c.local === 'lowerCorner')?.text.split(/\s+/).map(Number) ?? [];
  const upper = env.children.find((c) => c.local === 'upperCorner')?.text.split(/\s+/).map(Number) ?? [];
  if (lower.length !== 2 || upper.length !== 2) throw invalidParam(locator, 'The envelope needs two-dimensional corners');
  return toBox([...lower, ...upper], env.attrs.srsName, locator);
}

