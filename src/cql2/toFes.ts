import type { PropertyType } from '../catalog/types';
import type { CrsRef } from '../crs/crs';
import type { ComparisonOp, Filter, Literal, SpatialOp, ValueRef } from '../fes/ast';
import { parseIsoInstant } from '../util/time';
import type { CompareOp, Expr, PropertyNode, ScalarNode, SpatialFn, TemporalFn, TemporalNode, BoundNode } from './ast';
import { Loc, quote, Source } from './errors';
import { geometryOperand } from './geometry';
import { dateNode, instantBegin, instantEnd, timestampNode } from './instants';

/** What a queryable holds; `geometry` for the feature's geometry property. */
export type QueryableType = PropertyType | 'geometry';

/** A name a filter may use, and the FES ValueReference path it stands for. */
export interface Queryable {
  /** FES ValueReference path (the feature type's property name, e.g. `stationId`). */
  path: string;
  /** When known, operators and literals are checked against it here, with a position, rather than by the SQL compiler. */
  type?: QueryableType;
  /** False when the property is never NULL: negations then need no IS NOT NULL guard. */
  nullable?: boolean;
}

/** Conditions (FES leaves) one filter may produce: keeps the SQL well under PostgreSQL's 65,535 parameters. */
export const MAX_CONDITIONS = 10_000;

const TRUE: Filter = { op: 'And', args: [] };
const FALSE: Filter = { op: 'Or', args: [] };
const isTrue = (f: Filter) => f.op === 'And' && f.args.length === 0;
const isFalse = (f: Filter) => f.op === 'Or' && f.args.length === 0;

const FES_COMPARE: Record<CompareOp, ComparisonOp> = {
  '=': 'PropertyIsEqualTo', '<>': 'PropertyIsNotEqualTo', '<': 'PropertyIsLessThan',
  '>': 'PropertyIsGreaterThan', '<=': 'PropertyIsLessThanOrEqualTo', '>=': 'PropertyIsGreaterThanOrEqualTo',
};
/** NOT (a op b) ≡ a INVERSE b, also when a or b is NULL (both are then NULL). */
const INVERSE: Record<CompareOp, CompareOp> = { '=': '<>', '<>': '=', '<': '>=', '>=': '<', '>': '<=', '<=': '>' };
/** a op b ≡ b MIRROR a. */
const MIRROR: Record<CompareOp, CompareOp> = { '=': '=', '<>': '<>', '<': '>', '>': '<', '<=': '>=', '>=': '<=' };

const FES_SPATIAL: Record<SpatialFn, SpatialOp> = {
  S_INTERSECTS: 'Intersects', S_EQUALS: 'Equals', S_DISJOINT: 'Disjoint', S_TOUCHES: 'Touches', S_WITHIN: 'Within',
  S_OVERLAPS: 'Overlaps', S_CROSSES: 'Crosses', S_CONTAINS: 'Contains', S_DWITHIN: 'DWithin',
};
/** The relation with its operands swapped: A within B ≡ B contains A. */
const SPATIAL_CONVERSE: Partial<Record<SpatialFn, SpatialFn>> = { S_WITHIN: 'S_CONTAINS', S_CONTAINS: 'S_WITHIN' };

/**
 * The temporal functions over interval ends (b1, e1: first operand; b2, e2: second), as CQL2 clause 7
 * defines them (OWL-Time). An instant is the interval [t, t]; a date the interval of its UTC day.
 */
