import { lookupTable } from '../util/lookup';
import {
  BoundNode, CompareOp, Expr, GeometryNode, GeometryType, InstantNode, MAX_DEPTH, PropertyNode, ScalarNode,
  SPATIAL_FNS, SpatialFn, SpatialOperandNode, TEMPORAL_FNS, TemporalFn, TemporalNode,
} from './ast';
import { quote, Source } from './errors';
import { boundNode, dateNode, timestampNode } from './instants';
import { Token, tokenize } from './lexer';

/** Words that are never property names unquoted (double-quote a property that has one of these names). */
const RESERVED = new Set(['AND', 'OR', 'NOT', 'LIKE', 'BETWEEN', 'IN', 'IS', 'NULL', 'TRUE', 'FALSE']);
const WKT = lookupTable<GeometryType | 'BBOX' | 'GEOMETRYCOLLECTION'>({
  POINT: 'Point', LINESTRING: 'LineString', POLYGON: 'Polygon', MULTIPOINT: 'MultiPoint',
  MULTILINESTRING: 'MultiLineString', MULTIPOLYGON: 'MultiPolygon', GEOMETRYCOLLECTION: 'GEOMETRYCOLLECTION',
  // ENVELOPE is the name CQL2 drafts before 2022 gave BBOX, with the same corner order (w, s, e, n).
  BBOX: 'BBOX', ENVELOPE: 'BBOX',
});
const UNSUPPORTED_FNS = new Set(['ACCENTI', 'A_EQUALS', 'A_CONTAINS', 'A_CONTAINEDBY', 'A_OVERLAPS']);

type XY = number[];

