import fc from 'fast-check';
import { featureTypes } from '../../src/catalog/featureTypes';
import { FeatureTypeDef } from '../../src/catalog/types';
import { loadConfig } from '../../src/config/config';
import { OwsError } from '../../src/ows/errors';
import { Filter } from '../../src/fes/ast';
import { compileFilter } from '../../src/fes/compile';
import { parseFilterKvp } from '../../src/fes/kvp';
import { SqlParams } from '../../src/query/sqlParams';
import { createTestDb, TestDb } from '../helpers/testStore';

/** The filter layer over the served catalog (src/catalog/featureTypes.ts), not just the test's own type. */
describe('filters on the served feature types', () => {
  let db: TestDb;
  const types = featureTypes(loadConfig({ LOG_LEVEL: 'silent' }));
  const byName = (n: string) => types.find((t) => t.name === n)!;

  beforeAll(async () => {
    db = await createTestDb('demo');
  });
  afterAll(async () => {
    await db.drop();
  });

  async function ids(type: FeatureTypeDef, f: Filter, limit = 100): Promise<string[]> {
    const params = new SqlParams();
    const where = compileFilter(f, type, params);
    const r = await db.store.query<{ id: string }>(`SELECT ${type.idSql} AS id FROM ${type.from} WHERE ${where} ORDER BY ${type.orderKey.join(', ')} LIMIT ${limit}`, params.values);
    return r.rows.map((x) => x.id);
  }
  const kvp = (body: string) => parseFilterKvp(`<Filter xmlns="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2">${body}</Filter>`)[0];

  it('ResourceId on Observation goes through its idCondition (dataset code + epoch seconds)', async () => {
    const obs = byName('Observation');
    const some = await db.store.query<{ id: string }>(`SELECT ${obs.idSql} AS id FROM ${obs.from} ORDER BY ${obs.orderKey.join(', ')} LIMIT 2`);
    const wanted = some.rows.map((r) => `Observation.${r.id}`);
    const f: Filter = { op: 'ResourceId', ids: [...wanted, 'Observation.not-an-id', 'Station.NCL_AMEDEE'] };
    expect(await ids(obs, f)).toEqual(some.rows.map((r) => r.id));
    const params = new SqlParams();
    const sql = compileFilter(f, obs, params);
    expect(sql).not.toContain('extract(epoch');
    expect(sql.match(/\$\d+/g)!.length).toBe(params.values.length);
  });

  it('typed comparisons on each type (Dataset long counts, Observation values and times)', async () => {
    const ds = await ids(byName('Dataset'), kvp('<PropertyIsGreaterThan><ValueReference>observationCount</ValueReference><Literal>5000</Literal></PropertyIsGreaterThan>'));
    const oracle = await db.store.query<{ code: string }>('SELECT code FROM dataset WHERE obs_count > 5000 ORDER BY id');
    expect(ds).toEqual(oracle.rows.map((r) => r.code));
    const obs = await ids(
      byName('Observation'),
      kvp('<And><During><ValueReference>time</ValueReference><gml:TimePeriod gml:id="p"><gml:beginPosition>2024-03-01T00:00:00Z</gml:beginPosition><gml:endPosition>2024-03-01T06:00:00Z</gml:endPosition></gml:TimePeriod></During><PropertyIsGreaterThan><ValueReference>value</ValueReference><Literal>25</Literal></PropertyIsGreaterThan></And>'),
      100000,
    );
    const o = await db.store.query<{ n: number }>("SELECT count(*)::int AS n FROM observation WHERE time > '2024-03-01T00:00:00Z' AND time < '2024-03-01T06:00:00Z' AND value > 25");
    expect(obs).toHaveLength(o.rows[0].n);
    expect(o.rows[0].n).toBeGreaterThan(0);
  });

  it('Station BBOX across the antimeridian on the served type', async () => {
    const got = await ids(byName('Station'), kvp('<BBOX><ValueReference>geom</ValueReference><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>-20 179</gml:lowerCorner><gml:upperCorner>-10 -176</gml:upperCorner></gml:Envelope></BBOX>'));
    expect(got).toEqual(expect.arrayContaining(['FJI_SAVUSAVU', 'WLF_WALLIS']));
    expect(got.some((c) => c.startsWith('NCL'))).toBe(false);
  });

  it('fuzz: every property of every type with hostile literals gives rows or a clean OwsError', async () => {
    const all = types.flatMap((t) => [...t.properties.map((p) => [t, p.name] as const), [t, '@gml:id'] as const, [t, t.geometry.name] as const]);
    const value = fc.oneof(fc.constantFrom("'; DROP TABLE observation; --", 'NaN', '1e400', '', '2024-02-30', '99999999999999999999', '\u0000', '%_\\', 'Observation.x.1'), fc.string({ maxLength: 30 }), fc.double().map(String));
    const ops = fc.constantFrom('PropertyIsEqualTo', 'PropertyIsLessThan', 'PropertyIsNotEqualTo', 'PropertyIsLike', 'PropertyIsBetween', 'ResourceId') as fc.Arbitrary<string>;
    let results = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...all), ops, value, async ([type, path], op, v) => {
        const ref = { kind: 'ref' as const, path };
        const lit = { kind: 'literal' as const, value: v };
        const f: Filter =
          op === 'PropertyIsLike' ? { op, ref, pattern: v, wildCard: '*', singleChar: '?', escapeChar: '\\', matchCase: false }
          : op === 'PropertyIsBetween' ? { op, ref, lower: lit, upper: lit }
          : op === 'ResourceId' ? { op, ids: [`${type.name}.${v}`, v] }
          : { op: op as 'PropertyIsEqualTo', left: ref, right: lit, matchCase: true, matchAction: 'Any' };
        try {
          await ids(type, f, 1);
          results++;
        } catch (e) {
          if (!(e instanceof OwsError)) throw e;
          expect(e.status).toBe(400);
        }
      }),
      { numRuns: 400 },
    );
    expect(results).toBeGreaterThan(50);
  });
});