type EndKey = 'b1' | 'e1' | 'b2' | 'e2';
const RELATIONS: Record<TemporalFn, { join: 'and' | 'or'; conds: Array<[EndKey, CompareOp, EndKey]> }> = {
  T_AFTER: { join: 'and', conds: [['b1', '>', 'e2']] },
  T_BEFORE: { join: 'and', conds: [['e1', '<', 'b2']] },
  T_DISJOINT: { join: 'or', conds: [['e1', '<', 'b2'], ['b1', '>', 'e2']] },
  T_INTERSECTS: { join: 'and', conds: [['b1', '<=', 'e2'], ['e1', '>=', 'b2']] },
  T_EQUALS: { join: 'and', conds: [['b1', '=', 'b2'], ['e1', '=', 'e2']] },
  T_CONTAINS: { join: 'and', conds: [['b1', '<', 'b2'], ['e1', '>', 'e2']] },
  T_DURING: { join: 'and', conds: [['b1', '>', 'b2'], ['e1', '<', 'e2']] },
  T_FINISHEDBY: { join: 'and', conds: [['b1', '<', 'b2'], ['e1', '=', 'e2']] },
  T_FINISHES: { join: 'and', conds: [['b1', '>', 'b2'], ['e1', '=', 'e2']] },
  T_MEETS: { join: 'and', conds: [['e1', '=', 'b2']] },
  T_METBY: { join: 'and', conds: [['b1', '=', 'e2']] },
  T_OVERLAPPEDBY: { join: 'and', conds: [['b1', '>', 'b2'], ['b1', '<', 'e2'], ['e1', '>', 'e2']] },
  T_OVERLAPS: { join: 'and', conds: [['b1', '<', 'b2'], ['e1', '>', 'b2'], ['e1', '<', 'e2']] },
  T_STARTEDBY: { join: 'and', conds: [['b1', '=', 'b2'], ['e1', '>', 'e2']] },
  T_STARTS: { join: 'and', conds: [['b1', '=', 'b2'], ['e1', '<', 'e2']] },
};
const TEMPORAL_CONVERSE: Record<TemporalFn, TemporalFn> = {
  T_AFTER: 'T_BEFORE', T_BEFORE: 'T_AFTER', T_CONTAINS: 'T_DURING', T_DURING: 'T_CONTAINS', T_FINISHEDBY: 'T_FINISHES',
  T_FINISHES: 'T_FINISHEDBY', T_MEETS: 'T_METBY', T_METBY: 'T_MEETS', T_OVERLAPPEDBY: 'T_OVERLAPS', T_OVERLAPS: 'T_OVERLAPPEDBY',
  T_STARTEDBY: 'T_STARTS', T_STARTS: 'T_STARTEDBY', T_DISJOINT: 'T_DISJOINT', T_EQUALS: 'T_EQUALS', T_INTERSECTS: 'T_INTERSECTS',
};
/** Between two instants the five functions defined for instants are plain comparisons. */
const INSTANT_COMPARE: Partial<Record<TemporalFn, CompareOp>> = { T_AFTER: '>', T_BEFORE: '<', T_EQUALS: '=', T_INTERSECTS: '=', T_DISJOINT: '<>' };

type Category = 'number' | 'string' | 'boolean' | 'time' | 'geometry';
const CATEGORY: Record<QueryableType, Category> = {
  int: 'number', long: 'number', double: 'number', string: 'string', anyURI: 'string', boolean: 'boolean', dateTime: 'time', geometry: 'geometry',
};
const CATEGORY_NAME: Record<Category, string> = { number: 'a number', string: 'a string', boolean: 'a boolean', time: 'a timestamp', geometry: 'a geometry' };

interface RefVal {
  kind: 'ref';
  ref: ValueRef;
  q: Queryable;
  name: string;
  at: Loc;
}
/** A resolved value: a property, a literal (text as FES wants it), or a time (an instant: begin = end; a date: its day). */
type Val = RefVal | { kind: 'lit'; lit: 'string' | 'number' | 'boolean'; text: string; at: Loc } | { kind: 'time'; begin: string; end: string; date?: string; at: Loc };
interface Scalar {
  v: Val;
  casei: boolean;
}
/** One end of a temporal operand. */
type End = { kind: 'ref'; val: RefVal } | { kind: 'time'; iso: string; ms: number } | { kind: 'inf'; sign: -1 | 1 };
interface Side {
  begin: End;
  end: End;
  /** An instant (property, timestamp or date), not an INTERVAL: usable as a scalar. */
  scalar?: Scalar;
}

const ms = (iso: string) => parseIsoInstant(iso)!;