/** Recursive descent over the CQL2 BNF (OGC 21-065), without arithmetic, arrays and custom functions. */
class TextParser {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly toks: Token[],
    private readonly src: Source,
  ) {}

  parse(): Expr {
    const e = this.or();
    const t = this.peek();
    if (t.kind !== 'eof') throw this.unexpected(t, 'AND, OR or the end of the filter');
    return e;
  }

  /** The whole text as one WKT geometry of an allowed type. */
  wkt(allowed: readonly GeometryType[]): GeometryNode {
    const t = this.peek();
    const tag = t.kind === 'ident' ? WKT[t.value.toUpperCase()] : undefined;
    const names = allowed.map((a) => a.toUpperCase()).join(' or ');
    if (!tag || tag === 'BBOX' || tag === 'GEOMETRYCOLLECTION' || !allowed.includes(tag)) {
      throw t.kind === 'ident' ? this.src.error(t.at, `${quote(t.value)} geometries are not supported here`, names) : this.unexpected(t, `a WKT ${names}`);
    }
    const g = this.geometry(tag);
    const end = this.peek();
    if (end.kind !== 'eof') throw this.unexpected(end, 'the end of the geometry');
    return g;
  }

  // ---- tokens

  private peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private isWord(t: Token, word: string): boolean {
    return t.kind === 'ident' && t.value.toUpperCase() === word;
  }

  private isPunct(t: Token, p: string): boolean {
    return t.kind === 'punct' && t.value === p;
  }

  /** An identifier immediately used as a function: NAME ( … */
  private isCall(word?: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && this.isPunct(this.peek(1), '(') && (word === undefined || t.value.toUpperCase() === word);
  }

  private punct(p: string, expected = `'${p}'`): Token {
    const t = this.next();
    if (!this.isPunct(t, p)) throw this.unexpected(t, expected);
    return t;
  }

  private unexpected(t: Token, expected: string) {
    const what = t.kind === 'eof' ? `unexpected end of ${this.src.param}`
      : t.kind === 'string' ? `unexpected string ${quote(t.value)}`
      : t.kind === 'number' ? `unexpected number ${t.value}`
      : t.kind === 'quoted' ? `unexpected property "${t.value.slice(0, 40)}"`
      : `unexpected token ${quote(t.value)}`;
    return this.src.error(t.at, what, expected);
  }

  /** Counts one level of nesting; deeper than MAX_DEPTH is refused before the stack is at risk. */
  private enter(t: Token): void {
    if (++this.depth > MAX_DEPTH) throw this.src.error(t.at, `filter nested more than ${MAX_DEPTH} levels deep`);
  }

  private leave(): void {
    this.depth--;
  }

  // ---- boolean structure

  private or(): Expr {
    const args = [this.and()];
    while (this.isWord(this.peek(), 'OR')) {
      this.next();
      args.push(this.and());
    }
    return args.length === 1 ? args[0] : { kind: 'or', args, at: args[0].at };
  }

  private and(): Expr {
    const args = [this.not()];
    while (this.isWord(this.peek(), 'AND')) {
      this.next();
      args.push(this.not());
    }
    return args.length === 1 ? args[0] : { kind: 'and', args, at: args[0].at };
  }

  private not(): Expr {
    const t = this.peek();
    if (!this.isWord(t, 'NOT')) return this.primary();
    this.next();
    this.enter(t);
    const arg = this.not();
    this.leave();
    return { kind: 'not', arg, at: t.at };
  }

  private primary(): Expr {
    const t = this.peek();
    if (this.isPunct(t, '(')) {
      this.next();
      this.enter(t);
      const e = this.or();
      this.punct(')', "')', AND or OR");
      this.leave();
      return e;
    }
    if (this.isCall()) {
      const name = t.value.toUpperCase();
      if ((SPATIAL_FNS as readonly string[]).includes(name)) return this.spatial(name as SpatialFn);
      if ((TEMPORAL_FNS as readonly string[]).includes(name)) return this.temporal(name as TemporalFn);
    }
    return this.predicateTail(this.scalar('a predicate'));
  }

  /** What follows a scalar: a comparison, [NOT] LIKE / BETWEEN / IN, IS [NOT] NULL; or nothing after TRUE/FALSE. */
  private predicateTail(left: ScalarNode): Expr {
    const t = this.peek();
    if (t.kind === 'punct' && '=<>'.includes(t.value)) {
      const op = this.comparisonOp();
      return { kind: 'compare', op, left, right: this.scalar('a value'), at: t.at };
    }
    if (this.isWord(t, 'IS')) {
      this.next();
      const negate = this.isWord(this.peek(), 'NOT');
      if (negate) this.next();
      const n = this.next();
      if (!this.isWord(n, 'NULL')) throw this.unexpected(n, negate ? 'NULL' : 'NULL or NOT NULL');
      const e: Expr = { kind: 'isNull', value: left, at: t.at };
      return negate ? { kind: 'not', arg: e, at: t.at } : e;
    }
    const negate = this.isWord(t, 'NOT');
    if (negate) this.next();
    const kw = this.peek();
    let e: Expr;
    if (this.isWord(kw, 'LIKE')) {
      this.next();
      e = { kind: 'like', value: left, pattern: this.scalar('a pattern string'), at: kw.at };
    } else if (this.isWord(kw, 'BETWEEN')) {
      this.next();
      const low = this.scalar('a lower bound');
      const and = this.next();
      if (!this.isWord(and, 'AND')) throw this.unexpected(and, 'AND and an upper bound');
      e = { kind: 'between', value: left, low, high: this.scalar('an upper bound'), at: kw.at };
    } else if (this.isWord(kw, 'IN')) {
      this.next();
      this.punct('(', "'(' and a list of values");
      const list = [this.scalar('a value')];
      while (this.isPunct(this.peek(), ',')) {
        this.next();
        list.push(this.scalar('a value'));
      }
      this.punct(')', "',' or ')'");
      e = { kind: 'in', value: left, list, at: kw.at };
    } else if (negate) {
      throw this.unexpected(kw, 'LIKE, BETWEEN or IN');
    } else if (left.kind === 'boolean') {
      return { kind: 'bool', value: left.value, at: left.at };
    } else {
      throw this.unexpected(kw, 'a comparison operator (= <> < > <= >=), LIKE, BETWEEN, IN or IS NULL');
    }
    return negate ? { kind: 'not', arg: e, at: t.at } : e;
  }

  /** = <> < > <= >=; the BNF writes the two-character operators as two tokens, so a space between them is allowed. */
  private comparisonOp(): CompareOp {
    const first = this.next().value;
    const second = this.peek();
    if (first === '<' && this.isPunct(second, '>')) {
      this.next();
      return '<>';
    }
    if ((first === '<' || first === '>') && this.isPunct(second, '=')) {
      this.next();
      return `${first}=` as CompareOp;
    }
    if (first === '=' || first === '<' || first === '>') return first;
    throw this.unexpected(this.toks[this.i - 1], 'a comparison operator');
  }

  // ---- scalars

  private scalar(expected: string): ScalarNode {
    const t = this.peek();
    switch (t.kind) {
      case 'string':
        this.next();
        return { kind: 'string', value: t.value, at: t.at };
      case 'number':
        this.next();
        return { kind: 'number', text: t.value, at: t.at };
      case 'quoted':
        this.next();
        return { kind: 'property', name: t.value, at: t.at };
      case 'ident': {
        const word = t.value.toUpperCase();
        if (this.isCall()) return this.call(t, word);
        if (word === 'TRUE' || word === 'FALSE') {
          this.next();
          return { kind: 'boolean', value: word === 'TRUE', at: t.at };
        }
        if (RESERVED.has(word)) throw this.unexpected(t, expected);
        this.next();
        return { kind: 'property', name: t.value, at: t.at };
      }
      default:
        throw this.unexpected(t, expected);
    }
  }

  /** NAME( in a value position: CASEI, DATE, TIMESTAMP; anything else is refused by name. */
  private call(t: Token, word: string): ScalarNode {
    switch (word) {
      case 'CASEI': {
        this.next();
        this.next();
        this.enter(t);
        const arg = this.scalar('a string or a property');
        this.leave();
        this.punct(')');
        return { kind: 'casei', arg, at: t.at };
      }
      case 'DATE':
      case 'TIMESTAMP':
        return this.instant();
      case 'INTERVAL':
        throw this.src.error(t.at, 'INTERVAL is only allowed in a temporal function (T_INTERSECTS, T_DURING, …)');
      default:
        if (UNSUPPORTED_FNS.has(word)) throw this.src.error(t.at, `${word} is not supported`);
        if ((SPATIAL_FNS as readonly string[]).includes(word) || (TEMPORAL_FNS as readonly string[]).includes(word)) {
          throw this.src.error(t.at, `${word} is a predicate, not a value`);
        }
        throw this.src.error(t.at, `unknown function ${quote(t.value)}`);
    }
  }

  /** DATE('YYYY-MM-DD') or TIMESTAMP('YYYY-MM-DDThh:mm:ssZ'). */
  private instant(): InstantNode {
    const t = this.next();
    const isDate = t.value.toUpperCase() === 'DATE';
    this.punct('(');
    const s = this.next();
    if (s.kind !== 'string') throw this.unexpected(s, isDate ? "a date string ('YYYY-MM-DD')" : "a timestamp string ('YYYY-MM-DDThh:mm:ssZ')");
    const node = isDate ? dateNode(s.value, t.at) : timestampNode(s.value, t.at);
    if (!node) {
      throw this.src.error(s.at, `invalid ${isDate ? 'date' : 'timestamp'} ${quote(s.value)}`, isDate ? 'YYYY-MM-DD' : 'an RFC 3339 date-time with a time zone (YYYY-MM-DDThh:mm:ssZ)');
    }
    this.punct(')');
    return node;
  }

  private property(expected: string): PropertyNode {
    const t = this.next();
    if (t.kind === 'quoted' || (t.kind === 'ident' && !RESERVED.has(t.value.toUpperCase()))) return { kind: 'property', name: t.value, at: t.at };
    throw this.unexpected(t, expected);
  }

  // ---- temporal

  private temporal(fn: TemporalFn): Expr {
    const t = this.next();
    this.punct('(');
    const a = this.temporalOperand();
    this.punct(',', "',' and a second temporal operand");
    const b = this.temporalOperand();
    this.punct(')');
    return { kind: 'temporal', fn, args: [a, b], at: t.at };
  }

  private temporalOperand(): TemporalNode {
    const expected = 'a property, DATE(…), TIMESTAMP(…) or INTERVAL(…)';
    if (this.isCall('DATE') || this.isCall('TIMESTAMP')) return this.instant();
    if (this.isCall('INTERVAL')) {
      const t = this.next();
      this.punct('(');
      const begin = this.bound();
      this.punct(',', "',' and the end of the interval");
      const end = this.bound();
      this.punct(')');
      return { kind: 'interval', begin, end, at: t.at };
    }
    return this.property(expected);
  }

  /** One end of INTERVAL(…): a date or timestamp string, '..', a property (or DATE()/TIMESTAMP(), accepted too). */
  private bound(): BoundNode {
    const t = this.peek();
    if (t.kind === 'string') {
      this.next();
      const node = boundNode(t.value, t.at);
      if (!node) throw this.src.error(t.at, `invalid interval end ${quote(t.value)}`, "'..', a date (YYYY-MM-DD) or a timestamp (YYYY-MM-DDThh:mm:ssZ)");
      return node;
    }
    if (this.isCall('DATE') || this.isCall('TIMESTAMP')) return this.instant();
    return this.property("a date or timestamp string, '..' or a property");
  }

  // ---- spatial

  private spatial(fn: SpatialFn): Expr {
    const t = this.next();
    this.punct('(');
    const a = this.spatialOperand();
    this.punct(',', "',' and a second geometry");
    const b = this.spatialOperand();
    let distance: { value: number; units: string } | undefined;
    if (fn === 'S_DWITHIN') {
      this.punct(',', "',' and a distance");
      const d = this.next();
      const value = Number(d.value);
      if (d.kind !== 'number' || !Number.isFinite(value) || value < 0) throw this.unexpected(d, 'a distance (a number, 0 or more)');
      let units = 'm';
      if (this.isPunct(this.peek(), ',')) {
        this.next();
        const u = this.next();
        if (u.kind !== 'string' && u.kind !== 'ident') throw this.unexpected(u, "a unit ('m', 'km', '[nmi_i]', 'deg', …)");
        units = u.value;
      }
      distance = { value, units };
    }
    this.punct(')');
    return { kind: 'spatial', fn, args: [a, b], distance, at: t.at };
  }

  private spatialOperand(): SpatialOperandNode {
    const t = this.peek();
    const tag = t.kind === 'ident' ? WKT[t.value.toUpperCase()] : undefined;
    const after = this.peek(1);
    if (tag && (this.isPunct(after, '(') || (after.kind === 'ident' && /^(?:Z|EMPTY)$/i.test(after.value)))) return this.geometry(tag);
    return this.property('a geometry property, a WKT geometry or BBOX(…)');
  }

  private geometry(tag: GeometryType | 'BBOX' | 'GEOMETRYCOLLECTION'): GeometryNode {
    const t = this.next();
    if (tag === 'GEOMETRYCOLLECTION') throw this.src.error(t.at, 'GEOMETRYCOLLECTION is not supported');
    if (tag === 'BBOX') {
      this.punct('(');
      const values = [this.coordinate()];
      while (this.isPunct(this.peek(), ',')) {
        this.next();
        values.push(this.coordinate());
      }
      this.punct(')', "',' or ')'");
      if (values.length !== 4 && values.length !== 6) throw this.src.error(t.at, `BBOX needs 4 or 6 numbers, not ${values.length}`);
      return { kind: 'bbox', values, at: t.at };
    }
    const z = this.peek();
    if (this.isWord(z, 'Z')) this.next();
    if (this.isWord(this.peek(), 'EMPTY')) throw this.src.error(this.peek().at, 'empty geometries are not supported');
    let coordinates: unknown;
    switch (tag) {
      case 'Point':
        coordinates = this.parenthesised(() => this.point());
        break;
      case 'LineString':
        coordinates = this.list(() => this.point());
        break;
      case 'Polygon':
        coordinates = this.list(() => this.list(() => this.point()));
        break;
      case 'MultiPoint':
        // Both MULTIPOINT((1 2), (3 4)) (the BNF) and MULTIPOINT(1 2, 3 4) (common WKT) are read.
        coordinates = this.list(() => (this.isPunct(this.peek(), '(') ? this.parenthesised(() => this.point()) : this.point()));
        break;
      case 'MultiLineString':
        coordinates = this.list(() => this.list(() => this.point()));
        break;
      case 'MultiPolygon':
        coordinates = this.list(() => this.list(() => this.list(() => this.point())));
        break;
    }
    return { kind: 'geometry', type: tag, coordinates, at: t.at };
  }

  private parenthesised<T>(item: () => T): T {
    this.punct('(');
    const v = item();
    this.punct(')');
    return v;
  }

  /** ( item , item , … ) */
  private list<T>(item: () => T): T[] {
    this.punct('(');
    const out = [item()];
    while (this.isPunct(this.peek(), ',')) {
      this.next();
      out.push(item());
    }
    this.punct(')', "',' or ')'");
    return out;
  }

  /** x y [z]: the third number (elevation) is read and dropped. */
  private point(): XY {
    const x = this.coordinate();
    const y = this.coordinate();
    if (this.peek().kind === 'number') this.coordinate();
    return [x, y];
  }

  private coordinate(): number {
    const t = this.next();
    const v = Number(t.value);
    if (t.kind !== 'number' || !Number.isFinite(v)) throw this.unexpected(t, 'a coordinate (a number)');
    return v;
  }
}

/** Parses a WKT geometry of one of the allowed types (the CQL2 geometry literal syntax); errors carry positions. */
export function parseWkt(text: string, src: Source, allowed: readonly GeometryType[]): GeometryNode {
  return new TextParser(tokenize(text, src), src).wkt(allowed);
}

/** Parses cql2-text into the CQL2 tree; every syntax error is a Cql2Error with its 1-based position. */
export function parseText(text: string, src: Source): Expr {
  return new TextParser(tokenize(text, src), src).parse();
}
