import { CrsRef } from '../crs/crs';
import { XmlElement } from '../http/xml';
import { invalidParam, OwsError } from '../ows/errors';
import { ComparisonOp, Filter, GeometryOperand, Operand, SpatialOp, TemporalOp, ValueRef } from './ast';
import { GML_NAMESPACES, isGeometryElement, isTimeElement, normaliseInstant, parseGmlGeometry, parseGmlTime } from './gml';

/** What differs between filter versions; everything else is shared. */
export interface Dialect {
  /** Filter element namespaces accepted ('' for clients that leave out xmlns). */
  namespaces: Set<string>;
  /** Element naming a property: fes:ValueReference or ogc:PropertyName. */
  refElement: 'ValueReference' | 'PropertyName';
  /** Identifier elements and the attribute holding the id. */
  idElements: Record<string, string[]>;
  /** Attribute of Distance giving its unit. */
  distanceUnitAttr: 'uom' | 'units';
  /** Attribute names of the escape character of PropertyIsLike (first present wins). */
  escapeAttrs: string[];
  /** Temporal operators exist only in FES 2.0. */
  temporal: boolean;
  /** CRS of geometries without srsName. */
  defaultCrs: CrsRef;
}

const LOC = 'filter';

const COMPARISON: ReadonlySet<string> = new Set<ComparisonOp>([
  'PropertyIsEqualTo', 'PropertyIsNotEqualTo', 'PropertyIsLessThan', 'PropertyIsGreaterThan', 'PropertyIsLessThanOrEqualTo', 'PropertyIsGreaterThanOrEqualTo',
]);
const SPATIAL: ReadonlySet<string> = new Set<SpatialOp>(['BBOX', 'Intersects', 'Within', 'Contains', 'Disjoint', 'DWithin', 'Beyond', 'Equals', 'Touches', 'Crosses', 'Overlaps']);
/** Temporal operators compiled to SQL; the others of FES 2.0 are refused (they need period-valued properties). */
const TEMPORAL: ReadonlySet<string> = new Set<TemporalOp>(['After', 'Before', 'During', 'TEquals']);
const EXPRESSION_FUNCTIONS = new Set(['Function', 'Add', 'Sub', 'Mul', 'Div']);

function malformed(message: string): OwsError {
  return new OwsError('OperationParsingFailed', LOC, message);
}

function isFilterEl(el: XmlElement, d: Dialect): boolean {
  return d.namespaces.has(el.ns);
}

function attrLocal(el: XmlElement, local: string): string | undefined {
  if (el.attrs[local] !== undefined) return el.attrs[local];
  for (const [k, v] of Object.entries(el.attrs)) if (k.startsWith('{') && k.endsWith(`}${local}`)) return v;
  for (const [k, v] of Object.entries(el.attrs)) if (!k.startsWith('{') && k.endsWith(`:${local}`)) return v;
  return undefined;
}

function bool(el: XmlElement, name: string, dflt: boolean): boolean {
  const v = el.attrs[name];
  if (v === undefined) return dflt;
  const t = v.trim().toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  throw invalidParam(LOC, `${name}="${v.slice(0, 20)}" is not a boolean`);
}

function ref(el: XmlElement): ValueRef {
  const path = el.text.trim();
  if (!path) throw invalidParam(LOC, `Empty ${el.local}`);
  return { kind: 'ref', path };
}

function expression(el: XmlElement, d: Dialect): Operand {
  if (!isFilterEl(el, d)) throw malformed(`Unexpected element ${el.qname} where an expression was expected`);
  if (el.local === d.refElement || el.local === 'ValueReference' || el.local === 'PropertyName') return ref(el);
  if (el.local === 'Literal') {
    if (el.children.length) throw invalidParam(LOC, `A fes:Literal with element content (${el.children[0].qname}) cannot be compared`);
    return { kind: 'literal', value: el.text };
  }
  if (EXPRESSION_FUNCTIONS.has(el.local)) throw new OwsError('InvalidParameterValue', LOC, `${el.local} expressions are not supported (ImplementsFunctions and arithmetic are FALSE)`);
  throw malformed(`Unknown expression ${el.qname}`);
}

function refOnly(el: XmlElement, d: Dialect, what: string): ValueRef {
  const e = expression(el, d);
  if (e.kind !== 'ref') throw invalidParam(LOC, `${what} needs a ${d.refElement}, not a literal`);
  return e;
}

function comparison(el: XmlElement, d: Dialect): Filter {
  if (el.children.length !== 2) throw malformed(`${el.local} needs exactly two operands`);
  const [left, right] = el.children.map((c) => expression(c, d));
  const action = el.attrs.matchAction ?? 'Any';
  if (action !== 'Any' && action !== 'All' && action !== 'One') throw invalidParam(LOC, `matchAction="${action.slice(0, 20)}" must be Any, All or One`);
  return { op: el.local as ComparisonOp, left, right, matchCase: bool(el, 'matchCase', true), matchAction: action };
}