function holds(a: number | string | boolean, op: CompareOp, b: number | string | boolean): boolean {
  switch (op) {
    case '=': return a === b;
    case '<>': return a !== b;
    case '<': return a < b;
    case '>': return a > b;
    case '<=': return a <= b;
    case '>=': return a >= b;
  }
}

function and(parts: Filter[]): Filter {
  const args = parts.flatMap((p) => (p.op === 'And' ? p.args : [p]));
  if (args.some(isFalse)) return FALSE;
  return args.length === 1 ? args[0] : { op: 'And', args };
}

function or(parts: Filter[]): Filter {
  const args = parts.flatMap((p) => (p.op === 'Or' ? p.args : [p]));
  if (args.some(isTrue)) return TRUE;
  return args.length === 1 ? args[0] : { op: 'Or', args };
}

const constant = (b: boolean): Filter => (b ? TRUE : FALSE);

/** In a conjunction, `p IS NOT NULL` adds nothing when a comparison on p is there too (it is NULL, so false, for a NULL p). */
function withoutImpliedGuards(parts: Filter[]): Filter[] {
  const compared = new Set<string>();
  for (const p of parts) {
    if ('left' in p && p.left.kind === 'ref') compared.add(p.left.path);
    if ('right' in p && p.right.kind === 'ref') compared.add(p.right.path);
  }
  return parts.filter((p) => {
    if (p.op !== 'Not' || p.arg.op !== 'PropertyIsNull') return true;
    const path = p.arg.ref.path;
    if (compared.has(path)) return false;
    compared.add(path);
    return true;
  });
}

/**
 * The CQL2 tree as an FES filter over the caller's queryables. NOT is pushed down to the predicates
 * (De Morgan; comparisons inverted) so CQL2's three-valued logic holds: NOT of a predicate on a NULL
 * property is NULL, so the feature is not selected, where FES Not (compile.ts) would select it.
 * Negations that cannot be inverted exactly (LIKE, spatial) get an IS NOT NULL guard instead.
 */
class Translator {
  private conditions = 0;

  constructor(
    private readonly queryables: ReadonlyMap<string, Queryable>,
    private readonly crs: CrsRef,
    private readonly src: Source,
  ) {}

  private fail(at: Loc, what: string, expected?: string): never {
    throw this.src.error(at, what, expected);
  }

  /** Every FES leaf passes here: the count bounds the size of the SQL. */
  private leaf(f: Filter, at: Loc): Filter {
    if (++this.conditions > MAX_CONDITIONS) this.fail(at, `filter too large (more than ${MAX_CONDITIONS} conditions)`);
    return f;
  }

  filter(e: Expr, neg: boolean): Filter {
    switch (e.kind) {
      case 'and':
      case 'or': {
        const parts = e.args.map((a) => this.filter(a, neg));
        return (e.kind === 'and') !== neg ? and(parts) : or(parts);
      }
      case 'not':
        return this.filter(e.arg, !neg);
      case 'bool':
        return constant(e.value !== neg);
      case 'compare':
        return this.compare(e.op, this.scalar(e.left), this.scalar(e.right), neg, e.at);
      case 'like':
        return this.like(e, neg);
      case 'between':
        return this.between(e, neg);
      case 'in': {
        const value = this.scalar(e.value);
        const parts = e.list.map((x) => this.compare('=', value, this.scalar(x), neg, x.at));
        return neg ? and(parts) : or(parts);
      }
      case 'isNull': {
        const v = this.scalar(e.value).v;
        // A literal is never NULL.
        if (v.kind !== 'ref') return constant(neg);
        const isNull = this.leaf({ op: 'PropertyIsNull', ref: v.ref }, e.at);
        return neg ? { op: 'Not', arg: isNull } : isNull;
      }
      case 'spatial':
        return this.spatial(e, neg);
      case 'temporal':
        return this.temporal(e.fn, e.args, neg, e.at);
    }
  }

  // ---- values

