import { CrsRef, requireCrs } from '../crs/crs';
import { XmlElement } from '../http/xml';
import { invalidParam, OwsError } from '../ows/errors';
import { isoUtc, parseIsoInstant } from '../util/time';
import { GeometryOperand, Period } from './ast';
import { checkPosition, envelopeOperand, toXY, XY } from './geometry';
import { NS } from '../xml/namespaces';

/** GML namespaces accepted in filters: 3.2 (FES 2.0), 3.1.1 and 2 (Filter 1.1/1.0), and none (clients that omit xmlns). */
export const GML_NAMESPACES = new Set<string>([NS.gml, NS.gml311, '']);

/** Local names of the GML geometries this parser reads. */
export const GEOMETRY_ELEMENTS = new Set([
  'Point', 'LineString', 'LinearRing', 'Polygon', 'Envelope', 'Box',
  'MultiPoint', 'MultiLineString', 'MultiCurve', 'MultiPolygon', 'MultiSurface',
]);

/** True when the element is a GML geometry we can read. */
export function isGeometryElement(el: XmlElement): boolean {
  return GML_NAMESPACES.has(el.ns) && GEOMETRY_ELEMENTS.has(el.local);
}

/** True when the element is a GML time primitive (TimeInstant or TimePeriod). */
export function isTimeElement(el: XmlElement): boolean {
  return GML_NAMESPACES.has(el.ns) && (el.local === 'TimeInstant' || el.local === 'TimePeriod');
}

const LOC = 'filter';

function malformed(message: string): OwsError {
  return new OwsError('OperationParsingFailed', LOC, message);
}

function kids(el: XmlElement, local: string): XmlElement[] {
  return el.children.filter((c) => c.local === local && GML_NAMESPACES.has(c.ns));
}

function kid(el: XmlElement, local: string): XmlElement | undefined {
  return kids(el, local)[0];
}

function attr(el: XmlElement, local: string): string | undefined {
  if (el.attrs[local] !== undefined) return el.attrs[local];
  for (const [k, v] of Object.entries(el.attrs)) if (k.endsWith(`:${local}`) || k.endsWith(`}${local}`)) return v;
  return undefined;
}

function crsOf(el: XmlElement, inherited: CrsRef): CrsRef {
  const name = el.attrs.srsName;
  return name === undefined || name.trim() === '' ? inherited : requireCrs(name, LOC);
}

function num(s: string): number {
  // Number('') is 0 and Number('0x10') is 16: only plain decimal numbers are coordinates.
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s)) throw invalidParam(LOC, `"${s.slice(0, 40)}" is not a number`);
  return Number(s);
}

function tuples(values: number[], dim: number): [number, number][] {
  if (dim < 2 || dim > 4) throw invalidParam(LOC, `Unsupported srsDimension ${dim}`);
  if (values.length === 0 || values.length % dim !== 0) throw malformed(`A coordinate list of ${values.length} numbers does not divide into ${dim}-D positions`);
  const out: [number, number][] = [];
  for (let i = 0; i < values.length; i += dim) out.push([values[i], values[i + 1]]);
  return out;
}

function dimOf(el: XmlElement, fallback: number): number {
  const d = attr(el, 'srsDimension') ?? attr(el, 'dimension');
  return d === undefined ? fallback : Math.trunc(num(d));
}

function splitNums(text: string): number[] {
  const t = text.trim();
  return t === '' ? [] : t.split(/\s+/).map(num);
}