function like(el: XmlElement, d: Dialect): Filter {
  if (el.children.length !== 2) throw malformed('PropertyIsLike needs a property and a pattern');
  const [a, b] = el.children.map((c) => expression(c, d));
  const [r, lit] = a.kind === 'ref' && b.kind === 'literal' ? [a, b] : b.kind === 'ref' && a.kind === 'literal' ? [b, a] : [undefined, undefined];
  if (!r || !lit) throw invalidParam(LOC, 'PropertyIsLike needs one property and one literal pattern');
  const wildCard = el.attrs.wildCard;
  const singleChar = el.attrs.singleChar;
  const escapeChar = d.escapeAttrs.map((n) => el.attrs[n]).find((v) => v !== undefined);
  if (wildCard === undefined || singleChar === undefined || escapeChar === undefined) {
    throw malformed(`PropertyIsLike needs wildCard, singleChar and ${d.escapeAttrs[0]} attributes`);
  }
  for (const [n, v] of [['wildCard', wildCard], ['singleChar', singleChar], [d.escapeAttrs[0], escapeChar]]) {
    if ([...v].length !== 1) throw invalidParam(LOC, `${n} must be exactly one character`);
  }
  if (new Set([wildCard, singleChar, escapeChar]).size !== 3) throw invalidParam(LOC, 'wildCard, singleChar and escapeChar must differ');
  return { op: 'PropertyIsLike', ref: r, pattern: lit.value, wildCard, singleChar, escapeChar, matchCase: bool(el, 'matchCase', true) };
}

function between(el: XmlElement, d: Dialect): Filter {
  const [first, ...rest] = el.children;
  if (!first) throw malformed('PropertyIsBetween needs an expression');
  const lowerEl = rest.find((c) => c.local === 'LowerBoundary');
  const upperEl = rest.find((c) => c.local === 'UpperBoundary');
  if (!lowerEl || !upperEl || lowerEl.children.length !== 1 || upperEl.children.length !== 1) {
    throw malformed('PropertyIsBetween needs LowerBoundary and UpperBoundary, each with one expression');
  }
  return { op: 'PropertyIsBetween', ref: refOnly(first, d, 'PropertyIsBetween'), lower: expression(lowerEl.children[0], d), upper: expression(upperEl.children[0], d) };
}

function distanceOf(el: XmlElement, d: Dialect): { value: number; uom: string } {
  const text = el.text.trim();
  if (!/^[+]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) throw invalidParam(LOC, `Distance "${text.slice(0, 40)}" is not a non-negative number`);
  const value = Number(text);
  if (!Number.isFinite(value)) throw invalidParam(LOC, 'Distance is too large');
  const uom = el.attrs[d.distanceUnitAttr] ?? el.attrs.uom ?? el.attrs.units;
  if (!uom) throw malformed(`Distance needs a ${d.distanceUnitAttr} attribute`);
  return { value, uom };
}

function geometryOperand(el: XmlElement, d: Dialect): GeometryOperand {
  // FES 2.0 allows the geometry wrapped in fes:Literal.
  const g = isFilterEl(el, d) && el.local === 'Literal' ? el.children[0] : el;
  if (!g || !isGeometryElement(g)) throw malformed(`Expected a GML geometry, found ${el.qname}`);
  return parseGmlGeometry(g, d.defaultCrs);
}

function spatial(el: XmlElement, d: Dialect): Filter {
  const op = el.local as SpatialOp;
  let r: ValueRef | undefined;
  let geometry: GeometryOperand | undefined;
  let distance: { value: number; uom: string } | undefined;
  for (const c of el.children) {
    if (isFilterEl(c, d) && (c.local === d.refElement || c.local === 'ValueReference' || c.local === 'PropertyName')) {
      if (r) throw malformed(`${op} has more than one ${d.refElement}`);
      r = ref(c);
    } else if (isFilterEl(c, d) && c.local === 'Distance') {
      distance = distanceOf(c, d);
    } else if (isFilterEl(c, d) && EXPRESSION_FUNCTIONS.has(c.local)) {
      throw invalidParam(LOC, `${c.local} expressions are not supported (ImplementsFunctions is FALSE)`);
    } else {
      if (geometry) throw malformed(`${op} has more than one geometry`);
      geometry = geometryOperand(c, d);
    }
  }
  if (!geometry) throw malformed(`${op} needs a GML geometry`);
  if (op === 'BBOX' && geometry.bbox === undefined) throw invalidParam(LOC, 'BBOX needs a gml:Envelope (or gml:Box)');
  if ((op === 'DWithin' || op === 'Beyond') !== (distance !== undefined)) {
    throw malformed(op === 'DWithin' || op === 'Beyond' ? `${op} needs a Distance` : `${op} takes no Distance`);
  }
  // Without a property (allowed for BBOX, and sent by old clients for the others) the default geometry is meant.
  return { op, ref: r, geometry, ...(distance ? { distance } : {}) };
}

