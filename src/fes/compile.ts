import { lookupTable } from '../util/lookup';
import { FeatureTypeDef, GeometryDef, PropertyDef, PropertyType } from '../catalog/types';
import { invalidParam, OwsError } from '../ows/errors';
import { ComparisonOp, Filter, GeometryOperand, Operand, SpatialFilter, SpatialOp, TemporalFilter, ValueRef } from './ast';
import { normaliseInstant } from './gml';
import { SqlParams, SqlValue } from '../query/sqlParams';


const LOC = 'filter';

/** What a ValueReference names: the feature id (`@gml:id`), the geometry, or a property. */
export type ResolvedRef =
  | { kind: 'id'; sql: string }
  | { kind: 'geometry'; sql: string; def: GeometryDef }
  | { kind: 'property'; sql: string; def: PropertyDef };

/**
 * Resolves a ValueReference / PropertyName (`name`, `prefix:name`, `prefix:Type/prefix:name`, `@gml:id`)
 * against the catalog. Unknown or non-queryable → InvalidParameterValue with the given locator.
 */
export function resolveValueReference(type: FeatureTypeDef, path: string, locator = LOC): ResolvedRef {
  const steps = path.trim().replace(/^\.?\//, '').split('/').map((s) => s.trim());
  const local = (s: string) => s.slice(s.indexOf(':') + 1);
  if (steps.length === 2 && local(steps[0]) === type.name) steps.shift();
  if (steps.length === 1) {
    const step = steps[0];
    if (/^@(?:[A-Za-z_][\w.-]*:)?id$/.test(step)) return { kind: 'id', sql: type.idSql };
    const name = local(step);
    if (!step.startsWith('@') && /^[A-Za-z_][\w.-]*$/.test(name) && step.split(':').length <= 2) {
      if (name === type.geometry.name) return { kind: 'geometry', sql: type.geometry.sql, def: type.geometry };
      const def = type.properties.find((p) => p.name === name);
      if (def) {
        if (def.queryable === false) throw invalidParam(locator, `Property ${name} of ${type.name} cannot be used in filters or sorting`);
        return { kind: 'property', sql: def.sql, def };
      }
    }
  }
  throw invalidParam(locator, `Unknown property "${path.slice(0, 100)}" for feature type ${type.name}`);
}

/** Splits gml:id-style identifiers (`Type.id`) into those of this type (local ids) and the others. */
export function resourceIdsFor(type: FeatureTypeDef, ids: string[]): { own: string[]; foreign: string[] } {
  const prefix = `${type.name}.`;
  const own: string[] = [];
  const foreign: string[] = [];
  for (const id of ids) {
    if (id.startsWith(prefix) && id.length > prefix.length) own.push(id.slice(prefix.length));
    else foreign.push(id);
  }
  return { own, foreign };
}

/**
 * SQL selecting the features with these gml:ids. Identifiers of other types select nothing (the WFS
 * layer decides whether that is an error); a type's idCondition gives an indexed lookup per id.
 */
export function resourceIdSql(type: FeatureTypeDef, ids: string[], params: SqlParams): string {
  return localIdSql(type, resourceIdsFor(type, ids).own, params);
}

/**
 * SQL selecting the features whose gml:id is `${type.name}.${id}` for one of these local ids: the
 * type's indexed lookup when it has one (an Observation id maps onto the primary key; comparing the
 * computed gml:id would scan every row), else one `= ANY` over the id expression.
 */
export function localIdSql(type: FeatureTypeDef, own: string[], params: SqlParams): string {
  if (!own.length) return 'FALSE';
  if (!type.idCondition) return `(${type.idSql}) = ANY(${params.add(own)}::text[])`;
  const conds: string[] = [];
  for (const id of own) {
    const mark = params.values.length;
    const c = type.idCondition(id, (v) => params.add(v as SqlValue));
    // An id that cannot be this type's must not leave unused placeholders behind.
    if (c === null) params.values.length = mark;
    else conds.push(`(${c})`);
  }
  return conds.length ? `(${conds.join(' OR ')})` : 'FALSE';
}

function processingFailed(message: string): OwsError {
  return new OwsError('OperationProcessingFailed', LOC, message);
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A literal converted to the property's type and bound as a typed parameter; unconvertible → OperationProcessingFailed. */
function typedLiteral(value: string, type: PropertyType | 'id', params: SqlParams): string {
  const v = value.trim();
  switch (type) {
    case 'int':
    case 'long':
    case 'double': {
      const n = Number(v);
      if (!NUMBER.test(v) || !Number.isFinite(n)) throw processingFailed(`"${v.slice(0, 60)}" is not a number`);
      // Plain integers stay exact as numeric; anything else (1e-20000, 20,000-digit fractions) goes
      // through its double value, which PostgreSQL's numeric input could overflow on otherwise.
      if (type !== 'double' && /^[+-]?\d{1,18}$/.test(v)) return `${params.add(v)}::numeric`;
      return `${params.add(String(n))}::double precision`;
    }
    case 'boolean': {
      const t = v.toLowerCase();
      if (t !== 'true' && t !== 'false' && t !== '1' && t !== '0') throw processingFailed(`"${v.slice(0, 60)}" is not a boolean`);
      return `${params.add(t === 'true' || t === '1')}::boolean`;
    }
    case 'dateTime': {
      let iso: string;
      try {
        iso = normaliseInstant(v);
      } catch {
        throw processingFailed(`"${v.slice(0, 60)}" is not an ISO 8601 time`);
      }
      return `${params.add(iso)}::timestamptz`;
    }
    default:
      // Strings keep their spaces: only numbers, booleans and times are trimmed.
      return `${params.add(value)}::text`;
  }
}

interface Typed {
  sql: string;
  type: PropertyType | 'id';
}

function scalarRef(type: FeatureTypeDef, r: ValueRef, what: string, params: SqlParams): Typed {
  const res = resolveValueReference(type, r.path);
  if (res.kind === 'geometry') throw invalidParam(LOC, `${what} cannot be applied to the geometry property ${res.def.name}`);
  // @gml:id is `Type.id`, so compare against the same text the encoders write.
  if (res.kind === 'id') return { sql: `(${params.add(`${type.name}.`)}::text || (${res.sql}))`, type: 'id' };
  return { sql: `(${res.sql})`, type: res.def.type };
}

const isText = (t: PropertyType | 'id') => t === 'string' || t === 'anyURI' || t === 'id';

/** Both operands as SQL of one comparable type (the property's type decides how literals are read). */
function operands(a: Operand, b: Operand, type: FeatureTypeDef, params: SqlParams, what: string): [string, string, PropertyType | 'id'] {
  if (a.kind === 'ref' && b.kind === 'ref') {
    const l = scalarRef(type, a, what, params);
    const r = scalarRef(type, b, what, params);
    if (l.type === r.type || (isText(l.type) && isText(r.type))) return [l.sql, r.sql, l.type];
    const numeric = (t: string) => t === 'int' || t === 'long' || t === 'double';
    if (numeric(l.type) && numeric(r.type)) return [`${l.sql}::double precision`, `${r.sql}::double precision`, 'double'];
    return [`${l.sql}::text`, `${r.sql}::text`, 'string'];
  }
  if (a.kind === 'ref' && b.kind === 'literal') {
    const l = scalarRef(type, a, what, params);
    return [l.sql, typedLiteral(b.value, l.type, params), l.type];
  }
  if (a.kind === 'literal' && b.kind === 'ref') {
    const r = scalarRef(type, b, what, params);
    return [typedLiteral(a.value, r.type, params), r.sql, r.type];
  }
  const la = a as { value: string };
  const lb = b as { value: string };
  return [`${params.add(la.value)}::text`, `${params.add(lb.value)}::text`, 'string'];
}

const SQL_COMPARISON: Record<ComparisonOp, string> = {
  PropertyIsEqualTo: '=',
  PropertyIsNotEqualTo: '<>',
  PropertyIsLessThan: '<',
  PropertyIsGreaterThan: '>',
  PropertyIsLessThanOrEqualTo: '<=',
  PropertyIsGreaterThanOrEqualTo: '>=',
};

/** Translates an FES LIKE pattern into a SQL LIKE pattern with `\` as escape, escaping SQL's own % and _. */
export function likePattern(pattern: string, wildCard: string, singleChar: string, escapeChar: string): string {
  const chars = [...pattern];
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === escapeChar && i + 1 < chars.length) {
      const next = chars[++i];
      out += next === '%' || next === '_' || next === '\\' ? `\\${next}` : next;
    } else if (ch === wildCard) out += '%';
    else if (ch === singleChar) out += '_';
    else if (ch === '%' || ch === '_' || ch === '\\') out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

function geometryRef(type: FeatureTypeDef, r: ValueRef | undefined, op: string): string {
  if (!r) return `(${type.geometry.sql})`;
  const res = resolveValueReference(type, r.path);
  if (res.kind !== 'geometry') throw invalidParam(LOC, `${op} needs a geometry property; ${r.path.slice(0, 100)} is not one`);
  return `(${res.sql})`;
}

function geometryLiteral(g: GeometryOperand, params: SqlParams): string {
  let lit = `ST_SetSRID(ST_GeomFromGeoJSON(${params.add(JSON.stringify(g.geojson))}::text), ${Math.trunc(g.srid)})`;
  // A self-intersecting or badly nested polygon makes GEOS predicates (Overlaps, Touches...) raise a
  // TopologyException; repairing it keeps the filter a filter. Points and lines are left alone
  // because extracting polygons from them would empty them.
  if (/Polygon$/.test(g.geojson.type)) lit = `ST_CollectionExtract(ST_MakeValid(${lit}), 3)`;
  return g.srid === 4326 ? lit : `ST_Transform(${lit}, 4326)`;
}

const METRES_PER_UNIT = lookupTable<number>({
  m: 1, metre: 1, meter: 1, metres: 1, meters: 1, 'urn:ogc:def:uom:epsg::9001': 1, 'http://www.opengis.net/def/uom/epsg/0/9001': 1,
  km: 1000, kilometre: 1000, kilometer: 1000, kilometres: 1000, kilometers: 1000, 'urn:ogc:def:uom:epsg::9036': 1000,
  '[nmi_i]': 1852, nmi: 1852, nm: 1852, 'urn:ogc:def:uom:epsg::9030': 1852,
  ft: 0.3048, '[ft_i]': 0.3048, 'urn:ogc:def:uom:epsg::9002': 0.3048,
  mi: 1609.344, '[mi_i]': 1609.344,
});
const DEGREE_UNITS = new Set(['deg', 'degree', 'degrees', 'urn:ogc:def:uom:epsg::9102', 'http://www.opengis.net/def/uom/epsg/0/9102']);

function distanceSql(g: string, lit: string, d: { value: number; uom: string }, params: SqlParams): string {
  const unit = d.uom.trim().toLowerCase();
  if (DEGREE_UNITS.has(unit)) return `ST_DWithin(${g}, ${lit}, ${params.add(d.value)}::double precision)`;
  const factor = METRES_PER_UNIT[unit];
  if (factor === undefined) throw invalidParam(LOC, `Unsupported distance unit "${d.uom.slice(0, 60)}" (use m, km, [nmi_i] or deg)`);
  // Metres are measured on the spheroid (geography), so distances hold at every latitude and across 180°.
  return `ST_DWithin(${g}::geography, ${lit}::geography, ${params.add(d.value * factor)}::double precision)`;
}

const SPATIAL_FN: Record<Exclude<SpatialOp, 'DWithin' | 'Beyond' | 'Disjoint'>, string> = {
  BBOX: 'ST_Intersects',
  Intersects: 'ST_Intersects',
  Within: 'ST_Within',
  Contains: 'ST_Contains',
  Equals: 'ST_Equals',
  Touches: 'ST_Touches',
  Crosses: 'ST_Crosses',
  Overlaps: 'ST_Overlaps',
};

function spatial(f: SpatialFilter, type: FeatureTypeDef, params: SqlParams): string {
  const g = geometryRef(type, f.ref, f.op);
  const lit = geometryLiteral(f.geometry, params);
  switch (f.op) {
    case 'DWithin':
    case 'Beyond': {
      if (!f.distance) throw new OwsError('OperationParsingFailed', LOC, `${f.op} needs a Distance`);
      const within = distanceSql(g, lit, f.distance, params);
      return f.op === 'DWithin' ? within : `NOT ${within}`;
    }
    case 'Disjoint':
      // NOT ST_Intersects keeps the spatial index usable for the complement's planner estimate and matches Disjoint exactly.
      return `NOT ST_Intersects(${g}, ${lit})`;
    default:
      return `${SPATIAL_FN[f.op]}(${g}, ${lit})`;
  }
}

function temporal(f: TemporalFilter, type: FeatureTypeDef, params: SqlParams): string {
  const res = resolveValueReference(type, f.ref.path);
  if (res.kind !== 'property' || res.def.type !== 'dateTime') throw invalidParam(LOC, `${f.op} needs a dateTime property; ${f.ref.path.slice(0, 100)} is not one`);
  const col = `(${res.sql})`;
  const t = (iso: string) => `${params.add(iso)}::timestamptz`;
  const { instant, period } = f;
  switch (f.op) {
    case 'After':
      return `${col} > ${t(instant ?? period!.end)}`;
    case 'Before':
      return `${col} < ${t(instant ?? period!.begin)}`;
    case 'During':
      if (!period) throw invalidParam(LOC, 'During needs a time period');
      // FES 2.0 During is strict: the instant lies inside the period, not on its ends.
      return `(${col} > ${t(period.begin)} AND ${col} < ${t(period.end)})`;
    case 'TEquals':
      return instant ? `${col} = ${t(instant)}` : `(${col} = ${t(period!.begin)} AND ${col} = ${t(period!.end)})`;
    default:
      throw new OwsError('OperationParsingFailed', LOC, `Temporal operator ${f.op} is not supported`);
  }
}

function compileNode(f: Filter, type: FeatureTypeDef, params: SqlParams): string {
  switch (f.op) {
    case 'And':
    case 'Or':
      if (f.args.length === 0) return f.op === 'And' ? 'TRUE' : 'FALSE';
      return `(${f.args.map((a) => compileNode(a, type, params)).join(` ${f.op.toUpperCase()} `)})`;
    case 'Not':
      // A missing value makes the inner test unknown; as in XPath it counts as false, so Not selects it.
      return `NOT COALESCE((${compileNode(f.arg, type, params)}), FALSE)`;
    case 'PropertyIsEqualTo':
    case 'PropertyIsNotEqualTo':
    case 'PropertyIsLessThan':
    case 'PropertyIsGreaterThan':
    case 'PropertyIsLessThanOrEqualTo':
    case 'PropertyIsGreaterThanOrEqualTo': {
      const [l, r, t] = operands(f.left, f.right, type, params, f.op);
      const fold = !f.matchCase && isText(t);
      return fold ? `lower(${l}) ${SQL_COMPARISON[f.op]} lower(${r})` : `${l} ${SQL_COMPARISON[f.op]} ${r}`;
    }
    case 'PropertyIsLike': {
      const col = scalarRef(type, f.ref, f.op, params).sql;
      const pattern = params.add(likePattern(f.pattern, f.wildCard, f.singleChar, f.escapeChar));
      return `${col}::text ${f.matchCase ? 'LIKE' : 'ILIKE'} ${pattern}::text ESCAPE '\\'`;
    }
    case 'PropertyIsNull':
    case 'PropertyIsNil': {
      const res = resolveValueReference(type, f.ref.path);
      // A NULL is written as an absent element (minOccurs=0), never as xsi:nil: it is Null, and nothing is Nil.
      return f.op === 'PropertyIsNull' ? `(${res.sql}) IS NULL` : 'FALSE';
    }
    case 'PropertyIsBetween': {
      // The property is compiled once: every placeholder bound must appear in the SQL.
      const col = scalarRef(type, f.ref, f.op, params);
      const bound = (o: Operand): string => {
        if (o.kind === 'literal') return typedLiteral(o.value, col.type, params);
        const r = scalarRef(type, o, f.op, params);
        if (r.type !== col.type && !(isText(r.type) && isText(col.type))) throw invalidParam(LOC, `PropertyIsBetween bound ${o.path.slice(0, 100)} is not of the property's type`);
        return r.sql;
      };
      return `(${col.sql} BETWEEN ${bound(f.lower)} AND ${bound(f.upper)})`;
    }
    case 'ResourceId':
      return resourceIdSql(type, f.ids, params);
    case 'BBOX':
    case 'Intersects':
    case 'Within':
    case 'Contains':
    case 'Disjoint':
    case 'DWithin':
    case 'Beyond':
    case 'Equals':
    case 'Touches':
    case 'Crosses':
    case 'Overlaps':
      return spatial(f, type, params);
    case 'After':
    case 'Before':
    case 'During':
    case 'TEquals':
    case 'Begins':
    case 'Ends':
    case 'TContains':
    case 'TOverlaps':
      return temporal(f, type, params);
    default: {
      const never: never = f;
      throw new OwsError('OperationParsingFailed', LOC, `Unsupported filter operator ${(never as { op: string }).op}`);
    }
  }
}

/**
 * Compiles a filter into a SQL boolean expression over the type's catalog SQL, with every value bound
 * through `params` as `$n`. All conversion errors are OwsErrors raised here, before any SQL runs.
 */
export function compileFilter(filter: Filter, type: FeatureTypeDef, params: SqlParams): string {
  return compileNode(filter, type, params);
}
