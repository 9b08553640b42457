import fc from 'fast-check';
import { Cql2Error, parseCql2, queryablesOf } from '../../src/cql2';
import { Filter } from '../../src/fes/ast';
import { compileFilter } from '../../src/fes/compile';
import { EXCEPTION_CODES, OwsError } from '../../src/ows/errors';
import { SqlParams } from '../../src/query/sqlParams';
import { createTestDb, TestDb } from '../helpers/testStore';
import { TYPES } from './helpers';

/** Station queryables, plus names that are not (wrong case, XPath, SQL, keywords). */
const NAMES = ['stationId', 'name', 'depth', 'country', 'producer', 'datasetCount', 'firstObservation', 'lastObservation', 'geom', 'Depth', '@gml:id', 'a:b', 'x.y', 'observationsUrl', 'AND', 'date', 'POINT'];
const NASTY = ["'; DROP TABLE station; --", "''", "\\'", '\\', '%', '_', '\u0000', '\uD800', '😀', 'İ', '..', 'NaN', '1e400', '-0', '2024-02-30', '9999-12-31T23:59:59Z', '0000-01-01', '"', '(', ')', ','];
const name = fc.oneof(fc.constantFrom(...NAMES), fc.constantFrom(...NAMES).map((n) => `"${n}"`));
const str = fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 12 })).map((s) => `'${s.replace(/'/g, "''")}'`);
const num = fc.oneof(fc.double().map(String), fc.integer().map(String), fc.constantFrom('1e400', '-.5', '+7', '123456789012345678901234567890'));
const time = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => `TIMESTAMP('${d.toISOString()}')`),
  fc.date({ noInvalidDate: true }).map((d) => `DATE('${d.toISOString().slice(0, 10)}')`),
  fc.constantFrom("TIMESTAMP('2024-03-01T00:00:00Z')", "DATE('2024-02-30')", "TIMESTAMP('now')"),
);
const bound = fc.oneof(fc.constantFrom("'..'", "'2024-01-01'", "'2024-06-01T00:00:00Z'", "'2024-13-01'"), name);
const value = fc.oneof(name, str, num, time, fc.constantFrom('TRUE', 'FALSE', 'NULL'), str.map((s) => `CASEI(${s})`), name.map((n) => `CASEI(${n})`));
const coord = fc.oneof(fc.integer({ min: -200, max: 200 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })).map(String);
const pt = fc.tuple(coord, coord).map(([x, y]) => `${x} ${y}`);
const geometry = fc.oneof(
  pt.map((p) => `POINT(${p})`),
  fc.array(pt, { minLength: 1, maxLength: 5 }).map((ps) => `LINESTRING(${ps.join(', ')})`),
  fc.array(pt, { minLength: 1, maxLength: 6 }).map((ps) => `POLYGON((${ps.join(', ')}, ${ps[0]}))`),
  fc.array(pt, { minLength: 1, maxLength: 3 }).map((ps) => `MULTIPOINT(${ps.map((p) => `(${p})`).join(', ')})`),
  fc.tuple(coord, coord, coord, coord).map((b) => `BBOX(${b.join(', ')})`),
  fc.constantFrom('POLYGON((163 -23, 169 -23, 169 -19, 163 -19, 163 -23))', 'POLYGON((163 -23, 169 -19, 163 -19, 169 -23, 163 -23))', 'BBOX(179, -20, -176, -10)', 'POINT EMPTY', 'GEOMETRYCOLLECTION(POINT(1 2))'),
);
const temporalOperand = fc.oneof(name, time, fc.tuple(bound, bound).map(([a, b]) => `INTERVAL(${a}, ${b})`));
const TFNS = ['T_AFTER', 'T_BEFORE', 'T_CONTAINS', 'T_DISJOINT', 'T_DURING', 'T_EQUALS', 'T_FINISHEDBY', 'T_FINISHES', 'T_INTERSECTS', 'T_MEETS', 'T_METBY', 'T_OVERLAPPEDBY', 'T_OVERLAPS', 'T_STARTEDBY', 'T_STARTS'];
const SFNS = ['S_INTERSECTS', 'S_EQUALS', 'S_DISJOINT', 'S_TOUCHES', 'S_WITHIN', 'S_OVERLAPS', 'S_CROSSES', 'S_CONTAINS'];