function temporal(el: XmlElement, d: Dialect): Filter {
  const op = el.local as TemporalOp;
  let r: ValueRef | undefined;
  let time: { instant?: string; period?: { begin: string; end: string } } | undefined;
  for (const c of el.children) {
    if (isFilterEl(c, d) && (c.local === 'ValueReference' || c.local === 'PropertyName')) r = ref(c);
    else if (isTimeElement(c)) time = parseGmlTime(c);
    else if (isFilterEl(c, d) && c.local === 'Literal') {
      const inner = c.children[0];
      if (inner && isTimeElement(inner)) time = parseGmlTime(inner);
      else if (!inner) time = literalTime(c.text);
      else throw malformed(`Unexpected ${inner.qname} in a temporal literal`);
    } else throw malformed(`Unexpected ${c.qname} in ${op}`);
  }
  if (!r) throw malformed(`${op} needs a ValueReference`);
  if (!time) throw malformed(`${op} needs a gml:TimeInstant or gml:TimePeriod`);
  if (op === 'During' && !time.period) throw invalidParam(LOC, 'During needs a gml:TimePeriod');
  return { op, ref: r, ...time };
}

function literalTime(text: string): { instant?: string; period?: { begin: string; end: string } } {
  const parts = text.trim().split('/');
  if (parts.length === 2) return { period: { begin: normaliseInstant(parts[0]), end: normaliseInstant(parts[1]) } };
  return { instant: normaliseInstant(text) };
}

function resourceIds(els: XmlElement[], d: Dialect): Filter {
  const ids: string[] = [];
  for (const el of els) {
    const attrs = d.idElements[el.local];
    const id = attrs?.map((a) => (a.includes(':') ? attrLocal(el, a.split(':')[1]) : el.attrs[a])).find((v) => v !== undefined);
    if (!attrs || id === undefined || id.trim() === '') throw malformed(`${el.qname} needs an identifier attribute`);
    ids.push(id.trim());
  }
  return { op: 'ResourceId', ids };
}

/** Parses one operator element (a child of Filter, And, Or or Not) of the given dialect. */
export function parseOperator(el: XmlElement, d: Dialect): Filter {
  if (!isFilterEl(el, d)) throw malformed(`Unknown filter operator ${el.qname}`);
  const name = el.local;
  if (name === 'And' || name === 'Or') {
    if (el.children.length < 1) throw malformed(`${name} needs operands`);
    const args = el.children.map((c) => parseOperator(c, d));
    return args.length === 1 ? args[0] : { op: name, args };
  }
  if (name === 'Not') {
    if (el.children.length !== 1) throw malformed('Not needs exactly one operand');
    return { op: 'Not', arg: parseOperator(el.children[0], d) };
  }
  if (COMPARISON.has(name)) return comparison(el, d);
  if (name === 'PropertyIsLike') return like(el, d);
  if (name === 'PropertyIsNull' || name === 'PropertyIsNil') {
    if (el.children.length !== 1) throw malformed(`${name} needs one ${d.refElement}`);
    return { op: name, ref: refOnly(el.children[0], d, name) };
  }
  if (name === 'PropertyIsBetween') return between(el, d);
  if (name in d.idElements) return resourceIds([el], d);
  if (SPATIAL.has(name)) return spatial(el, d);
  if (d.temporal && TEMPORAL.has(name)) return temporal(el, d);
  throw malformed(`Unknown or unsupported filter operator ${el.qname}`);
}

/** Parses a Filter root element: one operator, or a list of identifiers (ResourceId/FeatureId/GmlObjectId). */
export function parseFilterRoot(el: XmlElement, d: Dialect): Filter {
  if (!isFilterEl(el, d) || el.local !== 'Filter') throw malformed(`Expected a Filter element, found ${el.qname}`);
  if (el.children.length === 0) throw malformed('Empty Filter');
  if (el.children.every((c) => isFilterEl(c, d) && c.local in d.idElements)) return resourceIds(el.children, d);
  if (el.children.length !== 1) throw malformed('A Filter holds exactly one operator (combine several with And/Or)');
  return parseOperator(el.children[0], d);
}

export { GML_NAMESPACES };