/** Positions of a LineString/LinearRing/Point-like element in the order written (GML 3 pos/posList, GML 2 coordinates/coord). */
function rawPositions(el: XmlElement, dim: number): [number, number][] {
  const posList = kid(el, 'posList');
  if (posList) return tuples(splitNums(posList.text), dimOf(posList, dim));
  const pos = kids(el, 'pos').concat(kids(el, 'pointProperty').flatMap((p) => kids(p, 'Point').flatMap((pt) => kids(pt, 'pos'))));
  if (pos.length) {
    return pos.map((p) => {
      const v = splitNums(p.text);
      if (v.length < 2) throw malformed('gml:pos needs at least two numbers');
      return [v[0], v[1]];
    });
  }
  const coordinates = kid(el, 'coordinates');
  if (coordinates) {
    const cs = coordinates.attrs.cs ?? ',';
    const ts = coordinates.attrs.ts ?? ' ';
    const dec = coordinates.attrs.decimal ?? '.';
    const text = coordinates.text.trim();
    if (!text) throw malformed('Empty gml:coordinates');
    const tupleTexts = ts.trim() === '' ? text.split(/\s+/) : text.split(ts).map((s) => s.trim()).filter(Boolean);
    return tupleTexts.map((t) => {
      const parts = t.split(cs).map((s) => num((dec === '.' ? s : s.split(dec).join('.')).trim()));
      if (parts.length < 2) throw malformed(`Coordinate tuple "${t.slice(0, 40)}" has fewer than two values`);
      return [parts[0], parts[1]];
    });
  }
  const coords = kids(el, 'coord');
  if (coords.length) {
    return coords.map((c) => {
      const x = kid(c, 'X');
      const y = kid(c, 'Y');
      if (!x || !y) throw malformed('gml:coord needs gml:X and gml:Y');
      return [num(x.text), num(y.text)];
    });
  }
  throw malformed(`gml:${el.local} has no coordinates`);
}

function positions(el: XmlElement, crs: CrsRef, dim: number): XY[] {
  return rawPositions(el, dim).map(([a, b]) => {
    const p = toXY(a, b, crs);
    checkPosition(p, crs, LOC);
    return p;
  });
}

function linearRing(holder: XmlElement, crs: CrsRef, dim: number): XY[] {
  const r = kid(holder, 'LinearRing');
  if (!r) throw malformed(`gml:${holder.local} needs a gml:LinearRing`);
  const pts = positions(r, crs, dimOf(r, dim));
  const first = pts[0];
  const last = pts[pts.length - 1];
  if (pts.length < 4 || first[0] !== last[0] || first[1] !== last[1]) {
    throw invalidParam(LOC, 'A gml:LinearRing needs at least four positions and must be closed (first = last)');
  }
  return pts;
}

type Geo = { type: string; coordinates: unknown };

function memberGeometries(el: XmlElement, single: string[], plural: string[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const m of el.children.filter((c) => GML_NAMESPACES.has(c.ns))) {
    if (single.includes(m.local)) {
      const g = m.children[0];
      if (!g) throw malformed(`gml:${m.local} is empty`);
      out.push(g);
    } else if (plural.includes(m.local)) {
      out.push(...m.children);
    }
  }
  if (!out.length) throw malformed(`gml:${el.local} has no members`);
  return out;
}

function geometry(el: XmlElement, crs: CrsRef, dim: number): Geo {
  if (!GML_NAMESPACES.has(el.ns)) throw malformed(`Unsupported geometry element ${el.qname}`);
  const c = crsOf(el, crs);
  if (c.srid !== crs.srid || c.latFirst !== crs.latFirst) throw invalidParam(LOC, `A geometry member in ${c.name} inside a geometry in ${crs.name} is not supported`);
  const d = dimOf(el, dim);
  switch (el.local) {
    case 'Point': {
      const p = positions(el, crs, d);
      if (p.length !== 1) throw malformed('gml:Point needs exactly one position');
      return { type: 'Point', coordinates: p[0] };
    }
    case 'LineString': {
      const p = positions(el, crs, d);
      if (p.length < 2) throw invalidParam(LOC, 'gml:LineString needs at least two positions');
      return { type: 'LineString', coordinates: p };
    }
    case 'LinearRing':
      return { type: 'Polygon', coordinates: [linearRing({ ...el, children: [el] }, crs, d)] };
    case 'Polygon': {
      const outer = kid(el, 'exterior') ?? kid(el, 'outerBoundaryIs');
      if (!outer) throw malformed('gml:Polygon needs gml:exterior');
      const holes = kids(el, 'interior').concat(kids(el, 'innerBoundaryIs'));
      return { type: 'Polygon', coordinates: [linearRing(outer, crs, d), ...holes.map((h) => linearRing(h, crs, d))] };
    }
    case 'MultiPoint':
      return { type: 'MultiPoint', coordinates: memberGeometries(el, ['pointMember'], ['pointMembers']).map((g) => expect(g, 'Point', crs, d).coordinates) };
    case 'MultiLineString':
    case 'MultiCurve':
      return { type: 'MultiLineString', coordinates: memberGeometries(el, ['lineStringMember', 'curveMember'], ['curveMembers']).map((g) => expect(g, 'LineString', crs, d).coordinates) };
    case 'MultiPolygon':
    case 'MultiSurface':
      return { type: 'MultiPolygon', coordinates: memberGeometries(el, ['polygonMember', 'surfaceMember'], ['surfaceMembers']).map((g) => expect(g, 'Polygon', crs, d).coordinates) };
    default:
      throw malformed(`Unsupported geometry gml:${el.local}`);
  }
}

