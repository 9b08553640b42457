import { FeatureTypeDef } from '../../src/catalog/types';
import { parseCql2, queryablesOf } from '../../src/cql2';
import { Filter } from '../../src/fes/ast';
import { compileFilter } from '../../src/fes/compile';
import { parseFilterKvp } from '../../src/fes/kvp';
import { SqlParams } from '../../src/query/sqlParams';
import { demoStations } from '../fes/stationType';
import { createTestDb, TestDb } from '../helpers/testStore';
import { P, TYPES, TypeName } from './helpers';

/** An FES 2.0 filter read by the FES parser: the oracle is written without the CQL2 code. */
const fes = (body: string): Filter =>
  parseFilterKvp(`<Filter xmlns="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2">${body}</Filter>`)[0];
const cmp = (op: string, ref: string, value: string, attrs = '') => `<${op}${attrs}><ValueReference>${ref}</ValueReference><Literal>${value}</Literal></${op}>`;
const instant = (t: string) => `<gml:TimeInstant gml:id="i"><gml:timePosition>${t}</gml:timePosition></gml:TimeInstant>`;
const period = (b: string, e: string) => `<gml:TimePeriod gml:id="p"><gml:beginPosition>${b}</gml:beginPosition><gml:endPosition>${e}</gml:endPosition></gml:TimePeriod>`;
const envelope = (lower: string, upper: string, srs = 'CRS:84') => `<gml:Envelope srsName="${srs}"><gml:lowerCorner>${lower}</gml:lowerCorner><gml:upperCorner>${upper}</gml:upperCorner></gml:Envelope>`;

const DS = 'OUVEA01_TEMP_0A_SBE56';
const NULL_STATION = 'NCL_CHESTER';

