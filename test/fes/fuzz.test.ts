import fc from 'fast-check';
import { DEFAULT_CRS } from '../../src/crs/crs';
import { EXCEPTION_CODES, OwsError } from '../../src/ows/errors';
import { Filter } from '../../src/fes/ast';
import { parseBboxKvp, parseFilterKvp, parseResourceIdKvp } from '../../src/fes/kvp';
import { createTestDb, TestDb } from '../helpers/testStore';
import { demoStations, selectCodes, STATION } from './stationType';

/** Values that have broken SQL builders, number parsers and date parsers elsewhere. */
const NASTY = [
  "'; DROP TABLE station; --", "' OR '1'='1", '"; DELETE FROM station; --', '\u0000', 'a\u0000b', 'NaN', 'Infinity', '-Infinity', '1e400', '-1e400', '1e-400',
  '', ' ', '99999999999999999999999999999999', '-0', '0x1F', '1_000', '+5', '.5', '5.', '2024-02-30', '2024-01-01T25:00:00Z', '9999-12-31T23:59:59Z',
  '10000-01-01', '0000-01-01', '\\', '%', '_', '*', '?', '$1', '::text', "E'\\x00'", '\uD800', '😀', 'ǅ', 'İ', 'ß', '\u202E', '<', '&amp;', ']]>',
  '@gml:id', '@xlink:href', 'reef:Station/reef:name', '../name', 'name[1]', 'name/text()', '*', '//name', 'a:b:c', 'geom', 'depth', 'true', 'now',
];
const hostile = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.bigInt().map(String) },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...NASTY), fc.string({ maxLength: 10 })).map(([a, b]) => a + b) },
);
const PROPS = ['name', 'country', 'depth', 'datasetCount', 'firstObservation', 'hasData', '@gml:id', 'reef:Station/reef:depth', 'geom', 'observedProperties'];
const CMP = ['PropertyIsEqualTo', 'PropertyIsNotEqualTo', 'PropertyIsLessThan', 'PropertyIsGreaterThan', 'PropertyIsLessThanOrEqualTo', 'PropertyIsGreaterThanOrEqualTo'] as const;

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