  private property(p: PropertyNode): RefVal {
    const q = this.queryables.get(p.name);
    if (!q) {
      const names = [...this.queryables.keys()];
      const near = names.find((n) => n.toLowerCase() === p.name.toLowerCase());
      const list = names.length > 30 ? `${names.slice(0, 30).join(', ')}, …` : names.join(', ');
      this.fail(p.at, `unknown property ${quote(p.name)}`, near ? `'${near}' (names are case-sensitive)` : `one of the queryables: ${list}`);
    }
    return { kind: 'ref', ref: { kind: 'ref', path: q.path }, q, name: p.name, at: p.at };
  }

  private category(v: RefVal): Category | undefined {
    return v.q.type ? CATEGORY[v.q.type] : undefined;
  }

  private scalar(n: ScalarNode): Scalar {
    switch (n.kind) {
      case 'property': {
        const v = this.property(n);
        if (this.category(v) === 'geometry') this.fail(n.at, `${quote(v.name)} is a geometry, which only spatial functions (S_INTERSECTS, …) take`);
        return { v, casei: false };
      }
      case 'string':
        return { v: { kind: 'lit', lit: 'string', text: n.value, at: n.at }, casei: false };
      case 'number':
        return { v: { kind: 'lit', lit: 'number', text: n.text, at: n.at }, casei: false };
      case 'boolean':
        return { v: { kind: 'lit', lit: 'boolean', text: String(n.value), at: n.at }, casei: false };
      case 'timestamp':
      case 'date':
        return { v: { kind: 'time', begin: instantBegin(n), end: instantEnd(n), date: n.kind === 'date' ? n.date : undefined, at: n.at }, casei: false };
      case 'casei': {
        const inner = this.scalar(n.arg).v;
        const text = inner.kind === 'lit' ? inner.lit === 'string' : inner.kind === 'ref' && [undefined, 'string'].includes(this.category(inner));
        if (!text) this.fail(n.at, 'CASEI takes a string or a string property');
        return { v: inner, casei: true };
      }
    }
  }

  /** A literal compared with a property of a known type: checked (CQL2 wants both sides of one type), times read. */
  private typed(ref: RefVal, lit: Extract<Val, { kind: 'lit' }>): Val {
    const cat = this.category(ref);
    if (cat === undefined || cat === 'string') return lit;
    if (cat === 'time') {
      // A quoted date or timestamp is read as DATE(…)/TIMESTAMP(…): clients write both forms.
      const n = lit.lit === 'string' ? dateNode(lit.text, lit.at) ?? timestampNode(lit.text, lit.at) : null;
      if (!n) this.fail(lit.at, `${quote(ref.name)} is a timestamp; ${quote(lit.text)} is not`, "TIMESTAMP('YYYY-MM-DDThh:mm:ssZ') or DATE('YYYY-MM-DD')");
      return { kind: 'time', begin: instantBegin(n), end: instantEnd(n), date: n.kind === 'date' ? n.date : undefined, at: lit.at };
    }
    if (lit.lit !== cat) this.fail(lit.at, `${quote(ref.name)} is ${CATEGORY_NAME[cat]}; ${lit.lit === 'string' ? quote(lit.text) : lit.text} is not`);
    return lit;
  }

  // ---- comparison

  private compare(op0: CompareOp, a: Scalar, b: Scalar, neg: boolean, at: Loc): Filter {
    const op = neg ? INVERSE[op0] : op0;
    const casei = a.casei || b.casei;
    if (a.v.kind === 'ref') return this.compareRef(op, a.v, b.v, casei, at);
    if (b.v.kind === 'ref') return this.compareRef(MIRROR[op], b.v, a.v, casei, at);
    return constant(this.literals(op, a.v, b.v, casei));
  }

