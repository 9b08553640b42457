import { DEFAULT_CRS } from '../../src/crs/crs';
import { parseXml } from '../../src/http/xml';
import { OwsError } from '../../src/ows/errors';
import { Filter } from '../../src/fes/ast';
import { compileFilter, likePattern, resolveValueReference, resourceIdsFor } from '../../src/fes/compile';
import { parseBboxKvp } from '../../src/fes/kvp';
import { parseFilterXml } from '../../src/fes/parseFes20';
import { parseFilter110 } from '../../src/fes/parseFilter110';
import { SqlParams } from '../../src/query/sqlParams';
import { createTestDb, TestDb } from '../helpers/testStore';
import { CsvStation, demoStations, expectedCodes, selectCodes, STATION } from './stationType';
import { owsErrorOf } from '../helpers/owsError';

const NS = 'xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"';
const fes = (body: string): Filter => parseFilterXml(parseXml(`<fes:Filter ${NS}>${body}</fes:Filter>`));
const cmp = (op: string, ref: string, lit: string, attrs = '') => fes(`<fes:${op}${attrs}><fes:ValueReference>${ref}</fes:ValueReference><fes:Literal>${lit}</fes:Literal></fes:${op}>`);
const envelope = (srs: string, lo: string, hi: string) => `<gml:Envelope srsName="${srs}"><gml:lowerCorner>${lo}</gml:lowerCorner><gml:upperCorner>${hi}</gml:upperCorner></gml:Envelope>`;
const codesOf = (s: CsvStation[]) => s.map((x) => x.code).sort();

/** Haversine distance in metres (sphere of the mean radius: the tests keep clear of the edge). */
function distanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = (d: number) => (d * Math.PI) / 180;
  const a = Math.sin(r(lat2 - lat1) / 2) ** 2 + Math.cos(r(lat1)) * Math.cos(r(lat2)) * Math.sin(r(lon2 - lon1) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(a));
}