describe('cql2 filters compiled by compileFilter select what the equivalent FES filter selects (demo data)', () => {
  let db: TestDb;
  const total: Partial<Record<TypeName, number>> = {};

  beforeAll(async () => {
    db = await createTestDb('demo');
    // NULLs to tell CQL2's NOT (unknown stays unknown) from FES Not (selects it).
    await db.store.query('UPDATE station SET depth_m = NULL, producer_id = NULL WHERE code = $1', [NULL_STATION]);
    for (const on of ['Station', 'Dataset', 'TestStation'] as const) total[on] = (await ids(on, { op: 'And', args: [] })).length;
  });
  afterAll(async () => {
    await db.drop();
  });

  async function ids(on: TypeName, f: Filter): Promise<string[]> {
    const type: FeatureTypeDef = TYPES[on];
    const params = new SqlParams();
    const where = compileFilter(f, type, params);
    const r = await db.store.query<{ id: string }>(`SELECT ${type.idSql} AS id FROM ${type.from} WHERE ${where} ORDER BY ${type.orderKey.join(', ')}`, params.values);
    return r.rows.map((x) => x.id);
  }

  const cql = (on: TypeName, input: unknown, lang: 'cql2-text' | 'cql2-json', filterCrs?: string) => parseCql2(input, lang, { queryables: queryablesOf(TYPES[on]), filterCrs });

  /** Runs the text, the json and the FES oracle; all three select the same, and that is neither nothing nor everything. */
  async function same(on: TypeName, t: string, j: unknown, oracle: Filter, filterCrs?: string): Promise<string[]> {
    const expected = await ids(on, oracle);
    expect(await ids(on, cql(on, t, 'cql2-text', filterCrs))).toEqual(expected);
    expect(await ids(on, cql(on, j, 'cql2-json', filterCrs))).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
    if (total[on] !== undefined) expect(expected.length).toBeLessThan(total[on]!);
    return expected;
  }

  it('comparison, LIKE, CASEI, BETWEEN, IN, IS NULL', async () => {
    await same('Station', 'depth > 8', { op: '>', args: [P('depth'), 8] }, fes(cmp('PropertyIsGreaterThan', 'depth', '8')));
    await same('Station', 'depth <> 8', { op: '<>', args: [P('depth'), 8] }, fes(cmp('PropertyIsNotEqualTo', 'depth', '8')));
    await same('Station', "name LIKE 'NCL%'", { op: 'like', args: [P('name'), 'NCL%'] }, fes('<PropertyIsLike wildCard="%" singleChar="_" escapeChar="\\"><ValueReference>name</ValueReference><Literal>NCL%</Literal></PropertyIsLike>'));
    await same('Station', "CASEI(name) LIKE 'ncl_p%'", { op: 'like', args: [{ op: 'casei', args: [P('name')] }, 'ncl_p%'] },
      fes('<PropertyIsLike wildCard="*" singleChar="?" escapeChar="!" matchCase="false"><ValueReference>name</ValueReference><Literal>ncl?p*</Literal></PropertyIsLike>'));
    await same('Station', "CASEI(country) = 'fji'", { op: '=', args: [{ op: 'casei', args: [P('country')] }, 'fji'] }, fes(cmp('PropertyIsEqualTo', 'country', 'FJI')));
    await same('Station', 'depth BETWEEN 6 AND 9', { op: 'between', args: [P('depth'), 6, 9] },
      fes('<PropertyIsBetween><ValueReference>depth</ValueReference><LowerBoundary><Literal>6</Literal></LowerBoundary><UpperBoundary><Literal>9</Literal></UpperBoundary></PropertyIsBetween>'));
    await same('Station', "country IN ('FJI', 'WLF')", { op: 'in', args: [P('country'), ['FJI', 'WLF']] }, fes(`<Or>${cmp('PropertyIsEqualTo', 'country', 'FJI')}${cmp('PropertyIsEqualTo', 'country', 'WLF')}</Or>`));
    expect(await same('Station', 'depth IS NULL', { op: 'isNull', args: [P('depth')] }, fes('<PropertyIsNull><ValueReference>depth</ValueReference></PropertyIsNull>'))).toEqual([NULL_STATION]);
    // Every demo station has data: the boolean goes with a depth test to select some, not all.
    await same('TestStation', 'hasData = TRUE AND depth > 8', { op: 'and', args: [{ op: '=', args: [P('hasData'), true] }, { op: '>', args: [P('depth'), 8] }] },
      fes(`<And>${cmp('PropertyIsEqualTo', 'hasData', 'true')}${cmp('PropertyIsGreaterThan', 'depth', '8')}</And>`));
    expect(await ids('TestStation', cql('TestStation', 'hasData = FALSE', 'cql2-text'))).toEqual([]);
  });

  it('NOT leaves NULLs out (CQL2: NOT unknown is unknown), unlike FES Not', async () => {
    const notLt10 = await same('Station', 'NOT depth < 10', { op: 'not', args: [{ op: '<', args: [P('depth'), 10] }] }, fes(cmp('PropertyIsGreaterThanOrEqualTo', 'depth', '10')));
    expect(notLt10).not.toContain(NULL_STATION);
    expect(await ids('Station', fes(`<Not>${cmp('PropertyIsLessThan', 'depth', '10')}</Not>`))).toEqual([...notLt10, NULL_STATION].sort((a, b) => order(a) - order(b)));
    const like = '<PropertyIsLike wildCard="%" singleChar="_" escapeChar="\\"><ValueReference>producer</ValueReference><Literal>IRD%</Literal></PropertyIsLike>';
    const notLike = await same('Station', "producer NOT LIKE 'IRD%'", { op: 'not', args: [{ op: 'like', args: [P('producer'), 'IRD%'] }] },
      fes(`<And><Not>${like}</Not><Not><PropertyIsNull><ValueReference>producer</ValueReference></PropertyIsNull></Not></And>`));
    expect(notLike).not.toContain(NULL_STATION);
    await same('Station', 'depth NOT BETWEEN 6 AND 9', { op: 'not', args: [{ op: 'between', args: [P('depth'), 6, 9] }] },
      fes(`<Or>${cmp('PropertyIsLessThan', 'depth', '6')}${cmp('PropertyIsGreaterThan', 'depth', '9')}</Or>`));
  });

  const stations = demoStations();
  const order = (code: string) => stations.findIndex((s) => s.code === code);

  it('spatial functions with WKT, GeoJSON and BBOX, in CRS84 and in EPSG:4326 (lat/lon)', async () => {
    const nclBox = fes(`<BBOX><ValueReference>geom</ValueReference>${envelope('163 -23', '169 -19')}</BBOX>`);
    await same('Station', 'S_INTERSECTS(geom, BBOX(163, -23, 169, -19))', { op: 's_intersects', args: [P('geom'), { bbox: [163, -23, 169, -19] }] }, nclBox);
    await same('Station', 'S_WITHIN(geom, POLYGON((-23 163, -23 169, -19 169, -19 163, -23 163)))',
      { op: 's_within', args: [P('geom'), { type: 'Polygon', coordinates: [[[-23, 163], [-23, 169], [-19, 169], [-19, 163], [-23, 163]]] }] }, nclBox, 'http://www.opengis.net/def/crs/EPSG/0/4326');
    await same('Station', 'S_DISJOINT(geom, BBOX(163, -23, 169, -19))', { op: 's_disjoint', args: [P('geom'), { bbox: [163, -23, 169, -19] }] },
      fes(`<Disjoint><ValueReference>geom</ValueReference>${envelope('163 -23', '169 -19')}</Disjoint>`));
    const across = await same('Station', 'S_INTERSECTS(geom, BBOX(179, -20, -176, -10))', { op: 's_intersects', args: [P('geom'), { bbox: [179, -20, -176, -10] }] },
      fes(`<BBOX><ValueReference>geom</ValueReference>${envelope('179 -20', '-176 -10')}</BBOX>`));
    expect(across).toEqual(expect.arrayContaining(['FJI_SAVUSAVU', 'WLF_WALLIS']));
    const amedee = stations.find((s) => s.code === 'NCL_AMEDEE')!;
    expect(await same('Station', `S_CONTAINS(geom, POINT(${amedee.lon} ${amedee.lat}))`, { op: 's_contains', args: [P('geom'), { type: 'Point', coordinates: [amedee.lon, amedee.lat] }] },
      fes(`<Contains><ValueReference>geom</ValueReference><gml:Point gml:id="p" srsName="CRS:84"><gml:pos>${amedee.lon} ${amedee.lat}</gml:pos></gml:Point></Contains>`))).toEqual(['NCL_AMEDEE']);
    const suva = stations.find((s) => s.code === 'FJI_SAVUSAVU')!;
    await same('Station', `S_DWITHIN(geom, POINT(${suva.lon} ${suva.lat}), 800, 'km')`, { op: 's_dwithin', args: [P('geom'), { type: 'Point', coordinates: [suva.lon, suva.lat] }, 800000] },
      fes(`<DWithin><ValueReference>geom</ValueReference><gml:Point gml:id="p" srsName="CRS:84"><gml:pos>${suva.lon} ${suva.lat}</gml:pos></gml:Point><Distance uom="m">800000</Distance></DWithin>`));
  });

  it('temporal functions on an instant property: FES After/Before/During, and T_INTERSECTS inclusive', async () => {
    const T = '2024-03-01T00:00:00Z';
    await same('Station', `T_AFTER(firstObservation, TIMESTAMP('${T}'))`, { op: 't_after', args: [P('firstObservation'), { timestamp: T }] }, fes(`<After><ValueReference>firstObservation</ValueReference>${instant(T)}</After>`));
    await same('Station', `T_BEFORE(firstObservation, TIMESTAMP('${T}'))`, { op: 't_before', args: [P('firstObservation'), { timestamp: T }] }, fes(`<Before><ValueReference>firstObservation</ValueReference>${instant(T)}</Before>`));
    await same('Station', "T_DURING(firstObservation, INTERVAL('2024-01-10T00:00:00Z', '2024-02-10T00:00:00Z'))", { op: 't_during', args: [P('firstObservation'), { interval: ['2024-01-10T00:00:00Z', '2024-02-10T00:00:00Z'] }] },
      fes(`<During><ValueReference>firstObservation</ValueReference>${period('2024-01-10T00:00:00Z', '2024-02-10T00:00:00Z')}</During>`));
    await same('Station', "T_INTERSECTS(firstObservation, INTERVAL('2024-01-10', '2024-02-10'))", { op: 't_intersects', args: [P('firstObservation'), { interval: ['2024-01-10', '2024-02-10'] }] },
      fes(`<And>${cmp('PropertyIsGreaterThanOrEqualTo', 'firstObservation', '2024-01-10T00:00:00Z')}${cmp('PropertyIsLessThanOrEqualTo', 'firstObservation', '2024-02-10T23:59:59.999Z')}</And>`));
    await same('Station', "T_INTERSECTS(firstObservation, INTERVAL('2024-03-01', '..'))", { op: 't_intersects', args: [P('firstObservation'), { interval: ['2024-03-01', '..'] }] },
      fes(cmp('PropertyIsGreaterThanOrEqualTo', 'firstObservation', '2024-03-01T00:00:00Z')));
  });

  it('observations: T_INTERSECTS includes the interval ends, T_DURING does not', async () => {
    const [b, e] = ['2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z'];
    const onDs = (f: string) => `datasetId = '${DS}' AND ${f}`;
    const inclusive = await same('Observation', onDs(`T_INTERSECTS(time, INTERVAL('${b}', '${e}'))`),
      { op: 'and', args: [{ op: '=', args: [P('datasetId'), DS] }, { op: 't_intersects', args: [P('time'), { interval: [b, e] }] }] },
      fes(`<And>${cmp('PropertyIsEqualTo', 'datasetId', DS)}${cmp('PropertyIsGreaterThanOrEqualTo', 'time', b)}${cmp('PropertyIsLessThanOrEqualTo', 'time', e)}</And>`));
    const strict = await ids('Observation', cql('Observation', onDs(`T_DURING(time, INTERVAL('${b}', '${e}'))`), 'cql2-text'));
    // Two-hourly series: 13 instants on [b, e], 11 strictly inside.
    expect([inclusive.length, strict.length]).toEqual([13, 11]);
    expect(inclusive).toEqual(expect.arrayContaining([`${DS}.${Date.parse(b) / 1000}`, `${DS}.${Date.parse(e) / 1000}`]));
    await same('Observation', onDs("T_EQUALS(time, DATE('2024-03-01')) AND value > 26 AND qc IN (1, 2)"),
      { op: 'and', args: [{ op: '=', args: [P('datasetId'), DS] }, { op: 't_equals', args: [P('time'), { date: '2024-03-01' }] }, { op: '>', args: [P('value'), 26] }, { op: 'in', args: [P('qc'), [1, 2]] }] },
      fes(`<And>${cmp('PropertyIsEqualTo', 'datasetId', DS)}<During><ValueReference>time</ValueReference>${period('2024-02-29T23:59:59Z', '2024-03-02T00:00:00Z')}</During>${cmp('PropertyIsGreaterThan', 'value', '26')}<Or>${cmp('PropertyIsEqualTo', 'qc', '1')}${cmp('PropertyIsEqualTo', 'qc', '2')}</Or></And>`));
  });

  it('standard examples 06a and 06b (BETWEEN and >= AND <=) select the same observations', async () => {
    const a = await ids('Observation', cql('Observation', `value BETWEEN 26 AND 27 AND qc=1 AND datasetId='${DS}'`, 'cql2-text'));
    const b = await ids('Observation', cql('Observation', `value >= 26 AND value <= 27 AND qc=1 AND datasetId='${DS}'`, 'cql2-text'));
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(10);
  });

  it('intervals of two properties (Dataset startTime/endTime)', async () => {
    await same('Dataset', "T_INTERSECTS(INTERVAL(startTime, endTime), INTERVAL('2024-01-01', '2024-01-31'))",
      { op: 't_intersects', args: [{ interval: [P('startTime'), P('endTime')] }, { interval: ['2024-01-01', '2024-01-31'] }] },
      fes(`<And>${cmp('PropertyIsLessThanOrEqualTo', 'startTime', '2024-01-31T23:59:59.999Z')}${cmp('PropertyIsGreaterThanOrEqualTo', 'endTime', '2024-01-01T00:00:00Z')}</And>`));
    await same('Dataset', "T_DURING(INTERVAL(startTime, endTime), INTERVAL('2024-03-01T00:00:00Z', '..'))",
      { op: 't_during', args: [{ interval: [P('startTime'), P('endTime')] }, { interval: ['2024-03-01T00:00:00Z', '..'] }] },
      fes(`<And>${cmp('PropertyIsGreaterThan', 'startTime', '2024-03-01T00:00:00Z')}<Not><PropertyIsNull><ValueReference>endTime</ValueReference></PropertyIsNull></Not></And>`));
    await same('Dataset', "T_OVERLAPS(INTERVAL(startTime, endTime), INTERVAL('2024-03-01', '2025-06-01'))",
      { op: 't_overlaps', args: [{ interval: [P('startTime'), P('endTime')] }, { interval: ['2024-03-01', '2025-06-01'] }] },
      fes(`<And>${cmp('PropertyIsLessThan', 'startTime', '2024-03-01T00:00:00Z')}${cmp('PropertyIsGreaterThan', 'endTime', '2024-03-01T00:00:00Z')}${cmp('PropertyIsLessThan', 'endTime', '2025-06-01T23:59:59.999Z')}</And>`));
  });
});