  private compareRef(op: CompareOp, ref: RefVal, other: Val, casei: boolean, at: Loc): Filter {
    let v = other;
    if (v.kind === 'lit') v = this.typed(ref, v);
    if (v.kind === 'ref') return this.cmpLeaf(op, ref, this.sameKind(ref, v), casei, at);
    if (v.kind === 'lit') return this.cmpLeaf(op, ref, { kind: 'literal', value: v.text }, casei, at);
    const cat = this.category(ref);
    if (cat && cat !== 'time') this.fail(v.at, `${quote(ref.name)} is ${CATEGORY_NAME[cat]}, not a timestamp`);
    if (v.begin === v.end) return this.cmpLeaf(op, ref, this.lit(v.begin), false, at);
    // A date against a timestamp compares the timestamp's UTC day: = is "on that day", < "before it", <= "up to its end".
    const [b, e] = [this.lit(v.begin), this.lit(v.end)];
    switch (op) {
      case '=': return and([this.cmpLeaf('>=', ref, b, false, at), this.cmpLeaf('<=', ref, e, false, at)]);
      case '<>': return or([this.cmpLeaf('<', ref, b, false, at), this.cmpLeaf('>', ref, e, false, at)]);
      case '<': return this.cmpLeaf('<', ref, b, false, at);
      case '>=': return this.cmpLeaf('>=', ref, b, false, at);
      case '>': return this.cmpLeaf('>', ref, e, false, at);
      case '<=': return this.cmpLeaf('<=', ref, e, false, at);
    }
  }

  /** A second property compared with the first: both of one kind when their types are known. */
  private sameKind(ref: RefVal, other: RefVal): ValueRef {
    const [c1, c2] = [this.category(ref), this.category(other)];
    if (c1 && c2 && c1 !== c2) this.fail(other.at, `cannot compare ${quote(ref.name)} (${CATEGORY_NAME[c1]}) with ${quote(other.name)} (${CATEGORY_NAME[c2]})`);
    return other.ref;
  }

  private lit(value: string): Literal {
    return { kind: 'literal', value };
  }

  private cmpLeaf(op: CompareOp, ref: RefVal, right: Literal | ValueRef, casei: boolean, at: Loc): Filter {
    return this.leaf({ op: FES_COMPARE[op], left: ref.ref, right, matchCase: !casei, matchAction: 'Any' }, at);
  }

  /** Two literals compare here (FES would compare them as text): numbers as numbers, dates by day. */
  private literals(op: CompareOp, a: Exclude<Val, RefVal>, b: Exclude<Val, RefVal>, casei: boolean): boolean {
    if (a.kind === 'time' && b.kind === 'time') {
      // A date meets a timestamp at the day's granularity.
      if (a.date || b.date) return holds(a.date ?? a.begin.slice(0, 10), op, b.date ?? b.begin.slice(0, 10));
      return holds(ms(a.begin), op, ms(b.begin));
    }
    if (a.kind === 'lit' && b.kind === 'lit' && a.lit === b.lit) {
      if (a.lit === 'number') return holds(Number(a.text), op, Number(b.text));
      const fold = (s: string) => (casei ? s.toLowerCase() : s);
      return holds(fold(a.text), op, fold(b.text));
    }
    const kind = (v: Exclude<Val, RefVal>) => (v.kind === 'time' ? 'a timestamp' : `a ${v.lit}`);
    this.fail(b.at, `cannot compare ${kind(a)} with ${kind(b)}`);
  }

  // ---- LIKE, BETWEEN

  private like(e: Extract<Expr, { kind: 'like' }>, neg: boolean): Filter {
    const value = this.scalar(e.value);
    const pattern = this.scalar(e.pattern);
    if (value.v.kind !== 'ref') this.fail(e.value.at, 'LIKE needs a property on its left');
    if (pattern.v.kind !== 'lit' || pattern.v.lit !== 'string') this.fail(e.pattern.at, 'LIKE needs a pattern string (% any characters, _ one character, \\ escape)');
    const ref = value.v;
    const f = this.leaf({ op: 'PropertyIsLike', ref: ref.ref, pattern: pattern.v.text, wildCard: '%', singleChar: '_', escapeChar: '\\', matchCase: !(value.casei || pattern.casei) }, e.at);
    return neg ? this.negated(f, ref) : f;
  }

