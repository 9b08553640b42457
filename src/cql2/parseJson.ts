import { lookupTable } from '../util/lookup';
import {
  BoundNode, CompareOp, Expr, GeometryNode, GeometryType, InstantNode, MAX_DEPTH, MAX_LENGTH, PropertyNode, ScalarNode,
  SPATIAL_FNS, SpatialFn, SpatialOperandNode, TEMPORAL_FNS, TemporalFn, TemporalNode,
} from './ast';
import { quote, Source } from './errors';
import { boundNode, dateNode, timestampNode } from './instants';

type Obj = Record<string, unknown>;

const COMPARE = new Set<string>(['=', '<>', '<', '>', '<=', '>=']);
const GEOJSON = lookupTable<GeometryType | 'GeometryCollection'>({
  Point: 'Point', LineString: 'LineString', Polygon: 'Polygon', MultiPoint: 'MultiPoint',
  MultiLineString: 'MultiLineString', MultiPolygon: 'MultiPolygon', GeometryCollection: 'GeometryCollection',
});
/** Array nesting of the coordinates of each GeoJSON type (Point: a position, Polygon: rings of positions). */
const COORD_DEPTH: Record<GeometryType, number> = { Point: 0, LineString: 1, MultiPoint: 1, Polygon: 2, MultiLineString: 2, MultiPolygon: 3 };
/** Values read from one cql2-json document (coordinates included) before it is refused as too large. */
export const MAX_JSON_VALUES = 200_000;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Walks a cql2-json value (parsed already) into the CQL2 tree, with a JSON pointer on every error. */
class JsonReader {
  private budget = MAX_JSON_VALUES;

  constructor(private readonly src: Source) {}

  private fail(at: string, what: string, expected?: string): never {
    throw this.src.error(at, what, expected);
  }

  /** Counts a value read; a document with more values than MAX_JSON_VALUES is refused. */
  private count(at: string): void {
    if (--this.budget < 0) this.fail(at, `filter too large (more than ${MAX_JSON_VALUES} JSON values)`);
  }

  private describe(v: unknown): string {
    if (v === null) return 'null';
    if (Array.isArray(v)) return 'array';
    if (typeof v === 'string') return `string ${quote(v)}`;
    if (typeof v === 'object') return isObj(v) && typeof v.op === 'string' ? `operator ${quote(v.op)}` : 'object';
    return `${typeof v} ${String(v).slice(0, 40)}`;
  }

  private args(o: Obj, at: string, min: number, max: number): unknown[] {
    const a = o.args;
    if (!Array.isArray(a)) this.fail(`${at}/args`, `operator ${quote(String(o.op))} needs an "args" array`);
    if (a.length < min || a.length > max) {
      const n = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      this.fail(`${at}/args`, `operator ${quote(String(o.op))} takes ${n} arguments, not ${a.length}`);
    }
    return a;
  }

  expr(v: unknown, at: string, depth: number): Expr {
    this.count(at);
    if (depth > MAX_DEPTH) this.fail(at, `filter nested more than ${MAX_DEPTH} levels deep`);
    if (typeof v === 'boolean') return { kind: 'bool', value: v, at };
    if (!isObj(v) || typeof v.op !== 'string') this.fail(at, `unexpected ${this.describe(v)}`, 'a predicate ({"op": …, "args": […]}) or a boolean');
    const name = v.op.toLowerCase();
    const upper = name.toUpperCase();
    if (name === 'and' || name === 'or') {
      const args = this.args(v, at, 1, Infinity);
      return { kind: name, args: args.map((a, i) => this.expr(a, `${at}/args/${i}`, depth + 1)), at };
    }
    if (name === 'not') return { kind: 'not', arg: this.expr(this.args(v, at, 1, 1)[0], `${at}/args/0`, depth + 1), at };
    if (COMPARE.has(name)) {
      const [l, r] = this.args(v, at, 2, 2);
      return { kind: 'compare', op: name as CompareOp, left: this.scalar(l, `${at}/args/0`, depth), right: this.scalar(r, `${at}/args/1`, depth), at };
    }
    switch (name) {
      case 'like': {
        const [l, p] = this.args(v, at, 2, 2);
        return { kind: 'like', value: this.scalar(l, `${at}/args/0`, depth), pattern: this.scalar(p, `${at}/args/1`, depth), at };
      }
      case 'between': {
        // CQL2 1.0 writes [value, low, high]; drafts wrote [value, [low, high]], still sent by some clients.
        const a = this.args(v, at, 2, 3);
        const value = this.scalar(a[0], `${at}/args/0`, depth);
        if (a.length === 2) {
          if (!Array.isArray(a[1]) || a[1].length !== 2) this.fail(`${at}/args/1`, `unexpected ${this.describe(a[1])}`, 'a lower and an upper bound');
          return { kind: 'between', value, low: this.scalar(a[1][0], `${at}/args/1/0`, depth), high: this.scalar(a[1][1], `${at}/args/1/1`, depth), at };
        }
        return { kind: 'between', value, low: this.scalar(a[1], `${at}/args/1`, depth), high: this.scalar(a[2], `${at}/args/2`, depth), at };
      }
      case 'in': {
        const [l, list] = this.args(v, at, 2, 2);
        if (!Array.isArray(list) || list.length === 0) this.fail(`${at}/args/1`, `unexpected ${this.describe(list)}`, 'a non-empty array of values');
        return { kind: 'in', value: this.scalar(l, `${at}/args/0`, depth), list: list.map((x, i) => this.scalar(x, `${at}/args/1/${i}`, depth)), at };
      }
      case 'isnull':
        return { kind: 'isNull', value: this.scalar(this.args(v, at, 1, 1)[0], `${at}/args/0`, depth), at };
    }
    if ((SPATIAL_FNS as readonly string[]).includes(upper)) return this.spatial(v, upper as SpatialFn, at);
    if ((TEMPORAL_FNS as readonly string[]).includes(upper)) {
      const [a, b] = this.args(v, at, 2, 2);
      return { kind: 'temporal', fn: upper as TemporalFn, args: [this.temporal(a, `${at}/args/0`), this.temporal(b, `${at}/args/1`)], at };
    }
    if (name === 'casei' || name === 'accenti') this.fail(`${at}/op`, `${quote(v.op)} is a value, not a predicate`);
    this.unsupported(v.op, `${at}/op`);
  }