function expect(el: XmlElement, local: string, crs: CrsRef, dim: number): Geo {
  if (el.local !== local) throw malformed(`Expected gml:${local} but found ${el.qname}`);
  return geometry(el, crs, dim);
}

function envelope(el: XmlElement, crs: CrsRef, dim: number): GeometryOperand {
  const lower = kid(el, 'lowerCorner');
  const upper = kid(el, 'upperCorner');
  let corners: [number, number][];
  if (lower && upper) {
    corners = [...tuples(splitNums(lower.text), dimOf(lower, dim)), ...tuples(splitNums(upper.text), dimOf(upper, dim))];
  } else {
    corners = rawPositions(el, dim);
  }
  if (corners.length !== 2) throw malformed(`gml:${el.local} needs exactly two corners`);
  return envelopeOperand(toXY(corners[0][0], corners[0][1], crs), toXY(corners[1][0], corners[1][1], crs), crs, LOC);
}

/**
 * Reads a GML geometry (3.2, 3.1.1 or 2) into a geometry operand, x/y normalised to lon/lat for
 * geographic CRSs. Without srsName the given default CRS applies (urn 4326, lat/lon, for FES 2.0).
 */
export function parseGmlGeometry(el: XmlElement, defaultCrs: CrsRef): GeometryOperand {
  const crs = crsOf(el, defaultCrs);
  const dim = dimOf(el, 2);
  if (el.local === 'Envelope' || el.local === 'Box') return envelope(el, crs, dim);
  return { geojson: geometry(el, crs, dim), srid: crs.srid };
}

/** An instant as normalised ISO UTC; InvalidParameterValue when malformed or outside years 1-9999. */
export function normaliseInstant(text: string, locator = LOC): string {
  const s = text.trim();
  const t = s.toLowerCase() === 'now' ? Date.now() : parseIsoInstant(s);
  // parseIsoInstant already keeps to the years PostgreSQL takes (0001-9999).
  if (t === null) {
    throw invalidParam(locator, `"${s.slice(0, 60)}" is not a valid ISO 8601 time`);
  }
  return isoUtc(t);
}

function timePositionOf(el: XmlElement): string {
  const tp = kid(el, 'timePosition');
  if (!tp) throw malformed('gml:TimeInstant needs gml:timePosition');
  const indeterminate = tp.attrs.indeterminatePosition;
  if (indeterminate === 'now') return normaliseInstant('now');
  if (indeterminate) throw invalidParam(LOC, `indeterminatePosition="${indeterminate}" is not supported`);
  return normaliseInstant(tp.text);
}

function periodEdge(el: XmlElement, edge: 'begin' | 'end'): string {
  const pos = kid(el, `${edge}Position`);
  if (pos) {
    if (pos.attrs.indeterminatePosition === 'now') return normaliseInstant('now');
    if (pos.attrs.indeterminatePosition) throw invalidParam(LOC, `indeterminatePosition="${pos.attrs.indeterminatePosition}" is not supported`);
    return normaliseInstant(pos.text);
  }
  const holder = kid(el, edge);
  const inst = holder && kid(holder, 'TimeInstant');
  if (!inst) throw malformed(`gml:TimePeriod needs gml:${edge}Position or gml:${edge}/gml:TimeInstant`);
  return timePositionOf(inst);
}

/** Reads gml:TimeInstant or gml:TimePeriod into an instant or a period (ISO UTC); begin after end is refused. */
export function parseGmlTime(el: XmlElement): { instant?: string; period?: Period } {
  if (el.local === 'TimeInstant') return { instant: timePositionOf(el) };
  if (el.local === 'TimePeriod') {
    const begin = periodEdge(el, 'begin');
    const end = periodEdge(el, 'end');
    if (Date.parse(begin) > Date.parse(end)) throw invalidParam(LOC, `The period begins (${begin}) after it ends (${end})`);
    return { period: { begin, end } };
  }
  throw malformed(`Unsupported time element ${el.qname}`);
}