  private between(e: Extract<Expr, { kind: 'between' }>, neg: boolean): Filter {
    const [value, low, high] = [this.scalar(e.value), this.scalar(e.low), this.scalar(e.high)];
    if (neg) return or([this.compare('<', value, low, false, e.at), this.compare('>', value, high, false, e.at)]);
    const v = value.v;
    const plain = (s: Scalar) => !s.casei && (s.v.kind === 'ref' || s.v.kind === 'lit');
    // FES PropertyIsBetween covers the plain case; times (a date bound means its whole day) and CASEI compose from comparisons.
    if (v.kind === 'ref' && this.category(v) !== 'time' && plain(value) && plain(low) && plain(high)) {
      // plain() let through properties and literals only; typed() keeps a literal a literal off time properties.
      const bound = (s: Val): Literal | ValueRef => (s.kind === 'ref' ? this.sameKind(v, s) : this.lit((this.typed(v, s as Extract<Val, { kind: 'lit' }>) as { text: string }).text));
      return this.leaf({ op: 'PropertyIsBetween', ref: v.ref, lower: bound(low.v), upper: bound(high.v) }, e.at);
    }
    return and([this.compare('>=', value, low, false, e.at), this.compare('<=', value, high, false, e.at)]);
  }

  /** NOT of a predicate FES cannot invert: FES Not selects NULLs, CQL2 does not, hence the guard. */
  private negated(f: Filter, ref: RefVal): Filter {
    const not: Filter = { op: 'Not', arg: f };
    return ref.q.nullable === false ? not : and([not, { op: 'Not', arg: { op: 'PropertyIsNull', ref: ref.ref } }]);
  }

  // ---- spatial

  private spatial(e: Extract<Expr, { kind: 'spatial' }>, neg: boolean): Filter {
    let [a, b] = e.args;
    let fn = e.fn;
    if (a.kind !== 'property' && b.kind === 'property') {
      [a, b] = [b, a];
      fn = SPATIAL_CONVERSE[fn] ?? fn;
    }
    if (a.kind !== 'property') this.fail(e.at, `${e.fn} needs a geometry property as one operand`);
    if (b.kind === 'property') this.fail(b.at, `${e.fn} between two properties is not supported`, 'a geometry literal (WKT, GeoJSON or BBOX)');
    const ref = this.property(a);
    const cat = this.category(ref);
    if (cat && cat !== 'geometry') this.fail(a.at, `${quote(ref.name)} is ${CATEGORY_NAME[cat]}, not a geometry`);
    const geometry = geometryOperand(b, this.crs, (what) => this.fail(b.at, what));
    const distance = e.distance && { value: e.distance.value, uom: e.distance.units };
    // NOT S_INTERSECTS and NOT S_DISJOINT are each other, NULL included; the rest need the guard.
    if (neg && (fn === 'S_INTERSECTS' || fn === 'S_DISJOINT')) fn = fn === 'S_INTERSECTS' ? 'S_DISJOINT' : 'S_INTERSECTS';
    else if (neg) return this.negated(this.leaf({ op: FES_SPATIAL[fn], ref: ref.ref, geometry, distance }, e.at), ref);
    return this.leaf({ op: FES_SPATIAL[fn], ref: ref.ref, geometry, distance }, e.at);
  }

  // ---- temporal

  private end(n: BoundNode, which: 'begin' | 'end'): End {
    switch (n.kind) {
      case 'open':
        return { kind: 'inf', sign: which === 'begin' ? -1 : 1 };
      case 'property':
        return { kind: 'ref', val: this.timeProperty(n) };
      default: {
        const iso = which === 'begin' ? instantBegin(n) : instantEnd(n);
        return { kind: 'time', iso, ms: ms(iso) };
      }
    }
  }

  private timeProperty(n: PropertyNode): RefVal {
    const v = this.property(n);
    const cat = this.category(v);
    if (cat && cat !== 'time') this.fail(n.at, `${quote(v.name)} is ${CATEGORY_NAME[cat]}, not a timestamp`);
    return v;
  }