describe('fuzz: hostile literals and ValueReferences never reach the database as errors', () => {
  let db: TestDb;
  const outcomes = { results: 0, owsErrors: 0 };

  beforeAll(async () => {
    db = await createTestDb('demo');
  });
  afterAll(async () => {
    await db.drop();
  });

  /** Builds and runs one filter: a clean OwsError (400, known code) or rows; anything else fails the property. */
  async function attempt(build: () => Filter | Filter[]): Promise<void> {
    try {
      const built = build();
      for (const f of Array.isArray(built) ? built : [built]) {
        const codes = await selectCodes(db.store, f);
        expect(Array.isArray(codes)).toBe(true);
      }
      outcomes.results++;
    } catch (e) {
      if (!(e instanceof OwsError)) throw e;
      expect(EXCEPTION_CODES).toContain(e.code);
      expect(e.status).toBe(400);
      expect(e.locator.length).toBeGreaterThan(0);
      outcomes.owsErrors++;
    }
  }

  it('comparison literals of every property type', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PROPS), fc.constantFrom(...CMP), hostile, fc.boolean(), fc.boolean(), async (path, op, value, literalFirst, matchCase) => {
        await attempt(() => {
          const ref = { kind: 'ref' as const, path };
          const lit = { kind: 'literal' as const, value };
          return { op, left: literalFirst ? lit : ref, right: literalFirst ? ref : lit, matchCase, matchAction: 'Any' };
        });
      }),
      { numRuns: 1500 },
    );
  });

  it('ValueReferences in comparison, null, spatial and temporal operators', async () => {
    const point = { geojson: { type: 'Point', coordinates: [166.4, -22.3] }, srid: 4326 };
    await fc.assert(
      fc.asyncProperty(hostile, fc.integer({ min: 0, max: 4 }), async (path, kind) => {
        const ref = { kind: 'ref' as const, path };
        await attempt((): Filter => {
          switch (kind) {
            case 0: return { op: 'PropertyIsEqualTo', left: ref, right: { kind: 'literal', value: '1' }, matchCase: true, matchAction: 'Any' };
            case 1: return { op: 'PropertyIsNull', ref };
            case 2: return { op: 'DWithin', ref, geometry: point, distance: { value: 1000, uom: 'm' } };
            case 3: return { op: 'After', ref, instant: '2024-01-01T00:00:00Z' };
            default: return { op: 'PropertyIsLike', ref, pattern: 'NCL*', wildCard: '*', singleChar: '?', escapeChar: '\\', matchCase: false };
          }
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('PropertyIsLike patterns and wildcard characters, PropertyIsBetween bounds', async () => {
    const ch = fc.oneof(fc.constantFrom('*', '?', '\\', '%', '_', "'", '!', '.'), fc.string({ minLength: 1, maxLength: 1 }));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PROPS), hostile, ch, ch, ch, hostile, async (path, pattern, w, s, e, upper) => {
        await attempt(() => ({ op: 'PropertyIsLike', ref: { kind: 'ref', path }, pattern, wildCard: w, singleChar: s, escapeChar: e, matchCase: w < s }));
        await attempt(() => ({ op: 'PropertyIsBetween', ref: { kind: 'ref', path }, lower: { kind: 'literal', value: pattern }, upper: { kind: 'literal', value: upper } }));
        await attempt(() => ({ op: 'PropertyIsBetween', ref: { kind: 'ref', path }, lower: { kind: 'ref', path: upper }, upper: { kind: 'ref', path } }));
      }),
      { numRuns: 700 },
    );
  });

  it('FILTER KVP text: hostile values inside the XML, escaped and raw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PROPS), hostile, fc.boolean(), fc.constantFrom('PropertyIsEqualTo', 'PropertyIsLike', 'After', 'BBOX', 'ResourceId', 'DWithin'), async (path, value, raw, op) => {
        const v = raw ? value : xmlEscape(value);
        const p = raw ? path : xmlEscape(path);
        const body = {
          PropertyIsEqualTo: `<PropertyIsEqualTo matchCase="false"><ValueReference>${p}</ValueReference><Literal>${v}</Literal></PropertyIsEqualTo>`,
          PropertyIsLike: `<PropertyIsLike wildCard="*" singleChar="?" escapeChar="\\"><ValueReference>${p}</ValueReference><Literal>${v}</Literal></PropertyIsLike>`,
          After: `<After><ValueReference>${p}</ValueReference><gml:TimeInstant gml:id="t"><gml:timePosition>${v}</gml:timePosition></gml:TimeInstant></After>`,
          BBOX: `<BBOX><ValueReference>${p}</ValueReference><gml:Envelope srsName="${v}"><gml:lowerCorner>${v} 1</gml:lowerCorner><gml:upperCorner>2 ${v}</gml:upperCorner></gml:Envelope></BBOX>`,
          ResourceId: `<ResourceId rid="${v}"/><ResourceId rid="Station.${v}"/>`,
          DWithin: `<DWithin><ValueReference>${p}</ValueReference><gml:Point gml:id="p"><gml:pos>${v}</gml:pos></gml:Point><Distance uom="${v}">${v}</Distance></DWithin>`,
        }[op];
        await attempt(() => parseFilterKvp(`<Filter xmlns="http://www.opengis.net/fes/2.0">${body}</Filter>`));
      }),
      { numRuns: 1500 },
    );
  });

  it('BBOX and RESOURCEID KVP values', async () => {
    const num = fc.oneof(hostile, fc.double().map(String), fc.integer({ min: -200, max: 200 }).map(String));
    const crs = fc.constantFrom('', 'urn:ogc:def:crs:EPSG::4326', 'EPSG:4326', 'CRS:84', 'EPSG:3857', 'EPSG:3163', 'EPSG:32758', 'EPSG:2193', 'urn:ogc:def:crs:EPSG::9999999999');
    await fc.assert(
      fc.asyncProperty(num, num, num, num, fc.oneof(crs, hostile), hostile, async (a, b, c, d, k, ids) => {
        await attempt(() => parseBboxKvp([a, b, c, d, k].filter((x) => x !== '').join(','), DEFAULT_CRS));
        await attempt(() => ({ op: 'ResourceId', ids: parseResourceIdKvp(ids) }));
      }),
      { numRuns: 1000 },
    );
  });

  it('left the station table intact and saw both outcomes', async () => {
    const codes = await selectCodes(db.store, { op: 'And', args: [] });
    expect(codes).toEqual(demoStations().map((s) => s.code).sort());
    const r = await db.store.query<{ n: number }>("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('station', 'dataset', 'observation', 'network')");
    expect(r.rows[0].n).toBe(4);
    // Both branches were exercised: the generator is not stuck on errors only.
    expect(outcomes.results).toBeGreaterThan(500);
    expect(outcomes.owsErrors).toBeGreaterThan(500);
  });
});