  private unsupported(op: string, at: string): never {
    const lower = op.toLowerCase();
    if (lower === 'accenti' || lower.startsWith('a_')) this.fail(at, `${quote(op)} is not supported`);
    if (['+', '-', '*', '/', '^', '%', 'div'].includes(lower)) this.fail(at, 'arithmetic is not supported');
    this.fail(at, `unknown operator or function ${quote(op)}`);
  }

  scalar(v: unknown, at: string, depth: number): ScalarNode {
    this.count(at);
    if (typeof v === 'string') return { kind: 'string', value: this.src.safeText(v, at), at };
    if (typeof v === 'number') return { kind: 'number', text: String(v), at };
    if (typeof v === 'boolean') return { kind: 'boolean', value: v, at };
    if (isObj(v)) {
      if ('property' in v) return this.property(v, at);
      if ('date' in v || 'timestamp' in v) return this.instant(v, at);
      if (typeof v.op === 'string') {
        const name = v.op.toLowerCase();
        if (name === 'casei') {
          if (depth + 1 > MAX_DEPTH) this.fail(at, `filter nested more than ${MAX_DEPTH} levels deep`);
          return { kind: 'casei', arg: this.scalar(this.args(v, at, 1, 1)[0], `${at}/args/0`, depth + 1), at };
        }
        if ((SPATIAL_FNS as readonly string[]).includes(name.toUpperCase()) || (TEMPORAL_FNS as readonly string[]).includes(name.toUpperCase()) || COMPARE.has(name)) {
          this.fail(at, `operator ${quote(v.op)} is a predicate, not a value`);
        }
        this.unsupported(v.op, `${at}/op`);
      }
      if ('interval' in v) this.fail(at, 'an interval is only allowed in a temporal function (t_intersects, t_during, …)');
    }
    this.fail(at, `unexpected ${this.describe(v)}`, 'a value (string, number, boolean, {"property": …}, {"date": …}, {"timestamp": …})');
  }

  private property(v: Obj, at: string): PropertyNode {
    if (typeof v.property !== 'string' || v.property === '') this.fail(`${at}/property`, 'a property name must be a non-empty string');
    return { kind: 'property', name: v.property, at: `${at}/property` };
  }

  private instant(v: Obj, at: string): InstantNode {
    const isDate = 'date' in v;
    const key = isDate ? 'date' : 'timestamp';
    const s = v[key];
    const node = typeof s === 'string' ? (isDate ? dateNode(s, at) : timestampNode(s, at)) : null;
    if (!node) {
      const shown = typeof s === 'string' ? quote(s) : this.describe(s);
      this.fail(`${at}/${key}`, `invalid ${key} ${shown}`, isDate ? 'YYYY-MM-DD' : 'an RFC 3339 date-time with a time zone (YYYY-MM-DDThh:mm:ssZ)');
    }
    return node;
  }

  private temporal(v: unknown, at: string): TemporalNode {
    this.count(at);
    if (isObj(v)) {
      if ('property' in v) return this.property(v, at);
      if ('date' in v || 'timestamp' in v) return this.instant(v, at);
      if ('interval' in v) {
        const iv = v.interval;
        if (!Array.isArray(iv) || iv.length !== 2) this.fail(`${at}/interval`, 'an interval needs an array of two ends');
        return { kind: 'interval', begin: this.bound(iv[0], `${at}/interval/0`), end: this.bound(iv[1], `${at}/interval/1`), at };
      }
    }
    this.fail(at, `unexpected ${this.describe(v)}`, 'a temporal operand ({"property": …}, {"date": …}, {"timestamp": …} or {"interval": […]})');
  }