const predicate = fc.oneof(
  fc.tuple(value, fc.constantFrom('=', '<>', '<', '>', '<=', '>=', '< >'), value).map(([a, o, b]) => `${a} ${o} ${b}`),
  fc.tuple(value, fc.boolean(), value).map(([a, n, p]) => `${a}${n ? ' NOT' : ''} LIKE ${p}`),
  fc.tuple(value, fc.boolean(), value, value).map(([a, n, l, h]) => `${a}${n ? ' NOT' : ''} BETWEEN ${l} AND ${h}`),
  fc.tuple(value, fc.boolean(), fc.array(value, { minLength: 1, maxLength: 4 })).map(([a, n, l]) => `${a}${n ? ' NOT' : ''} IN (${l.join(', ')})`),
  fc.tuple(value, fc.boolean()).map(([a, n]) => `${a} IS ${n ? 'NOT ' : ''}NULL`),
  fc.tuple(fc.constantFrom(...SFNS), fc.oneof(name, geometry), fc.oneof(name, geometry)).map(([f, a, b]) => `${f}(${a}, ${b})`),
  fc.tuple(name, geometry, num, fc.constantFrom("'m'", "'km'", "'furlong'", 'deg')).map(([a, g, d, u]) => `S_DWITHIN(${a}, ${g}, ${d}, ${u})`),
  fc.tuple(fc.constantFrom(...TFNS), temporalOperand, temporalOperand).map(([f, a, b]) => `${f}(${a}, ${b})`),
  fc.constantFrom('TRUE', 'FALSE', 'avg(depth) > 1', 'ACCENTI(name) = ACCENTI(\'x\')'),
);
/** Well-typed predicates with hostile values where values go, so many filters get as far as SQL. */
const cmpOp = fc.constantFrom('=', '<>', '<', '>', '<=', '>=');
const lat = fc.double({ min: -90, max: 90, noNaN: true });
const lon = fc.double({ min: -400, max: 400, noNaN: true });
const when = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const wellTyped = fc.oneof(
  fc.tuple(fc.constantFrom('depth', 'datasetCount', '"depth"'), cmpOp, num).map(([n, o, v]) => `${n} ${o} ${v}`),
  fc.tuple(fc.constantFrom('name', 'country', 'producer', 'stationId', 'CASEI(name)'), cmpOp, str).map(([n, o, v]) => `${n} ${o} ${v}`),
  fc.tuple(fc.constantFrom('name', 'producer', 'CASEI(name)'), fc.boolean(), str).map(([n, neg, v]) => `${n}${neg ? ' NOT' : ''} LIKE ${v}`),
  fc.tuple(fc.boolean(), num, num).map(([neg, a, b]) => `depth${neg ? ' NOT' : ''} BETWEEN ${a} AND ${b}`),
  fc.tuple(fc.boolean(), fc.array(str, { minLength: 1, maxLength: 5 })).map(([neg, l]) => `country${neg ? ' NOT' : ''} IN (${l.join(', ')})`),
  fc.tuple(fc.constantFrom(...NAMES.slice(0, 8)), fc.boolean()).map(([n, neg]) => `${n} IS ${neg ? 'NOT ' : ''}NULL`),
  fc.tuple(fc.constantFrom('firstObservation', 'lastObservation'), cmpOp, when).map(([n, o, t]) => `${n} ${o} TIMESTAMP('${t}')`),
  fc.tuple(fc.constantFrom(...TFNS), fc.constantFrom('firstObservation', 'lastObservation'), when, fc.oneof(when, fc.constant('..'))).map(([f, n, a, b]) => {
    const [lo, hi] = b === '..' || a <= b ? [a, b] : [b, a];
    return `${f}(${n}, INTERVAL('${lo}', '${hi}'))`;
  }),
  fc.tuple(fc.constantFrom(...SFNS), lon, lat, lon, lat).map(([f, w, s, e, n]) => `${f}(geom, BBOX(${w}, ${Math.min(s, n)}, ${e}, ${Math.max(s, n)}))`),
  fc.tuple(fc.constantFrom(...SFNS), lon, lat).map(([f, x, y]) => `${f}(POINT(${x} ${y}), geom)`),
  fc.tuple(lon, lat, fc.double({ min: 0, max: 1e7, noNaN: true }), fc.constantFrom("'m'", "'km'", "'[nmi_i]'", "'deg'", "'furlong'")).map(([x, y, d, u]) => `S_DWITHIN(geom, POINT(${x} ${y}), ${d}, ${u})`),
);
const { filter: textFilter } = fc.letrec((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    predicate,
    wellTyped,
    wellTyped,
    fc.tuple(tie('filter'), fc.constantFrom('AND', 'OR', 'and', 'or'), tie('filter')).map(([a, o, b]) => `${a} ${o} ${b}`),
    tie('filter').map((f) => `NOT (${f})`),
    tie('filter').map((f) => `(${f})`),
  ),
}));