describe('compileFilter against PostGIS (demo stations)', () => {
  let db: TestDb;
  const NULL_DEPTH = 'NCL_CHESTER';
  const stations = demoStations();
  const withDepth = (pred: (d: number) => boolean) => expectedCodes((s) => s.code !== NULL_DEPTH && pred(s.depth));
  const run = (f: Filter) => selectCodes(db.store, f);

  beforeAll(async () => {
    db = await createTestDb('demo');
    // One station without a depth, so null handling is exercised against real NULLs.
    await db.store.query('UPDATE station SET depth_m = NULL WHERE code = $1', [NULL_DEPTH]);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('the oracle and the database hold the same 30 stations', async () => {
    expect(stations).toHaveLength(30);
    expect(await run({ op: 'And', args: [] })).toEqual(codesOf(stations));
  });

  describe('comparison', () => {
    it.each([
      ['PropertyIsEqualTo', (d: number) => d === 8],
      ['PropertyIsNotEqualTo', (d: number) => d !== 8],
      ['PropertyIsLessThan', (d: number) => d < 8],
      ['PropertyIsGreaterThan', (d: number) => d > 8],
      ['PropertyIsLessThanOrEqualTo', (d: number) => d <= 8],
      ['PropertyIsGreaterThanOrEqualTo', (d: number) => d >= 8],
    ])('%s on a double compares numerically', async (op, pred) => {
      const got = await run(cmp(op, 'reef:depth', '8'));
      expect(got).toEqual(withDepth(pred));
      expect(got.length).toBeGreaterThan(0);
    });
    it('numbers compare as numbers, not text ("10" > "9")', async () => {
      expect(await run(cmp('PropertyIsGreaterThan', 'depth', '9.5'))).toEqual(withDepth((d) => d > 9.5));
      expect(await run(cmp('PropertyIsGreaterThan', 'depth', '9.5'))).toContain('NCL_PRONY');
    });
    it('a literal before the ValueReference: 10 < depth', async () => {
      const f = fes('<fes:PropertyIsLessThan><fes:Literal>10</fes:Literal><fes:ValueReference>depth</fes:ValueReference></fes:PropertyIsLessThan>');
      expect(await run(f)).toEqual(withDepth((d) => 10 < d));
    });
    it('all ValueReference forms: name, prefix:name, prefix:Type/prefix:name, Type/name', async () => {
      const expected = withDepth((d) => d === 12);
      for (const ref of ['depth', 'reef:depth', 'reef:Station/reef:depth', 'Station/depth', 'ns47:Station/ns47:depth']) {
        expect(await run(cmp('PropertyIsEqualTo', ref, '12'))).toEqual(expected);
      }
    });
    it('matchCase="false" folds case; the default is case-sensitive', async () => {
      expect(await run(cmp('PropertyIsEqualTo', 'country', 'ncl', ' matchCase="false"'))).toEqual(expectedCodes((s) => s.country === 'NCL'));
      expect(await run(cmp('PropertyIsEqualTo', 'country', 'ncl'))).toEqual([]);
      expect(await run(cmp('PropertyIsEqualTo', 'name', 'ncl phare amÉdÉe', ' matchCase="false"'))).toEqual(['NCL_AMEDEE']);
    });
    it('strings with quotes and SQL are plain values', async () => {
      expect(await run(cmp('PropertyIsEqualTo', 'name', "O'Neil'; DROP TABLE station; --"))).toEqual([]);
      expect(await run(cmp('PropertyIsEqualTo', 'name', 'NCL Poé'))).toEqual(['NCL_POE']);
    });
    it('int properties accept integer, decimal and very long literals', async () => {
      const counts = await db.store.query<{ code: string; n: number }>('SELECT s.code, count(d.id)::int AS n FROM station s LEFT JOIN dataset d ON d.station_id = s.id GROUP BY s.code');
      const byCount = (p: (n: number) => boolean) => counts.rows.filter((r) => p(r.n)).map((r) => r.code).sort();
      expect(await run(cmp('PropertyIsGreaterThanOrEqualTo', 'datasetCount', '2'))).toEqual(byCount((n) => n >= 2));
      expect(await run(cmp('PropertyIsLessThan', 'datasetCount', '1.5'))).toEqual(byCount((n) => n < 1.5));
      expect(await run(cmp('PropertyIsLessThan', 'datasetCount', '99999999999999999999999'))).toHaveLength(30);
    });
    it('boolean properties take true/false/1/0', async () => {
      const withData = await db.store.query<{ code: string }>('SELECT s.code FROM station s WHERE EXISTS (SELECT 1 FROM dataset d WHERE d.station_id = s.id AND d.obs_count > 0) ORDER BY 1');
      expect(await run(cmp('PropertyIsEqualTo', 'hasData', 'true'))).toEqual(withData.rows.map((r) => r.code));
      expect(await run(cmp('PropertyIsEqualTo', 'hasData', '1'))).toEqual(withData.rows.map((r) => r.code));
    });
    it('@gml:id compares with the Type.id form', async () => {
      expect(await run(cmp('PropertyIsEqualTo', '@gml:id', 'Station.FJI_SUVA'))).toEqual(['FJI_SUVA']);
      expect(await run(cmp('PropertyIsEqualTo', '@gml:id', 'FJI_SUVA'))).toEqual([]);
    });
    it('two ValueReferences compare with each other', async () => {
      const f = fes('<fes:PropertyIsEqualTo><fes:ValueReference>firstObservation</fes:ValueReference><fes:ValueReference>firstObservation</fes:ValueReference></fes:PropertyIsEqualTo>');
      expect((await run(f)).length).toBeGreaterThan(0);
    });
  });

  it('numbers PostgreSQL numeric input would overflow on compare as doubles, not as a SQL error', async () => {
    for (const ref of ['depth', 'datasetCount']) {
      for (const lit of ['1e-20000', '0.' + '1'.repeat(20000), '1e300', '-0', '123456789012345678901234567890']) {
        const got = await run(cmp('PropertyIsGreaterThan', ref, lit));
        expect(Array.isArray(got)).toBe(true);
      }
    }
    // On an int property, 1e-20000 is a (tiny) positive double: every station with a dataset is above it.
    expect(await run(cmp('PropertyIsGreaterThan', 'datasetCount', '1e-20000'))).toHaveLength(30);
    expect(await run(cmp('PropertyIsGreaterThan', 'depth', '1e-20000'))).toEqual(withDepth((d) => d > 0));
  });

  describe('PropertyIsLike', () => {
    const like = (ref: string, pattern: string, attrs = 'wildCard="*" singleChar="?" escapeChar="\\"') =>
      fes(`<fes:PropertyIsLike ${attrs}><fes:ValueReference>${ref}</fes:ValueReference><fes:Literal>${pattern}</fes:Literal></fes:PropertyIsLike>`);
    it('wildCard and singleChar (conformance suite form)', async () => {
      expect(await run(like('name', 'NCL*'))).toEqual(expectedCodes((s) => s.name.startsWith('NCL')));
      expect(await run(like('name', 'FJI Suv? *'))).toEqual(['FJI_SUVA']);
    });
    it('SQL wildcards in the pattern are literal characters', async () => {
      expect(await run(like('name', '%'))).toEqual([]);
      expect(await run(like('name', '*%*'))).toEqual([]);
      expect(await run(like('@gml:id', 'Station.NCL_A*'))).toEqual(['NCL_AMEDEE']);
      expect(await run(like('@gml:id', 'Station.NCL?A*'))).toEqual(['NCL_AMEDEE']);
    });
    it('the escape character makes the wildcard literal', async () => {
      expect(await run(like('name', 'NCL\\*'))).toEqual([]);
      expect(await run(like('@gml:id', 'Station.NCL!?AMEDEE', 'wildCard="*" singleChar="?" escapeChar="!"'))).toEqual([]);
    });
    it('OWSLib-style % and _ wildcards', async () => {
      expect(await run(like('name', 'FJI%', 'wildCard="%" singleChar="_" escapeChar="\\"'))).toEqual(expectedCodes((s) => s.name.startsWith('FJI')));
    });
    it('matchCase="false" uses ILIKE', async () => {
      expect(await run(like('name', 'ncl*', 'wildCard="*" singleChar="?" escapeChar="\\" matchCase="false"'))).toEqual(expectedCodes((s) => s.name.startsWith('NCL')));
    });
    it('likePattern translation', () => {
      expect(likePattern('a*b?c!*d%e_f\\', '*', '?', '!')).toBe('a%b_c*d\\%e\\_f\\\\');
    });
  });

  describe('null, between, logic', () => {
    it('PropertyIsNull selects the NULL depth (written as an absent element)', async () => {
      expect(await run(fes('<fes:PropertyIsNull><fes:ValueReference>depth</fes:ValueReference></fes:PropertyIsNull>'))).toEqual([NULL_DEPTH]);
      expect(await run(fes('<fes:Not><fes:PropertyIsNull><fes:ValueReference>depth</fes:ValueReference></fes:PropertyIsNull></fes:Not>'))).toEqual(codesOf(stations).filter((c) => c !== NULL_DEPTH));
    });
    it('PropertyIsNil selects nothing (no value is ever written as xsi:nil) but still checks the property', async () => {
      expect(await run(fes('<fes:PropertyIsNil><fes:ValueReference>depth</fes:ValueReference></fes:PropertyIsNil>'))).toEqual([]);
      expect(() => compileFilter(fes('<fes:PropertyIsNil><fes:ValueReference>nope</fes:ValueReference></fes:PropertyIsNil>'), STATION, new SqlParams())).toThrow(OwsError);
    });
    it('PropertyIsBetween is inclusive', async () => {
      const f = fes('<fes:PropertyIsBetween><fes:ValueReference>depth</fes:ValueReference><fes:LowerBoundary><fes:Literal>6</fes:Literal></fes:LowerBoundary><fes:UpperBoundary><fes:Literal>9</fes:Literal></fes:UpperBoundary></fes:PropertyIsBetween>');
      expect(await run(f)).toEqual(withDepth((d) => d >= 6 && d <= 9));
    });
    it('And, Or, and Not (a NULL counts as false, so Not selects it)', async () => {
      const lt10 = '<fes:PropertyIsLessThan><fes:ValueReference>depth</fes:ValueReference><fes:Literal>10</fes:Literal></fes:PropertyIsLessThan>';
      const fji = '<fes:PropertyIsEqualTo><fes:ValueReference>country</fes:ValueReference><fes:Literal>FJI</fes:Literal></fes:PropertyIsEqualTo>';
      expect(await run(fes(`<fes:And>${lt10}${fji}</fes:And>`))).toEqual(expectedCodes((s) => s.code !== NULL_DEPTH && s.depth < 10 && s.country === 'FJI'));
      expect(await run(fes(`<fes:Or>${lt10}${fji}</fes:Or>`))).toEqual(expectedCodes((s) => (s.code !== NULL_DEPTH && s.depth < 10) || s.country === 'FJI'));
      const not = await run(fes(`<fes:Not>${lt10}</fes:Not>`));
      expect(not).toEqual(expectedCodes((s) => s.code === NULL_DEPTH || !(s.depth < 10)));
      expect(not).toContain(NULL_DEPTH);
    });
  });

  describe('ResourceId', () => {
    it('selects the ids of this type; unknown ids and ids of other types select nothing', async () => {
      const f = fes('<fes:ResourceId rid="Station.NCL_AMEDEE"/><fes:ResourceId rid="Station.FJI_SUVA"/><fes:ResourceId rid="Dataset.NCL_AMEDEE"/><fes:ResourceId rid="Station.NOPE"/>');
      expect(await run(f)).toEqual(['FJI_SUVA', 'NCL_AMEDEE']);
      expect(await run(fes('<fes:ResourceId rid="Dataset.X"/>'))).toEqual([]);
    });
    it('Filter 1.1 GmlObjectId / FeatureId compile the same way', async () => {
      const f = parseFilter110(parseXml('<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml"><ogc:GmlObjectId gml:id="Station.WLF_WALLIS"/><ogc:FeatureId fid="Station.WSM_APIA"/></ogc:Filter>'));
      expect(await run(f)).toEqual(['WLF_WALLIS', 'WSM_APIA']);
    });
    it('resourceIdsFor splits by type prefix', () => {
      expect(resourceIdsFor(STATION, ['Station.A', 'Dataset.B', 'A', 'Station.'])).toEqual({ own: ['A'], foreign: ['Dataset.B', 'A', 'Station.'] });
    });
  });

  describe('spatial', () => {
    const inBox = (w: number, s: number, e: number, n: number) => expectedCodes((x) => x.lat >= s && x.lat <= n && (w <= e ? x.lon >= w && x.lon <= e : x.lon >= w || x.lon <= e));
    it('KVP BBOX across the antimeridian finds 179.33E and 176.17W but no NCL station', async () => {
      const got = await run(parseBboxKvp('-20,179,-10,-176,urn:ogc:def:crs:EPSG::4326', DEFAULT_CRS));
      expect(got).toEqual(inBox(179, -20, -176, -10));
      expect(got).toEqual(expect.arrayContaining(['FJI_SAVUSAVU', 'WLF_WALLIS']));
      expect(got.some((c) => c.startsWith('NCL'))).toBe(false);
    });
    it('the same box written 179..184 (past 180) gives the same stations', async () => {
      expect(await run(parseBboxKvp('179,-20,184,-10,EPSG:4326', DEFAULT_CRS))).toEqual(inBox(179, -20, -176, -10));
    });
    it('an invalid polygon (bow-tie, and a hole outside its shell) is repaired, not a GEOS error', async () => {
      // lat/lon order (urn 4326): the bow-tie crosses itself around New Caledonia.
      const bowTie = `<gml:Polygon srsName="urn:ogc:def:crs:EPSG::4326"><gml:exterior><gml:LinearRing><gml:posList>-23 163 -19 169 -23 169 -19 163 -23 163</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>`;
      const holeOutside = `<gml:Polygon srsName="urn:ogc:def:crs:EPSG::4326"><gml:exterior><gml:LinearRing><gml:posList>-23 163 -19 163 -19 169 -23 169 -23 163</gml:posList></gml:LinearRing></gml:exterior><gml:interior><gml:LinearRing><gml:posList>-30 150 -29 150 -29 151 -30 151 -30 150</gml:posList></gml:LinearRing></gml:interior></gml:Polygon>`;
      // These two make GEOS 3.11 (Debian's PostGIS 3.3) raise "side location conflict" unrepaired.
      const holeAcross = `<gml:Polygon srsName="urn:ogc:def:crs:EPSG::4326"><gml:exterior><gml:LinearRing><gml:posList>-23 163 -19 163 -19 169 -23 169 -23 163</gml:posList></gml:LinearRing></gml:exterior><gml:interior><gml:LinearRing><gml:posList>-21 168 -18 168 -18 170 -21 170 -21 168</gml:posList></gml:LinearRing></gml:interior></gml:Polygon>`;
      const overlappingParts = `<gml:MultiSurface srsName="urn:ogc:def:crs:EPSG::4326"><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>-23 163 -19 163 -19 169 -23 169 -23 163</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>-22 165 -18 165 -18 170 -22 170 -22 165</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface>`;
      for (const op of ['Overlaps', 'Touches', 'Intersects', 'Within', 'Crosses']) {
        for (const g of [bowTie, holeOutside, holeAcross, overlappingParts]) {
          const got = await run(fes(`<fes:${op}><fes:ValueReference>geom</fes:ValueReference>${g}</fes:${op}>`));
          expect(Array.isArray(got)).toBe(true);
        }
      }
      // The repaired box still selects the New Caledonia stations inside it.
      const inside = await run(fes(`<fes:Intersects><fes:ValueReference>geom</fes:ValueReference>${holeOutside}</fes:Intersects>`));
      expect(inside).toEqual(inBox(163, -23, 169, -19));
    });
    it('QGIS whole-world probe selects everything', async () => {
      expect(await run(parseBboxKvp('-90,-180,90,180,urn:ogc:def:crs:EPSG::4326', DEFAULT_CRS))).toHaveLength(30);
    });
    it('the same New Caledonia box in urn 4326 (lat/lon), EPSG:4326, CRS:84 and EPSG:3857', async () => {
      const expected = inBox(163, -23, 169, -19);
      expect(expected.length).toBeGreaterThan(5);
      expect(await run(parseBboxKvp('-23,163,-19,169,urn:ogc:def:crs:EPSG::4326', DEFAULT_CRS))).toEqual(expected);
      expect(await run(parseBboxKvp('163,-23,169,-19,EPSG:4326', DEFAULT_CRS))).toEqual(expected);
      expect(await run(fes(`<fes:BBOX>${envelope('CRS:84', '163 -23', '169 -19')}</fes:BBOX>`))).toEqual(expected);
      const R = 6378137;
      const x = (lon: number) => (R * lon * Math.PI) / 180;
      const y = (lat: number) => R * Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
      expect(await run(parseBboxKvp(`${x(163)},${y(-23)},${x(169)},${y(-19)},EPSG:3857`, DEFAULT_CRS))).toEqual(expected);
    });
    it('an EPSG:3163 (Lambert New Caledonia) box around Nouméa', async () => {
      const got = await run(parseBboxKvp('430000,180000,470000,240000,urn:ogc:def:crs:EPSG::3163', DEFAULT_CRS));
      expect(got).toEqual(expect.arrayContaining(['NCL_AMEDEE', 'NCL_CITRONS']));
      expect(got.every((c) => c.startsWith('NCL'))).toBe(true);
    });
    it('GDAL-style BBOX with a ValueReference, and BBOX on a non-geometry property is refused', async () => {
      expect(await run(fes(`<fes:BBOX><fes:ValueReference>reef:geom</fes:ValueReference>${envelope('urn:ogc:def:crs:EPSG::4326', '-23 163', '-19 169')}</fes:BBOX>`))).toEqual(inBox(163, -23, 169, -19));
      const e = owsErrorOf(() => compileFilter(fes(`<fes:BBOX><fes:ValueReference>depth</fes:ValueReference>${envelope('EPSG:4326', '163 -23', '169 -19')}</fes:BBOX>`), STATION, new SqlParams()));
      expect([e.code, e.locator]).toEqual(['InvalidParameterValue', 'filter']);
    });
    const ncl = '<gml:Polygon gml:id="p" srsName="urn:ogc:def:crs:EPSG::4326"><gml:exterior><gml:LinearRing><gml:posList>-23 163 -23 169 -19 169 -19 163 -23 163</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>';
    it('Intersects, Within, Disjoint with a polygon', async () => {
      const expected = inBox(163, -23, 169, -19);
      expect(await run(fes(`<fes:Intersects><fes:ValueReference>geom</fes:ValueReference>${ncl}</fes:Intersects>`))).toEqual(expected);
      expect(await run(fes(`<fes:Within><fes:ValueReference>geom</fes:ValueReference>${ncl}</fes:Within>`))).toEqual(expected);
      expect(await run(fes(`<fes:Disjoint><fes:ValueReference>geom</fes:ValueReference>${ncl}</fes:Disjoint>`))).toEqual(codesOf(stations).filter((c) => !expected.includes(c)));
    });
    it('Contains and Equals with the exact point of a station; Touches with a polygon vertex on it', async () => {
      const amedee = stations.find((s) => s.code === 'NCL_AMEDEE')!;
      const pt = `<gml:Point gml:id="p" srsName="EPSG:4326"><gml:pos>${amedee.lon} ${amedee.lat}</gml:pos></gml:Point>`;
      expect(await run(fes(`<fes:Contains><fes:ValueReference>geom</fes:ValueReference>${pt}</fes:Contains>`))).toEqual(['NCL_AMEDEE']);
      expect(await run(fes(`<fes:Equals><fes:ValueReference>geom</fes:ValueReference>${pt}</fes:Equals>`))).toEqual(['NCL_AMEDEE']);
      const tri = `<gml:Polygon gml:id="t" srsName="EPSG:4326"><gml:exterior><gml:LinearRing><gml:posList>${amedee.lon} ${amedee.lat} ${amedee.lon + 0.01} ${amedee.lat - 0.01} ${amedee.lon - 0.01} ${amedee.lat - 0.01} ${amedee.lon} ${amedee.lat}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>`;
      expect(await run(fes(`<fes:Touches><fes:ValueReference>geom</fes:ValueReference>${tri}</fes:Touches>`))).toEqual(['NCL_AMEDEE']);
    });
    it('Crosses and Overlaps are never true for points against a polygon (and do not fail)', async () => {
      expect(await run(fes(`<fes:Crosses><fes:ValueReference>geom</fes:ValueReference>${ncl}</fes:Crosses>`))).toEqual([]);
      expect(await run(fes(`<fes:Overlaps><fes:ValueReference>geom</fes:ValueReference>${ncl}</fes:Overlaps>`))).toEqual([]);
    });
    it('DWithin and Beyond in metres and km measure on the spheroid, also across 180°', async () => {
      const suva = stations.find((s) => s.code === 'FJI_SAVUSAVU')!;
      const pt = `<gml:Point gml:id="p" srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>${suva.lat} ${suva.lon}</gml:pos></gml:Point>`;
      const radius = 800_000;
      const near = expectedCodes((s) => distanceM(suva.lat, suva.lon, s.lat, s.lon) <= radius);
      // The oracle must not depend on sphere vs spheroid: nothing within 2% of the radius.
      expect(stations.every((s) => Math.abs(distanceM(suva.lat, suva.lon, s.lat, s.lon) - radius) > radius * 0.02)).toBe(true);
      expect(near).toEqual(expect.arrayContaining(['FJI_SAVUSAVU', 'WLF_FUTUNA']));
      expect(await run(fes(`<fes:DWithin><fes:ValueReference>geom</fes:ValueReference>${pt}<fes:Distance uom="m">${radius}</fes:Distance></fes:DWithin>`))).toEqual(near);
      expect(await run(fes(`<fes:DWithin><fes:ValueReference>geom</fes:ValueReference>${pt}<fes:Distance uom="km">${radius / 1000}</fes:Distance></fes:DWithin>`))).toEqual(near);
      expect(await run(fes(`<fes:Beyond><fes:ValueReference>geom</fes:ValueReference>${pt}<fes:Distance uom="urn:ogc:def:uom:EPSG::9001">${radius}</fes:Distance></fes:Beyond>`))).toEqual(codesOf(stations).filter((c) => !near.includes(c)));
    });
    it('an unknown distance unit is InvalidParameterValue', () => {
      const f = fes('<fes:DWithin><fes:ValueReference>geom</fes:ValueReference><gml:Point gml:id="p"><gml:pos>0 0</gml:pos></gml:Point><fes:Distance uom="furlong">1</fes:Distance></fes:DWithin>');
      expect(owsErrorOf(() => compileFilter(f, STATION, new SqlParams())).code).toBe('InvalidParameterValue');
    });
    it('WFS 1.0 gml:Box BBOX', async () => {
      const f = parseFilter110(parseXml('<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml"><ogc:BBOX><ogc:PropertyName>geom</ogc:PropertyName><gml:Box srsName="EPSG:4326"><gml:coordinates>163,-23 169,-19</gml:coordinates></gml:Box></ogc:BBOX></ogc:Filter>'), '1.0.0');
      expect(await run(f)).toEqual(inBox(163, -23, 169, -19));
    });
  });

  describe('temporal', () => {
    const firstObs = async (where: string, values: unknown[]) =>
      (await db.store.query<{ code: string }>(`SELECT code FROM (SELECT s.code, (SELECT min(d.time_start) FROM dataset d WHERE d.station_id = s.id) AS t FROM station s) x WHERE ${where} ORDER BY code`, values)).rows.map((r) => r.code);
    const instant = (t: string) => `<gml:TimeInstant gml:id="i"><gml:timePosition>${t}</gml:timePosition></gml:TimeInstant>`;
    const period = (b: string, e: string) => `<gml:TimePeriod gml:id="p"><gml:begin><gml:TimeInstant gml:id="b"><gml:timePosition>${b}</gml:timePosition></gml:TimeInstant></gml:begin><gml:end><gml:TimeInstant gml:id="e"><gml:timePosition>${e}</gml:timePosition></gml:TimeInstant></gml:end></gml:TimePeriod>`;
    const op = (name: string, time: string) => fes(`<fes:${name}><fes:ValueReference>reef:firstObservation</fes:ValueReference>${time}</fes:${name}>`);
    it('After and Before an instant (with a time-zone offset)', async () => {
      const after = await run(op('After', instant('2024-03-01T10:00:00+10:00')));
      expect(after).toEqual(await firstObs('t > $1::timestamptz', ['2024-03-01T00:00:00Z']));
      expect(after.length).toBeGreaterThan(0);
      expect(await run(op('Before', instant('2024-02-01T00:00:00Z')))).toEqual(await firstObs('t < $1::timestamptz', ['2024-02-01T00:00:00Z']));
    });
    it('After and Before a period use its end and begin', async () => {
      expect(await run(op('After', period('2024-01-01T00:00:00Z', '2024-03-01T00:00:00Z')))).toEqual(await firstObs('t > $1::timestamptz', ['2024-03-01T00:00:00Z']));
      expect(await run(op('Before', period('2024-02-01T00:00:00Z', '2024-03-01T00:00:00Z')))).toEqual(await firstObs('t < $1::timestamptz', ['2024-02-01T00:00:00Z']));
    });
    it('During a period and TEquals an instant', async () => {
      const during = await run(op('During', period('2024-01-10T00:00:00Z', '2024-02-10T00:00:00Z')));
      expect(during).toEqual(await firstObs('t > $1::timestamptz AND t < $2::timestamptz', ['2024-01-10T00:00:00Z', '2024-02-10T00:00:00Z']));
      expect(during.length).toBeGreaterThan(0);
      const t = (await db.store.query<{ t: Date }>("SELECT min(d.time_start) AS t FROM dataset d JOIN station s ON s.id = d.station_id WHERE s.code = 'NCL_AMEDEE'")).rows[0].t;
      expect(await run(op('TEquals', instant(t.toISOString())))).toEqual(await firstObs('t = $1::timestamptz', [t.toISOString()]));
    });
    it('a temporal operator on a non-time property is InvalidParameterValue', () => {
      const f = fes(`<fes:After><fes:ValueReference>depth</fes:ValueReference>${instant('2024-01-01T00:00:00Z')}</fes:After>`);
      expect(owsErrorOf(() => compileFilter(f, STATION, new SqlParams())).code).toBe('InvalidParameterValue');
    });
    it('comparison operators work on dateTime properties too (typed as timestamptz)', async () => {
      expect(await run(cmp('PropertyIsGreaterThanOrEqualTo', 'firstObservation', '2024-04-01T00:00:00Z'))).toEqual(await firstObs('t >= $1::timestamptz', ['2024-04-01T00:00:00Z']));
    });
  });

  describe('errors are raised before any SQL runs', () => {
    const compile = (f: Filter) => compileFilter(f, STATION, new SqlParams());
    it.each([
      ['unknown property', cmp('PropertyIsEqualTo', 'nope', '1'), 'InvalidParameterValue'],
      ['property of another type', cmp('PropertyIsEqualTo', 'reef:Dataset/reef:depth', '1'), 'InvalidParameterValue'],
      ['XPath predicate', cmp('PropertyIsEqualTo', 'depth[1]', '1'), 'InvalidParameterValue'],
      ['non-queryable property', cmp('PropertyIsEqualTo', 'observedProperties', 'x'), 'InvalidParameterValue'],
      ['comparison on the geometry', cmp('PropertyIsEqualTo', 'geom', 'x'), 'InvalidParameterValue'],
      ['text vs a double', cmp('PropertyIsEqualTo', 'depth', 'abc'), 'OperationProcessingFailed'],
      ['NaN vs a double', cmp('PropertyIsEqualTo', 'depth', 'NaN'), 'OperationProcessingFailed'],
      ['1e400 vs a double', cmp('PropertyIsEqualTo', 'depth', '1e400'), 'OperationProcessingFailed'],
      ['text vs an int', cmp('PropertyIsEqualTo', 'datasetCount', '1,5'), 'OperationProcessingFailed'],
      ['bad boolean', cmp('PropertyIsEqualTo', 'hasData', 'yes'), 'OperationProcessingFailed'],
      ['bad time', cmp('PropertyIsEqualTo', 'firstObservation', '2024-13-01'), 'OperationProcessingFailed'],
      ['year 0 time', cmp('PropertyIsEqualTo', 'firstObservation', '0000-01-01T00:00:00Z'), 'OperationProcessingFailed'],
      ['NUL in a string', { op: 'PropertyIsEqualTo', left: { kind: 'ref', path: 'name' }, right: { kind: 'literal', value: 'a\u0000b' }, matchCase: true, matchAction: 'Any' }, 'InvalidParameterValue'],
    ] as Array<[string, Filter, string]>)('%s', (_n, f, code) => {
      const e = owsErrorOf(() => compile(f));
      expect(e.code).toBe(code);
      expect(e.locator).toBe('filter');
    });
    it('values never appear in the SQL text', () => {
      const params = new SqlParams();
      const hostile = "x'); DROP TABLE station; --";
      const sql = compileFilter(cmp('PropertyIsEqualTo', 'name', hostile), STATION, params);
      expect(sql).not.toContain('DROP');
      expect(params.values).toContain(hostile);
    });
    it('resolveValueReference gives the catalog SQL (for SORTBY/PROPERTYNAME callers) and a locator of their choosing', () => {
      expect(resolveValueReference(STATION, 'reef:Station/reef:depth')).toMatchObject({ kind: 'property', sql: 's.depth_m' });
      expect(resolveValueReference(STATION, '@gml:id')).toEqual({ kind: 'id', sql: 's.code' });
      expect(resolveValueReference(STATION, 'geom')).toMatchObject({ kind: 'geometry' });
      expect(owsErrorOf(() => resolveValueReference(STATION, 'x', 'sortBy')).locator).toBe('sortBy');
    });
    it('placeholders continue after values the caller already bound', () => {
      const params = new SqlParams(['already']);
      const sql = compileFilter(cmp('PropertyIsEqualTo', 'name', 'a'), STATION, params);
      expect(sql).toContain('$2');
      expect(params.values).toEqual(['already', 'a']);
    });
  });
});