  private bound(v: unknown, at: string): BoundNode {
    this.count(at);
    if (typeof v === 'string') {
      const node = boundNode(v, at);
      if (!node) this.fail(at, `invalid interval end ${quote(v)}`, "'..', a date (YYYY-MM-DD) or a timestamp (YYYY-MM-DDThh:mm:ssZ)");
      return node;
    }
    if (isObj(v) && 'property' in v) return this.property(v, at);
    if (isObj(v) && ('date' in v || 'timestamp' in v)) return this.instant(v, at);
    this.fail(at, `unexpected ${this.describe(v)}`, "'..', a date or timestamp string, or {\"property\": …}");
  }

  private spatial(v: Obj, fn: SpatialFn, at: string): Expr {
    const dwithin = fn === 'S_DWITHIN';
    const a = this.args(v, at, dwithin ? 3 : 2, dwithin ? 4 : 2);
    const args: [SpatialOperandNode, SpatialOperandNode] = [this.spatialOperand(a[0], `${at}/args/0`), this.spatialOperand(a[1], `${at}/args/1`)];
    if (!dwithin) return { kind: 'spatial', fn, args, at };
    const d = a[2];
    if (typeof d !== 'number' || !Number.isFinite(d) || d < 0) this.fail(`${at}/args/2`, `unexpected ${this.describe(d)}`, 'a distance (a number, 0 or more)');
    const units = a.length === 4 ? a[3] : 'm';
    if (typeof units !== 'string') this.fail(`${at}/args/3`, `unexpected ${this.describe(units)}`, "a unit ('m', 'km', '[nmi_i]', 'deg', …)");
    return { kind: 'spatial', fn, args, distance: { value: d, units }, at };
  }

  private spatialOperand(v: unknown, at: string): SpatialOperandNode {
    this.count(at);
    if (isObj(v)) {
      if ('property' in v) return this.property(v, at);
      if ('bbox' in v) {
        const b = v.bbox;
        if (!Array.isArray(b) || (b.length !== 4 && b.length !== 6)) this.fail(`${at}/bbox`, 'a bbox needs an array of 4 or 6 numbers');
        return { kind: 'bbox', values: b.map((x, i) => this.number(x, `${at}/bbox/${i}`)), at };
      }
      if (typeof v.type === 'string') return this.geojson(v, at);
    }
    this.fail(at, `unexpected ${this.describe(v)}`, 'a geometry property ({"property": …}), a GeoJSON geometry or {"bbox": […]}');
  }

  private geojson(v: Obj, at: string): GeometryNode {
    const type = GEOJSON[v.type as string];
    if (!type) this.fail(`${at}/type`, `unknown GeoJSON geometry type ${quote(String(v.type))}`);
    if (type === 'GeometryCollection') this.fail(`${at}/type`, 'GeometryCollection is not supported');
    return { kind: 'geometry', type, coordinates: this.coordinates(v.coordinates, COORD_DEPTH[type], `${at}/coordinates`), at };
  }

  /** Checks the array nesting of GeoJSON coordinates; positions become [x, y] (elevation and more dropped). */
  private coordinates(v: unknown, depth: number, at: string): unknown {
    this.count(at);
    if (!Array.isArray(v) || v.length === 0) this.fail(at, `unexpected ${this.describe(v)}`, depth === 0 ? 'a position [x, y]' : 'a non-empty array');
    if (depth === 0) {
      if (v.length < 2) this.fail(at, 'a position needs at least two numbers');
      return [this.number(v[0], `${at}/0`), this.number(v[1], `${at}/1`)];
    }
    return v.map((c, i) => this.coordinates(c, depth - 1, `${at}/${i}`));
  }

  private number(v: unknown, at: string): number {
    this.count(at);
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(at, `unexpected ${this.describe(v)}`, 'a number');
    return v;
  }
}

/**
 * Parses cql2-json (a JSON string, or a value parsed already, e.g. a request body) into the CQL2 tree;
 * every error is a Cql2Error with the JSON pointer of the offending value.
 */
export function parseJson(input: unknown, src: Source): Expr {
  let doc = input;
  if (typeof input === 'string') {
    if (input.length > MAX_LENGTH) throw src.error(undefined, `filter longer than ${MAX_LENGTH} characters`);
    try {
      doc = JSON.parse(input);
    } catch (e) {
      // V8 names the offset in most messages ("… at position 12"); the rest is not worth echoing.
      const m = /position (\d+)/.exec(e instanceof Error ? e.message : '');
      throw src.error(undefined, `invalid JSON${m ? ` at character ${Number(m[1]) + 1}` : ''}`);
    }
  }
  return new JsonReader(src).expr(doc, '', 0);
}