/** Random edits of a valid filter: the inputs a parser sees from clients that almost got it right. */
const mutated = fc.tuple(textFilter, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom("'", '"', '(', ')', ',', ' AND ', ' NOT ', '\\', '..', 'Z', 'EMPTY'))), { maxLength: 4 })).map(([base, edits]) => {
  let s = base;
  for (const [at, del, ins] of edits) {
    const i = s.length ? at % s.length : 0;
    s = s.slice(0, i) + ins + s.slice(i + del);
  }
  return s;
});

/** A cql2-json document built like the text ones, with some subtrees replaced by arbitrary JSON. */
const jsonValue = fc.jsonValue({ maxDepth: 4 });
const jsonScalar = fc.oneof(fc.constantFrom(...NAMES).map((p) => ({ property: p })), fc.string({ maxLength: 8 }), fc.double(), fc.boolean(), fc.constantFrom({ date: '2024-01-01' }, { timestamp: '2024-03-01T00:00:00Z' }, { date: 5 }, null), jsonValue);
const jsonTemporal = fc.oneof(jsonScalar, fc.tuple(fc.oneof(fc.constantFrom('..', '2024-01-01'), jsonScalar), fc.oneof(fc.constantFrom('..', '2024-06-01T00:00:00Z'), jsonScalar)).map((iv) => ({ interval: iv })));
const jsonGeom = fc.oneof(
  fc.constantFrom({ type: 'Point', coordinates: [166, -22] }, { type: 'Polygon', coordinates: [[[163, -23], [169, -23], [169, -19], [163, -23]]] }, { bbox: [179, -20, -176, -10] }, { type: 'GeometryCollection', geometries: [] }),
  fc.record({ type: fc.constantFrom('Point', 'LineString', 'Polygon', 'MultiPoint', 'MultiPolygon', 'Nope', '__proto__'), coordinates: jsonValue }),
  fc.record({ bbox: fc.array(fc.oneof(fc.double(), fc.string()), { maxLength: 7 }) }),
);
const { doc: jsonDoc } = fc.letrec((tie) => ({
  doc: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(fc.constantFrom('=', '<>', '<', '>=', 'like', 'between', 'in', 'isNull', 'casei', 'frob', '__proto__', 'constructor'), fc.array(fc.oneof(jsonScalar, fc.array(jsonScalar, { maxLength: 3 })), { maxLength: 4 })).map(([op, args]) => ({ op, args })),
    fc.tuple(fc.constantFrom(...SFNS.map((f) => f.toLowerCase()), 's_dwithin'), fc.array(fc.oneof(jsonGeom, jsonScalar), { maxLength: 4 })).map(([op, args]) => ({ op, args })),
    fc.tuple(fc.constantFrom(...TFNS.map((f) => f.toLowerCase()), 't_metBy'), fc.array(jsonTemporal, { maxLength: 3 })).map(([op, args]) => ({ op, args })),
    fc.tuple(fc.constantFrom('and', 'or', 'not', 'AND'), fc.array(tie('doc'), { maxLength: 3 })).map(([op, args]) => ({ op, args })),
    fc.boolean(),
    jsonValue,
  ),
}));