  private side(n: TemporalNode): Side {
    if (n.kind === 'interval') {
      const side = { begin: this.end(n.begin, 'begin'), end: this.end(n.end, 'end') };
      if (side.begin.kind === 'time' && side.end.kind === 'time' && side.begin.ms > side.end.ms) this.fail(n.at, 'the interval ends before it begins');
      return side;
    }
    const scalar = n.kind === 'property' ? { v: this.timeProperty(n), casei: false } : this.scalar(n);
    return { begin: this.end(n, 'begin'), end: this.end(n, 'end'), scalar };
  }

  private temporal(fn0: TemporalFn, args: [TemporalNode, TemporalNode], neg: boolean, at: Loc): Filter {
    let fn = fn0;
    let [s1, s2] = args.map((n) => this.side(n));
    const literal = (s: Side) => s.begin.kind !== 'ref' && s.end.kind !== 'ref';
    if (literal(s1) && !literal(s2)) {
      [s1, s2] = [s2, s1];
      fn = TEMPORAL_CONVERSE[fn];
    }
    // The FES temporal operators, where one says exactly what is asked (a property instant against literal times).
    const ref = s1.scalar?.v.kind === 'ref' ? s1.scalar.v : undefined;
    if (!neg && ref && literal(s2)) {
      const { begin, end } = s2;
      if (fn === 'T_AFTER' && end.kind === 'time') return this.leaf({ op: 'After', ref: ref.ref, instant: end.iso }, at);
      if (fn === 'T_BEFORE' && begin.kind === 'time') return this.leaf({ op: 'Before', ref: ref.ref, instant: begin.iso }, at);
      if (fn === 'T_DURING' && begin.kind === 'time' && end.kind === 'time' && begin.ms < end.ms) {
        return this.leaf({ op: 'During', ref: ref.ref, period: { begin: begin.iso, end: end.iso } }, at);
      }
      if ((fn === 'T_EQUALS' || fn === 'T_INTERSECTS') && s2.scalar?.v.kind === 'time' && !s2.scalar.v.date) {
        return this.leaf({ op: 'TEquals', ref: ref.ref, instant: s2.scalar.v.begin }, at);
      }
    }
    const op = INSTANT_COMPARE[fn];
    if (op && s1.scalar && s2.scalar) return this.compare(op, s1.scalar, s2.scalar, neg, at);
    // Everything else from comparisons of the ends: T_INTERSECTS with an interval is b <= t <= e, inclusive.
    const rel = RELATIONS[fn];
    const ends: Record<EndKey, End> = { b1: s1.begin, e1: s1.end, b2: s2.begin, e2: s2.end };
    const parts = rel.conds.map(([x, o, y]) => this.endCompare(ends[x], neg ? INVERSE[o] : o, ends[y], at));
    return (rel.join === 'and') !== neg ? and(withoutImpliedGuards(parts)) : or(parts);
  }

  private endCompare(x: End, op: CompareOp, y: End, at: Loc): Filter {
    if (x.kind !== 'ref' && y.kind === 'ref') return this.endCompare(y, MIRROR[op], x, at);
    const value = (e: End) => (e.kind === 'time' ? e.ms : e.kind === 'inf' ? e.sign * Infinity : NaN);
    if (x.kind !== 'ref') return constant(holds(value(x), op, value(y)));
    if (y.kind === 'ref') return this.cmpLeaf(op, x.val, y.val.ref, false, at);
    if (y.kind === 'time') return this.cmpLeaf(op, x.val, this.lit(y.iso), false, at);
    // Against an open end the answer is known once the property has a value (a NULL selects nothing either way).
    return holds(0, op, y.sign * Infinity) ? this.notNull(x.val, at) : FALSE;
  }

  private notNull(v: RefVal, at: Loc): Filter {
    return v.q.nullable === false ? TRUE : { op: 'Not', arg: this.leaf({ op: 'PropertyIsNull', ref: v.ref }, at) };
  }
}

/** Turns the CQL2 tree into an FES filter; unknown properties and misfit operands are Cql2Errors at their location. */
export function toFes(e: Expr, queryables: ReadonlyMap<string, Queryable>, crs: CrsRef, src: Source): Filter {
  return new Translator(queryables, crs, src).filter(e, false);
}