const QUERYABLES = queryablesOf(TYPES.Station);

/** The one allowed failure: a Cql2Error saying where, within the input. */
function checkError(e: unknown, input: string | undefined): void {
  if (!(e instanceof Cql2Error)) throw e;
  expect(e.code).toBe('InvalidParameterValue');
  expect(e.status).toBe(400);
  expect(e.message).toMatch(/^filter(-crs|-lang)?: /);
  if (input !== undefined && e.position !== undefined) {
    expect(e.position).toBeGreaterThanOrEqual(1);
    expect(e.position).toBeLessThanOrEqual([...input].length + 1);
  }
  if (e.pointer !== undefined) expect(e.pointer).toMatch(/^(\/[^/]*)*$/);
}

describe('fuzz: cql2 input never throws anything but a Cql2Error', () => {
  const outcomes = { filters: 0, errors: 0 };

  function attempt(input: unknown, lang: 'cql2-text' | 'cql2-json'): Filter | undefined {
    try {
      const f = parseCql2(input, lang, { queryables: QUERYABLES });
      outcomes.filters++;
      return f;
    } catch (e) {
      checkError(e, lang === 'cql2-text' ? (input as string) : undefined);
      outcomes.errors++;
      return undefined;
    }
  }

  it('generated cql2-text', () => {
    fc.assert(fc.property(textFilter, (t) => void attempt(t, 'cql2-text')), { numRuns: 3000 });
  });

  it('mutated cql2-text', () => {
    fc.assert(fc.property(mutated, (t) => void attempt(t, 'cql2-text')), { numRuns: 3000 });
  });

  it('arbitrary strings, including binary and lone surrogates', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 })), (t) => void attempt(t, 'cql2-text')), { numRuns: 2000 });
  });

  it('generated cql2-json, as values and as text, and mangled JSON text', () => {
    fc.assert(
      fc.property(jsonDoc, fc.nat(), (doc, cut) => {
        attempt(doc, 'cql2-json');
        const s = JSON.stringify(doc) ?? 'null';
        attempt(s, 'cql2-json');
        attempt(s.slice(0, cut % (s.length + 1)), 'cql2-json');
      }),
      { numRuns: 3000 },
    );
  });

  it('saw both outcomes (the generators are not stuck on errors only)', () => {
    expect(outcomes.filters).toBeGreaterThan(1000);
    expect(outcomes.errors).toBeGreaterThan(1000);
  });
});

describe('fuzz: parsed cql2 filters compile and run, or fail as a 400 before SQL runs', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb('demo');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('generated and mutated filters against the demo Station collection', async () => {
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(textFilter, mutated), async (t) => {
        let f: Filter;
        try {
          f = parseCql2(t, 'cql2-text', { queryables: QUERYABLES });
        } catch (e) {
          checkError(e, t);
          return;
        }
        const type = TYPES.Station;
        try {
          const params = new SqlParams();
          const where = compileFilter(f, type, params);
          const r = await db.store.query(`SELECT ${type.idSql} FROM ${type.from} WHERE ${where} LIMIT 1`, params.values);
          expect(Array.isArray(r.rows)).toBe(true);
          ran++;
        } catch (e) {
          // The compiler's own refusals (a distance unit it does not know, …) are 400s too; a SQL error is not.
          if (!(e instanceof OwsError)) throw e;
          expect(EXCEPTION_CODES).toContain(e.code);
          expect(e.status).toBe(400);
        }
      }),
      { numRuns: 600 },
    );
    expect(ran).toBeGreaterThan(100);
  });
});
