import { Cql2Error, parseCql2, queryablesOf } from '../../src/cql2';
import { MAX_DEPTH, MAX_LENGTH } from '../../src/cql2/ast';
import { MAX_CONDITIONS } from '../../src/cql2/toFes';
import { Filter } from '../../src/fes/ast';
import { OwsError } from '../../src/ows/errors';
import { both, cmp, cql2Error, FALSE, json, lit, notNull, P, ref, text, TRUE, TYPES } from './helpers';

const ISO = (d: string) => `${d}T00:00:00Z`;
const DAY_END = (d: string) => `${d}T23:59:59.999Z`;

describe('cql2: comparison predicates (Basic CQL2)', () => {
  it.each([
    ['=', 'PropertyIsEqualTo'],
    ['<>', 'PropertyIsNotEqualTo'],
    ['<', 'PropertyIsLessThan'],
    ['>', 'PropertyIsGreaterThan'],
    ['<=', 'PropertyIsLessThanOrEqualTo'],
    ['>=', 'PropertyIsGreaterThanOrEqualTo'],
  ] as const)('%s → %s, text and json alike', (op, fes) => {
    expect(both(`depth ${op} 8`, { op, args: [P('depth'), 8] })).toEqual(cmp(fes, 'depth', '8'));
  });

  it('a literal on the left is mirrored onto the property (10 < depth ≡ depth > 10)', () => {
    expect(both('10 < depth', { op: '<', args: [10, P('depth')] })).toEqual(cmp('PropertyIsGreaterThan', 'depth', '10'));
  });

  it('two properties compare with each other; two of different kinds are refused', () => {
    expect(both('firstObservation <= lastObservation', { op: '<=', args: [P('firstObservation'), P('lastObservation')] })).toEqual({
      op: 'PropertyIsLessThanOrEqualTo', left: ref('firstObservation'), right: ref('lastObservation'), matchCase: true, matchAction: 'Any',
    });
    expect(cql2Error(() => text('depth = name')).message).toBe("filter: cannot compare 'depth' (a number) with 'name' (a string) at position 9");
  });

  it('numbers keep their text (exact long integers, exponents, signs)', () => {
    expect(text('datasetCount > 123456789012345678901')).toEqual(cmp('PropertyIsGreaterThan', 'datasetCount', '123456789012345678901'));
    expect(text('depth >= -1.5e1')).toEqual(cmp('PropertyIsGreaterThanOrEqualTo', 'depth', '-1.5e1'));
    expect(text('depth>+.5')).toEqual(cmp('PropertyIsGreaterThan', 'depth', '+.5'));
  });

  it("strings: '' and \\' escape a quote, \\n and friends are control characters, other backslashes stay", () => {
    expect(text("name = 'O''Neil'")).toEqual(cmp('PropertyIsEqualTo', 'name', "O'Neil"));
    expect(text("name = 'O\\'Neil'")).toEqual(cmp('PropertyIsEqualTo', 'name', "O'Neil"));
    expect(text("name = 'a\\tb\\nc'")).toEqual(cmp('PropertyIsEqualTo', 'name', 'a\tb\nc'));
    expect(text("name = 'C:\\\\'")).toEqual(cmp('PropertyIsEqualTo', 'name', 'C:\\\\'));
    expect(text("name = ''")).toEqual(cmp('PropertyIsEqualTo', 'name', ''));
  });

  it('double-quoted property names, also for names that are keywords', () => {
    expect(both('"depth" > 5', { op: '>', args: [P('depth'), 5] })).toEqual(cmp('PropertyIsGreaterThan', 'depth', '5'));
    const q = new Map([['AND', { path: 'name', type: 'string' as const }]]);
    expect(parseCql2('"AND" = \'x\'', 'cql2-text', { queryables: q })).toEqual(cmp('PropertyIsEqualTo', 'name', 'x'));
  });

  it('keywords are case-insensitive; two-character operators may be spaced (the BNF writes them as two tokens)', () => {
    expect(text("depth between 1 and 2 and name like 'N%' or not depth is null")).toEqual(text("depth BETWEEN 1 AND 2 AND name LIKE 'N%' OR NOT depth IS NULL"));
    expect(text('depth < > 5')).toEqual(text('depth <> 5'));
    expect(text('depth > = 5')).toEqual(text('depth >= 5'));
  });

  it('boolean literals: compared with a boolean property, or alone as the filter', () => {
    expect(both('hasData = TRUE', { op: '=', args: [P('hasData'), true] }, 'TestStation')).toEqual(cmp('PropertyIsEqualTo', 'hasData', 'true'));
    expect(both('TRUE', true)).toEqual(TRUE);
    expect(both('false', false)).toEqual(FALSE);
    expect(both('NOT FALSE AND depth > 1', { op: 'and', args: [{ op: 'not', args: [false] }, { op: '>', args: [P('depth'), 1] }] })).toEqual(cmp('PropertyIsGreaterThan', 'depth', '1'));
  });

  it('literals must fit the property type (CQL2 wants both sides of one type); strings take anything', () => {
    expect(cql2Error(() => text("depth = 'abc'")).message).toBe("filter: 'depth' is a number; 'abc' is not at position 9");
    expect(cql2Error(() => text("hasData = 'yes'", 'TestStation')).message).toMatch(/'hasData' is a boolean/);
    expect(cql2Error(() => json({ op: '=', args: [P('depth'), true] })).message).toBe("filter: 'depth' is a number; true is not at /args/1");
    expect(text('stationId = 5')).toEqual(cmp('PropertyIsEqualTo', 'stationId', '5'));
  });

  it('timestamps: TIMESTAMP(), or a quoted timestamp against a time property, normalised to UTC', () => {
    const expected = cmp('PropertyIsGreaterThan', 'time', '2024-03-01T00:00:00Z');
    expect(both("time > TIMESTAMP('2024-03-01T10:00:00+10:00')", { op: '>', args: [P('time'), { timestamp: '2024-03-01T10:00:00+10:00' }] }, 'Observation')).toEqual(expected);
    expect(text("time > '2024-03-01T00:00:00Z'", 'Observation')).toEqual(expected);
    expect(cql2Error(() => text("time > 'yesterday'", 'Observation')).message).toMatch(/'time' is a timestamp; 'yesterday' is not at position 8, expected TIMESTAMP/);
  });

  it('a DATE against a timestamp property compares its UTC day (the day granularity CQL2 gives dates)', () => {
    const d = '2024-01-01';
    const on = (op: string) => text(`firstObservation ${op} DATE('${d}')`);
    expect(on('=')).toEqual({ op: 'And', args: [cmp('PropertyIsGreaterThanOrEqualTo', 'firstObservation', ISO(d)), cmp('PropertyIsLessThanOrEqualTo', 'firstObservation', DAY_END(d))] });
    expect(on('<>')).toEqual({ op: 'Or', args: [cmp('PropertyIsLessThan', 'firstObservation', ISO(d)), cmp('PropertyIsGreaterThan', 'firstObservation', DAY_END(d))] });
    expect(on('<')).toEqual(cmp('PropertyIsLessThan', 'firstObservation', ISO(d)));
    expect(on('<=')).toEqual(cmp('PropertyIsLessThanOrEqualTo', 'firstObservation', DAY_END(d)));
    expect(on('>')).toEqual(cmp('PropertyIsGreaterThan', 'firstObservation', DAY_END(d)));
    expect(on('>=')).toEqual(cmp('PropertyIsGreaterThanOrEqualTo', 'firstObservation', ISO(d)));
    expect(json({ op: '=', args: [P('firstObservation'), { date: d }] })).toEqual(on('='));
    expect(text(`firstObservation = '${d}'`)).toEqual(on('='));
  });

  it('a date or timestamp against a property that is not a time is refused', () => {
    expect(cql2Error(() => text("depth > DATE('2024-01-01')")).message).toBe("filter: 'depth' is a number, not a timestamp at position 9");
  });

  it('two literals are compared here (numbers as numbers, dates by day), not sent to SQL as text', () => {
    expect(text('10 > 9')).toEqual(TRUE);
    expect(text("'10' > '9'")).toEqual(FALSE);
    expect(text("CASEI('ABC') = 'abc'")).toEqual(TRUE);
    expect(text("DATE('2024-01-01') = TIMESTAMP('2024-01-01T10:00:00Z')")).toEqual(TRUE);
    expect(text("TIMESTAMP('2024-01-01T10:00:00Z') < TIMESTAMP('2024-01-01T10:00:01Z')")).toEqual(TRUE);
    expect(cql2Error(() => text("1 = 'a'")).message).toBe('filter: cannot compare a number with a string at position 5');
  });

  it('CASEI on either side makes the comparison case-insensitive (FES matchCase="false")', () => {
    const expected = cmp('PropertyIsEqualTo', 'name', 'ncl phare amédée', false);
    expect(both("CASEI(name) = CASEI('ncl phare amédée')", { op: '=', args: [{ op: 'casei', args: [P('name')] }, { op: 'casei', args: ['ncl phare amédée'] }] })).toEqual(expected);
    expect(text("CASEI(name) = 'ncl phare amédée'")).toEqual(expected);
    expect(cql2Error(() => text('CASEI(depth) = 5')).message).toBe('filter: CASEI takes a string or a string property at position 1');
  });
});

describe('cql2: AND, OR, NOT and IS NULL', () => {
  const lt10 = cmp('PropertyIsLessThan', 'depth', '10');
  const fji = cmp('PropertyIsEqualTo', 'country', 'FJI');

  it('AND binds tighter than OR; nested ANDs flatten', () => {
    expect(text("depth < 10 OR country = 'FJI' AND depth < 10")).toEqual({ op: 'Or', args: [lt10, { op: 'And', args: [fji, lt10] }] });
    expect(both("depth < 10 AND (country = 'FJI' AND depth < 10)", { op: 'and', args: [{ op: '<', args: [P('depth'), 10] }, { op: 'and', args: [{ op: '=', args: [P('country'), 'FJI'] }, { op: '<', args: [P('depth'), 10] }] }] })).toEqual({
      op: 'And', args: [lt10, fji, lt10],
    });
  });

  it('NOT is pushed down to the predicates: comparisons invert, AND/OR swap (De Morgan), NOT NOT cancels', () => {
    expect(text('NOT depth < 10')).toEqual(cmp('PropertyIsGreaterThanOrEqualTo', 'depth', '10'));
    expect(both("NOT (depth < 10 OR country = 'FJI')", { op: 'not', args: [{ op: 'or', args: [{ op: '<', args: [P('depth'), 10] }, { op: '=', args: [P('country'), 'FJI'] }] }] })).toEqual({
      op: 'And', args: [cmp('PropertyIsGreaterThanOrEqualTo', 'depth', '10'), cmp('PropertyIsNotEqualTo', 'country', 'FJI')],
    });
    expect(text('NOT NOT depth < 10')).toEqual(lt10);
  });

  it('IS NULL, IS NOT NULL and NOT … IS NULL', () => {
    const isNull: Filter = { op: 'PropertyIsNull', ref: ref('depth') };
    expect(both('depth IS NULL', { op: 'isNull', args: [P('depth')] })).toEqual(isNull);
    expect(both('depth IS NOT NULL', { op: 'not', args: [{ op: 'isNull', args: [P('depth')] }] })).toEqual({ op: 'Not', arg: isNull });
    expect(text('NOT depth IS NULL')).toEqual(text('depth IS NOT NULL'));
    expect(text("'x' IS NULL")).toEqual(FALSE);
  });
});

describe('cql2: LIKE, BETWEEN, IN (Advanced Comparison Operators)', () => {
  it('LIKE takes % and _ as wildcards and \\ as escape', () => {
    expect(both("name LIKE 'NCL%'", { op: 'like', args: [P('name'), 'NCL%'] })).toEqual({
      op: 'PropertyIsLike', ref: ref('name'), pattern: 'NCL%', wildCard: '%', singleChar: '_', escapeChar: '\\', matchCase: true,
    });
    expect((text("name LIKE '100\\%'") as { pattern: string }).pattern).toBe('100\\%');
    expect(cql2Error(() => text("'x' LIKE 'x'")).message).toBe('filter: LIKE needs a property on its left at position 1');
    expect(cql2Error(() => text('name LIKE 5')).message).toMatch(/LIKE needs a pattern string .* at position 11$/);
  });

  it('CASEI on the property, the pattern or both gives matchCase false (standard examples 28, 86)', () => {
    for (const t of ["CASEI(name) LIKE CASEI('ncl%')", "name LIKE CASEI('ncl%')", "CASEI(name) LIKE 'ncl%'"]) {
      expect(text(t)).toMatchObject({ op: 'PropertyIsLike', matchCase: false, pattern: 'ncl%' });
    }
    expect(json({ op: 'like', args: [P('name'), { op: 'casei', args: ['ncl%'] }] })).toEqual(text("name LIKE CASEI('ncl%')"));
  });

  it('NOT LIKE: FES Not plus IS NOT NULL on a nullable property (CQL2 NOT keeps NULL unknown)', () => {
    const like = (path: string): Filter => ({ op: 'PropertyIsLike', ref: ref(path), pattern: 'IRD%', wildCard: '%', singleChar: '_', escapeChar: '\\', matchCase: true });
    expect(both("producer NOT LIKE 'IRD%'", { op: 'not', args: [{ op: 'like', args: [P('producer'), 'IRD%'] }] })).toEqual({ op: 'And', args: [{ op: 'Not', arg: like('producer') }, notNull('producer')] });
    // name is never NULL (catalogue: nullable false), so no guard.
    expect(text("name NOT LIKE 'IRD%'")).toEqual({ op: 'Not', arg: like('name') });
  });

  it('BETWEEN is FES PropertyIsBetween; NOT BETWEEN is < OR >; the JSON draft form [x, [lo, hi]] is read too', () => {
    const between: Filter = { op: 'PropertyIsBetween', ref: ref('depth'), lower: lit('6'), upper: lit('9') };
    expect(both('depth BETWEEN 6 AND 9', { op: 'between', args: [P('depth'), 6, 9] })).toEqual(between);
    expect(json({ op: 'between', args: [P('depth'), [6, 9]] })).toEqual(between);
    expect(both('depth NOT BETWEEN 6 AND 9', { op: 'not', args: [{ op: 'between', args: [P('depth'), 6, 9] }] })).toEqual({
      op: 'Or', args: [cmp('PropertyIsLessThan', 'depth', '6'), cmp('PropertyIsGreaterThan', 'depth', '9')],
    });
    expect(text('depth BETWEEN datasetCount AND 9')).toEqual({ op: 'PropertyIsBetween', ref: ref('depth'), lower: ref('datasetCount'), upper: lit('9') });
  });

  it('BETWEEN dates on a time property covers both days whole', () => {
    expect(text("firstObservation BETWEEN DATE('2024-01-01') AND DATE('2024-01-31')")).toEqual({
      op: 'And', args: [cmp('PropertyIsGreaterThanOrEqualTo', 'firstObservation', ISO('2024-01-01')), cmp('PropertyIsLessThanOrEqualTo', 'firstObservation', DAY_END('2024-01-31'))],
    });
  });

  it('IN is an OR of equalities, NOT IN an AND of inequalities; CASEI items fold case (standard example 26)', () => {
    const eq = (v: string, mc = true) => cmp('PropertyIsEqualTo', 'country', v, mc);
    expect(both("country IN ('NCL', 'FJI')", { op: 'in', args: [P('country'), ['NCL', 'FJI']] })).toEqual({ op: 'Or', args: [eq('NCL'), eq('FJI')] });
    expect(both("country NOT IN ('NCL', 'FJI')", { op: 'not', args: [{ op: 'in', args: [P('country'), ['NCL', 'FJI']] }] })).toEqual({
      op: 'And', args: [cmp('PropertyIsNotEqualTo', 'country', 'NCL'), cmp('PropertyIsNotEqualTo', 'country', 'FJI')],
    });
    expect(text("CASEI(country) IN (CASEI('ncl'), CASEI('fji'))")).toEqual({ op: 'Or', args: [eq('ncl', false), eq('fji', false)] });
    expect(text("country IN ('NCL')")).toEqual(eq('NCL'));
  });
});

describe('cql2: spatial functions', () => {
  const ncl = { type: 'Polygon', coordinates: [[[163, -23], [169, -23], [169, -19], [163, -19], [163, -23]]] };
  const nclWkt = 'POLYGON((163 -23, 169 -23, 169 -19, 163 -19, 163 -23))';

  it.each([
    ['S_INTERSECTS', 'Intersects'], ['S_EQUALS', 'Equals'], ['S_DISJOINT', 'Disjoint'], ['S_TOUCHES', 'Touches'],
    ['S_WITHIN', 'Within'], ['S_OVERLAPS', 'Overlaps'], ['S_CROSSES', 'Crosses'], ['S_CONTAINS', 'Contains'],
  ])('%s → FES %s with a CRS84 polygon', (fn, op) => {
    expect(both(`${fn}(geom, ${nclWkt})`, { op: fn.toLowerCase(), args: [P('geom'), ncl] })).toEqual({ op, ref: ref('geom'), geometry: { geojson: ncl, srid: 4326 } });
  });

  it('WKT and GeoJSON geometries of every type give the same operand (Z and a third coordinate dropped)', () => {
    const cases: Array<[string, { type: string; coordinates: unknown }]> = [
      ['POINT(166.45 -22.3)', { type: 'Point', coordinates: [166.45, -22.3] }],
      ['POINT Z (166.45 -22.3 -5)', { type: 'Point', coordinates: [166.45, -22.3, -5] }],
      ['LINESTRING(163 -23, 169 -19)', { type: 'LineString', coordinates: [[163, -23], [169, -19]] }],
      ['POLYGON((163 -23, 169 -23, 169 -19, 163 -23), (165 -22, 166 -22, 166 -21, 165 -22))', { type: 'Polygon', coordinates: [[[163, -23], [169, -23], [169, -19], [163, -23]], [[165, -22], [166, -22], [166, -21], [165, -22]]] }],
      ['MULTIPOINT((163 -23), (169 -19))', { type: 'MultiPoint', coordinates: [[163, -23], [169, -19]] }],
      ['MULTILINESTRING((163 -23, 169 -19), (170 -20, 171 -21))', { type: 'MultiLineString', coordinates: [[[163, -23], [169, -19]], [[170, -20], [171, -21]]] }],
      ['MULTIPOLYGON(((163 -23, 169 -23, 169 -19, 163 -23)), ((170 -20, 171 -20, 171 -19, 170 -20)))', { type: 'MultiPolygon', coordinates: [[[[163, -23], [169, -23], [169, -19], [163, -23]]], [[[170, -20], [171, -20], [171, -19], [170, -20]]]] }],
    ];
    for (const [wkt, geojson] of cases) {
      const f = both(`S_INTERSECTS(geom, ${wkt})`, { op: 's_intersects', args: [P('geom'), geojson] }) as { geometry: { geojson: { coordinates: unknown } } };
      // Positions are x/y only.
      expect(JSON.stringify(f.geometry.geojson.coordinates)).not.toMatch(/-5\]/);
    }
    expect(text('S_INTERSECTS(geom, MULTIPOINT(163 -23, 169 -19))')).toEqual(text('S_INTERSECTS(geom, MULTIPOINT((163 -23), (169 -19)))'));
  });

  it('BBOX (4 or 6 numbers, w s e n), ENVELOPE as its pre-2022 name, {"bbox": […]} in JSON', () => {
    const f = both('S_INTERSECTS(geom, BBOX(163, -23, 169, -19))', { op: 's_intersects', args: [P('geom'), { bbox: [163, -23, 169, -19] }] });
    expect(f).toEqual({ op: 'Intersects', ref: ref('geom'), geometry: { geojson: ncl, srid: 4326, bbox: [163, -23, 169, -19] } });
    expect(text('S_INTERSECTS(geom, BBOX(163, -23, -100, 169, -19, 100))')).toEqual(f);
    expect(text('S_INTERSECTS(geom, ENVELOPE(163, -23, 169, -19))')).toEqual(f);
  });

  it('a BBOX across the antimeridian becomes the two halves (the FES envelope rule)', () => {
    const f = text('S_INTERSECTS(geom, BBOX(179, -20, -176, -10))') as { geometry: { geojson: { type: string } } };
    expect(f.geometry.geojson.type).toBe('MultiPolygon');
  });

  it('a geometry literal first: S_WITHIN(literal, geom) ≡ S_CONTAINS(geom, literal) (standard example 46)', () => {
    expect(text(`S_WITHIN(${nclWkt}, geom)`)).toEqual(text(`S_CONTAINS(geom, ${nclWkt})`));
    expect(text(`S_EQUALS(${nclWkt}, "geom")`)).toEqual(text(`S_EQUALS(geom, ${nclWkt})`));
  });

  it('filter-crs: CRS84 by default, EPSG:4326 URIs are lat/lon and normalised to lon/lat, projected CRSs keep their SRID', () => {
    const lonLat = text('S_INTERSECTS(geom, POINT(166.45 -22.3))');
    expect(text('S_INTERSECTS(geom, POINT(-22.3 166.45))', 'Station', 'http://www.opengis.net/def/crs/EPSG/0/4326')).toEqual(lonLat);
    expect(json({ op: 's_intersects', args: [P('geom'), { type: 'Point', coordinates: [-22.3, 166.45] }] }, 'Station', 'http://www.opengis.net/def/crs/EPSG/0/4326')).toEqual(lonLat);
    expect(text('S_INTERSECTS(geom, POINT(166.45 -22.3))', 'Station', 'http://www.opengis.net/def/crs/OGC/1.3/CRS84')).toEqual(lonLat);
    expect(text('S_INTERSECTS(geom, BBOX(-23, 163, -19, 169))', 'Station', 'http://www.opengis.net/def/crs/EPSG/0/4326')).toEqual(text('S_INTERSECTS(geom, BBOX(163, -23, 169, -19))'));
    expect(text('S_INTERSECTS(geom, POINT(450000 230000))', 'Station', 'http://www.opengis.net/def/crs/EPSG/0/3163')).toMatchObject({ geometry: { srid: 3163 } });
    const e = cql2Error(() => text('S_INTERSECTS(geom, POINT(1 2))', 'Station', 'EPSG:2193'));
    expect([e.locator, e.message]).toEqual(['filter-crs', expect.stringMatching(/^filter-crs: unsupported CRS "EPSG:2193"/)]);
  });

  it('S_DWITHIN (an extension: CQL2 1.0 has no distance functions) maps onto FES DWithin; metres by default', () => {
    const f = both("S_DWITHIN(geom, POINT(178.4 -18.1), 800, 'km')", { op: 's_dwithin', args: [P('geom'), { type: 'Point', coordinates: [178.4, -18.1] }, 800, 'km'] });
    expect(f).toEqual({ op: 'DWithin', ref: ref('geom'), geometry: { geojson: { type: 'Point', coordinates: [178.4, -18.1] }, srid: 4326 }, distance: { value: 800, uom: 'km' } });
    expect(text('S_DWITHIN(geom, POINT(178.4 -18.1), 800)')).toMatchObject({ distance: { value: 800, uom: 'm' } });
  });

  it('NOT S_INTERSECTS is S_DISJOINT (and back); other negations keep NULL geometries out with a guard', () => {
    expect(text('NOT S_INTERSECTS(geom, POINT(166 -22))')).toEqual(text('S_DISJOINT(geom, POINT(166 -22))'));
    expect(text('NOT S_DISJOINT(geom, POINT(166 -22))')).toEqual(text('S_INTERSECTS(geom, POINT(166 -22))'));
    expect(text(`NOT S_WITHIN(geom, ${nclWkt})`)).toEqual({ op: 'And', args: [{ op: 'Not', arg: text(`S_WITHIN(geom, ${nclWkt})`) }, notNull('geom')] });
  });

  it.each([
    ['S_INTERSECTS(geom, POLYGON((163 -23, 169 -23, 169 -19, 163 -19)))', 'a polygon ring needs at least four positions and must be closed (first = last) at position 20'],
    ['S_INTERSECTS(geom, LINESTRING(163 -23))', 'a linestring needs at least two positions at position 20'],
    ['S_INTERSECTS(geom, POINT(-22 166))', 'Latitude 166 is outside [-90, 90] (check the axis order of http://www.opengis.net/def/crs/OGC/1.3/CRS84) at position 20'],
    ['S_INTERSECTS(geom, BBOX(163, -19, 169, -23))', "The lower corner's y (-19) is greater than the upper corner's (-23) at position 20"],
    ['S_INTERSECTS(geom, BBOX(1, 2, 3))', 'BBOX needs 4 or 6 numbers, not 3 at position 20'],
    ['S_INTERSECTS(geom, depth)', "S_INTERSECTS between two properties is not supported at position 20, expected a geometry literal (WKT, GeoJSON or BBOX)"],
    ['S_INTERSECTS(POINT(1 2), POINT(1 2))', 'S_INTERSECTS needs a geometry property as one operand at position 1'],
    ['S_INTERSECTS(depth, POINT(1 2))', "'depth' is a number, not a geometry at position 14"],
    ['S_INTERSECTS(geom, GEOMETRYCOLLECTION(POINT(1 2)))', 'GEOMETRYCOLLECTION is not supported at position 20'],
    ['S_INTERSECTS(geom, POINT EMPTY)', 'empty geometries are not supported at position 26'],
    ['S_INTERSECTS(geom, POINT(1))', "unexpected token ')' at position 27, expected a coordinate (a number)"],
    ['geom = 5', "'geom' is a geometry, which only spatial functions (S_INTERSECTS, …) take at position 1"],
  ])('%s is refused', (t, message) => {
    expect(cql2Error(() => text(t)).message).toBe(`filter: ${message}`);
  });

  it('GeoJSON errors point at the coordinate', () => {
    const e = cql2Error(() => json({ op: 's_intersects', args: [P('geom'), { type: 'LineString', coordinates: [[163, -23], [169, 'x']] }] }));
    expect([e.pointer, e.message]).toEqual(['/args/1/coordinates/1/1', "filter: unexpected string 'x' at /args/1/coordinates/1/1, expected a number"]);
    expect(cql2Error(() => json({ op: 's_intersects', args: [P('geom'), { type: 'GeometryCollection', geometries: [] }] })).pointer).toBe('/args/1/type');
    expect(cql2Error(() => json({ op: 's_intersects', args: [P('geom'), { type: 'Point', coordinates: [[1, 2]] }] })).message).toBe('filter: a position needs at least two numbers at /args/1/coordinates');
  });
});

describe('cql2: temporal functions', () => {
  const T1 = '2024-03-01T00:00:00Z';
  const T2 = '2024-03-10T00:00:00Z';
  const iv = (a: string, b: string) => ({ interval: [a, b] });
  const on = (fn: string, second: string, first = 'time') => text(`${fn}(${first}, ${second})`, 'Observation');

  it('an instant property against literal times uses the FES operators After, Before, During, TEquals', () => {
    expect(both(`T_AFTER(time, TIMESTAMP('${T1}'))`, { op: 't_after', args: [P('time'), { timestamp: T1 }] }, 'Observation')).toEqual({ op: 'After', ref: ref('time'), instant: T1 });
    expect(both(`T_BEFORE(time, TIMESTAMP('${T1}'))`, { op: 't_before', args: [P('time'), { timestamp: T1 }] }, 'Observation')).toEqual({ op: 'Before', ref: ref('time'), instant: T1 });
    expect(both(`T_DURING(time, INTERVAL('${T1}', '${T2}'))`, { op: 't_during', args: [P('time'), iv(T1, T2)] }, 'Observation')).toEqual({ op: 'During', ref: ref('time'), period: { begin: T1, end: T2 } });
    expect(both(`T_EQUALS(time, TIMESTAMP('${T1}'))`, { op: 't_equals', args: [P('time'), { timestamp: T1 }] }, 'Observation')).toEqual({ op: 'TEquals', ref: ref('time'), instant: T1 });
    expect(on('T_INTERSECTS', `TIMESTAMP('${T1}')`)).toEqual({ op: 'TEquals', ref: ref('time'), instant: T1 });
    // After/Before an interval compare with its end/begin.
    expect(on('T_AFTER', `INTERVAL('${T1}', '${T2}')`)).toEqual({ op: 'After', ref: ref('time'), instant: T2 });
    expect(on('T_BEFORE', `INTERVAL('${T1}', '${T2}')`)).toEqual({ op: 'Before', ref: ref('time'), instant: T1 });
  });

  it('T_INTERSECTS with an interval is inclusive (FES During is strict), composed from >= and <=', () => {
    expect(both(`T_INTERSECTS(time, INTERVAL('${T1}', '${T2}'))`, { op: 't_intersects', args: [P('time'), iv(T1, T2)] }, 'Observation')).toEqual({
      op: 'And', args: [cmp('PropertyIsLessThanOrEqualTo', 'time', T2), cmp('PropertyIsGreaterThanOrEqualTo', 'time', T1)],
    });
  });

  it("'..' leaves an end open: the bound drops, or the answer is known", () => {
    expect(on('T_INTERSECTS', `INTERVAL('${T1}', '..')`)).toEqual(cmp('PropertyIsGreaterThanOrEqualTo', 'time', T1));
    expect(on('T_INTERSECTS', `INTERVAL('..', '${T2}')`)).toEqual(cmp('PropertyIsLessThanOrEqualTo', 'time', T2));
    expect(on('T_INTERSECTS', "INTERVAL('..', '..')")).toEqual(TRUE); // time is never NULL
    expect(text("T_INTERSECTS(firstObservation, INTERVAL('..', '..'))")).toEqual(notNull('firstObservation'));
    expect(on('T_AFTER', `INTERVAL('${T1}', '..')`)).toEqual(FALSE);
    expect(on('T_DURING', `INTERVAL('${T1}', '..')`)).toEqual(cmp('PropertyIsGreaterThan', 'time', T1));
    expect(json({ op: 't_intersects', args: [P('time'), iv(T1, '..')] }, 'Observation')).toEqual(on('T_INTERSECTS', `INTERVAL('${T1}', '..')`));
  });

  it('T_DISJOINT is before OR after; NOT of a temporal function inverts its comparisons', () => {
    expect(on('T_DISJOINT', `INTERVAL('${T1}', '${T2}')`)).toEqual({ op: 'Or', args: [cmp('PropertyIsLessThan', 'time', T1), cmp('PropertyIsGreaterThan', 'time', T2)] });
    expect(text(`NOT T_AFTER(time, TIMESTAMP('${T1}'))`, 'Observation')).toEqual(cmp('PropertyIsLessThanOrEqualTo', 'time', T1));
    expect(text(`NOT T_INTERSECTS(time, INTERVAL('${T1}', '${T2}'))`, 'Observation')).toEqual({ op: 'Or', args: [cmp('PropertyIsGreaterThan', 'time', T2), cmp('PropertyIsLessThan', 'time', T1)] });
  });

  it('dates: an interval end that is a date covers that whole day; T_EQUALS/T_INTERSECTS with a DATE mean "on that day"', () => {
    expect(on('T_INTERSECTS', "INTERVAL('2024-03-01', '2024-03-10')")).toEqual({
      op: 'And', args: [cmp('PropertyIsLessThanOrEqualTo', 'time', DAY_END('2024-03-10')), cmp('PropertyIsGreaterThanOrEqualTo', 'time', ISO('2024-03-01'))],
    });
    expect(on('T_AFTER', "DATE('2024-03-01')")).toEqual({ op: 'After', ref: ref('time'), instant: DAY_END('2024-03-01') });
    expect(on('T_BEFORE', "DATE('2024-03-01')")).toEqual({ op: 'Before', ref: ref('time'), instant: ISO('2024-03-01') });
    expect(on('T_EQUALS', "DATE('2024-03-01')")).toEqual(text("time = DATE('2024-03-01')", 'Observation'));
    expect(on('T_INTERSECTS', "DATE('2024-03-01')")).toEqual(text("time = DATE('2024-03-01')", 'Observation'));
  });

  it('a literal first is swapped with the converse function (T_AFTER(t, p) ≡ T_BEFORE(p, t))', () => {
    expect(text(`T_AFTER(TIMESTAMP('${T1}'), time)`, 'Observation')).toEqual({ op: 'Before', ref: ref('time'), instant: T1 });
    expect(text(`T_CONTAINS(INTERVAL('${T1}', '${T2}'), time)`, 'Observation')).toEqual({ op: 'During', ref: ref('time'), period: { begin: T1, end: T2 } });
  });

  it('intervals of two properties (Dataset startTime/endTime): every CQL2 function, text and json alike', () => {
    const fns = ['T_AFTER', 'T_BEFORE', 'T_CONTAINS', 'T_DISJOINT', 'T_DURING', 'T_EQUALS', 'T_FINISHEDBY', 'T_FINISHES', 'T_INTERSECTS', 'T_MEETS', 'T_METBY', 'T_OVERLAPPEDBY', 'T_OVERLAPS', 'T_STARTEDBY', 'T_STARTS'];
    for (const fn of fns) {
      const f = both(`${fn}(INTERVAL(startTime, endTime), INTERVAL('${T1}', '${T2}'))`, { op: fn.toLowerCase(), args: [{ interval: [P('startTime'), P('endTime')] }, iv(T1, T2)] }, 'Dataset');
      expect(JSON.stringify(f)).toMatch(/startTime|endTime/);
    }
    // Standard example 22, adapted: T_DURING(INTERVAL(starts_at, ends_at), INTERVAL(…)).
    expect(text(`T_DURING(INTERVAL(startTime, endTime), INTERVAL('${T1}', '${T2}'))`, 'Dataset')).toEqual({
      op: 'And', args: [cmp('PropertyIsGreaterThan', 'startTime', T1), cmp('PropertyIsLessThan', 'endTime', T2)],
    });
    // camelCase JSON names (t_finishedBy) are read case-insensitively.
    expect(json({ op: 't_finishedBy', args: [{ interval: [P('startTime'), P('endTime')] }, iv(T1, T2)] }, 'Dataset')).toEqual(
      text(`T_FINISHEDBY(INTERVAL(startTime, endTime), INTERVAL('${T1}', '${T2}'))`, 'Dataset'),
    );
  });

  it('two property instants compare directly', () => {
    expect(text('T_BEFORE(firstObservation, lastObservation)')).toEqual({ op: 'PropertyIsLessThan', left: ref('firstObservation'), right: ref('lastObservation'), matchCase: true, matchAction: 'Any' });
  });

  it.each([
    [`T_INTERSECTS(time, INTERVAL('${T2}', '${T1}'))`, 'the interval ends before it begins at position 20'],
    [`T_AFTER(value, TIMESTAMP('${T1}'))`, "'value' is a number, not a timestamp at position 9"],
    ["T_AFTER(time, TIMESTAMP('2024-03-01T00:00:00'))", "invalid timestamp '2024-03-01T00:00:00' at position 25, expected an RFC 3339 date-time with a time zone (YYYY-MM-DDThh:mm:ssZ)"],
    ["T_AFTER(time, DATE('2024-02-30'))", "invalid date '2024-02-30' at position 20, expected YYYY-MM-DD"],
    ["T_AFTER(time, INTERVAL('2024-03-01', 'soon'))", "invalid interval end 'soon' at position 38, expected '..', a date (YYYY-MM-DD) or a timestamp (YYYY-MM-DDThh:mm:ssZ)"],
    ["time = INTERVAL('..', '..')", 'INTERVAL is only allowed in a temporal function (T_INTERSECTS, T_DURING, …) at position 8'],
  ])('%s is refused', (t, message) => {
    expect(cql2Error(() => text(t, 'Observation')).message).toBe(`filter: ${message}`);
  });
});

describe('cql2: the standard’s examples (OGC 21-065 annex), adapted to ReefGate queryables', () => {
  // Each: the standard's example number, then our cql2-text and cql2-json of it. Both must parse to the same FES filter.
  const cases: Array<[string, string, unknown, 'Station' | 'Dataset' | 'Observation' | 'TestStation']> = [
    ['01 scene_id =', "stationId = 'NCL_AMEDEE'", { op: '=', args: [P('stationId'), 'NCL_AMEDEE'] }, 'Station'],
    ['02 instrument LIKE', "name LIKE 'NCL%'", { op: 'like', args: [P('name'), 'NCL%'] }, 'Station'],
    ['03 wrs_path IN', "country IN ('NCL','FJI','WLF')", { op: 'in', args: [P('country'), ['NCL', 'FJI', 'WLF']] }, 'Station'],
    ['04 cloud_cover < AND =', "value < 25.5 AND qc=1 AND datasetId='NCL_AMEDEE_TEMP'", { op: 'and', args: [{ op: '<', args: [P('value'), 25.5] }, { op: '=', args: [P('qc'), 1] }, { op: '=', args: [P('datasetId'), 'NCL_AMEDEE_TEMP'] }] }, 'Observation'],
    ['05a OR', 'qc=1 OR qc=2', { op: 'or', args: [{ op: '=', args: [P('qc'), 1] }, { op: '=', args: [P('qc'), 2] }] }, 'Observation'],
    ['06a BETWEEN', "value BETWEEN 20 AND 25 AND qc=1 AND datasetId='NCL_AMEDEE_TEMP'", { op: 'and', args: [{ op: 'between', args: [P('value'), 20, 25] }, { op: '=', args: [P('qc'), 1] }, { op: '=', args: [P('datasetId'), 'NCL_AMEDEE_TEMP'] }] }, 'Observation'],
    ['09 floors>5', 'datasetCount>1', { op: '>', args: [P('datasetCount'), 1] }, 'Station'],
    ['11 LIKE %…%', "producer LIKE '%IRD%'", { op: 'like', args: [P('producer'), '%IRD%'] }, 'Station'],
    ['13 NOT LIKE', "producer NOT LIKE '%IRD%'", { op: 'not', args: [{ op: 'like', args: [P('producer'), '%IRD%'] }] }, 'Station'],
    ['14 = true', 'hasData = true', { op: '=', args: [P('hasData'), true] }, 'TestStation'],
    ['16 AND (OR …)', "hasData=true AND (datasetCount>1 OR name LIKE 'NCL%' OR name LIKE '%01')", { op: 'and', args: [{ op: '=', args: [P('hasData'), true] }, { op: 'or', args: [{ op: '>', args: [P('datasetCount'), 1] }, { op: 'like', args: [P('name'), 'NCL%'] }, { op: 'like', args: [P('name'), '%01'] }] }] }, 'TestStation'],
    ['18 NOT (…) OR', 'NOT (depth<5) OR hasData=true', { op: 'or', args: [{ op: 'not', args: [{ op: '<', args: [P('depth'), 5] }] }, { op: '=', args: [P('hasData'), true] }] }, 'TestStation'],
    ['20 T_BEFORE DATE', "T_BEFORE(firstObservation, DATE('2024-02-01'))", { op: 't_before', args: [P('firstObservation'), { date: '2024-02-01' }] }, 'Station'],
    ['21 T_AFTER DATE', "T_AFTER(firstObservation,DATE('2024-01-05'))", { op: 't_after', args: [P('firstObservation'), { date: '2024-01-05' }] }, 'Station'],
    ['23 S_WITHIN BBOX', 'S_WITHIN(geom,BBOX(163,-23,169,-19))', { op: 's_within', args: [P('geom'), { bbox: [163, -23, 169, -19] }] }, 'Station'],
    ['24 S_INTERSECTS POLYGON', 'S_INTERSECTS(geom,POLYGON((163 -23,169 -23,169 -19,163 -23)))', { op: 's_intersects', args: [P('geom'), { type: 'Polygon', coordinates: [[[163, -23], [169, -23], [169, -19], [163, -23]]] }] }, 'Station'],
    ['25 AND S_WITHIN', 'datasetCount>1 AND S_WITHIN(geom,BBOX(163,-23,169,-19))', { op: 'and', args: [{ op: '>', args: [P('datasetCount'), 1] }, { op: 's_within', args: [P('geom'), { bbox: [163, -23, 169, -19] }] }] }, 'Station'],
    ['29 "id" =', "\"stationId\" = 'FJI_SUVA'", { op: '=', args: [P('stationId'), 'FJI_SUVA'] }, 'Station'],
    ['36 NOT "name" LIKE', "NOT \"name\" LIKE 'NCL%'", { op: 'not', args: [{ op: 'like', args: [P('name'), 'NCL%'] }] }, 'Station'],
    ['38 NOT BETWEEN', '"depth" NOT BETWEEN 10 AND 20', { op: 'not', args: [{ op: 'between', args: [P('depth'), 10, 20] }] }, 'Station'],
    ['40 NOT IN', "NOT \"country\" IN ('NCL', 'FJI')", { op: 'not', args: [{ op: 'in', args: [P('country'), ['NCL', 'FJI']] }] }, 'Station'],
    ['44 IS NULL OR BETWEEN', '("depth" IS NULL OR "depth" BETWEEN 10 AND 20)', { op: 'or', args: [{ op: 'isNull', args: [P('depth')] }, { op: 'between', args: [P('depth'), 10, 20] }] }, 'Station'],
    ['45 BBOX with elevations', 'S_INTERSECTS("geom", BBOX(163, -23, -99999.0, 169, -19, 100000.0))', { op: 's_intersects', args: [P('geom'), { bbox: [163, -23, -99999, 169, -19, 100000] }] }, 'Station'],
    ['47 S_DISJOINT MULTIPOLYGON', 'S_DISJOINT("geom", MULTIPOLYGON (((144.02 45.17, -1.1 0.0, 180.0 47.8, 144.02 45.17))))', { op: 's_disjoint', args: [P('geom'), { type: 'MultiPolygon', coordinates: [[[[144.02, 45.17], [-1.1, 0], [180, 47.8], [144.02, 45.17]]]] }] }, 'Station'],
    ['48 S_TOUCHES MULTILINESTRING', 'S_TOUCHES("geom", MULTILINESTRING ((-1.9 -0.99999, 75.29 1.5, 179.0 -90.0),(-1.9 -1.1, 1.5 8.54)))', { op: 's_touches', args: [P('geom'), { type: 'MultiLineString', coordinates: [[[-1.9, -0.99999], [75.29, 1.5], [179, -90]], [[-1.9, -1.1], [1.5, 8.54]]] }] }, 'Station'],
    ['49 POLYGON Z', 'S_WITHIN(POLYGON Z ((-49.88 0.5 -75993.3, -1.5 -0.99999 -100000.0, 0.0 0.5 -0.3, -49.88 0.5 -75993.3)), "geom")', { op: 's_within', args: [{ type: 'Polygon', coordinates: [[[-49.88, 0.5, -75993.3], [-1.5, -0.99999, -100000], [0, 0.5, -0.3], [-49.88, 0.5, -75993.3]]] }, P('geom')] }, 'Station'],
    ['50 S_OVERLAPS BBOX', 'S_OVERLAPS("geom", BBOX(-179.9, 1.9, 180.0, 16.9))', { op: 's_overlaps', args: [P('geom'), { bbox: [-179.9, 1.9, 180, 16.9] }] }, 'Station'],
    ['51 S_CROSSES LINESTRING', 'S_CROSSES("geom", LINESTRING (172.03 1.5, 1.1 -90.0, -159.75 0.99))', { op: 's_crosses', args: [P('geom'), { type: 'LineString', coordinates: [[172.03, 1.5], [1.1, -90], [-159.75, 0.99]] }] }, 'Station'],
    ['52 S_CONTAINS POINT', 'S_CONTAINS("geom", POINT (-3.5 -1.75))', { op: 's_contains', args: [P('geom'), { type: 'Point', coordinates: [-3.5, -1.75] }] }, 'Station'],
    ['54 T_BEFORE TIMESTAMP µs', "T_BEFORE(\"time\", TIMESTAMP('2024-03-10T05:30:00.000000Z'))", { op: 't_before', args: [P('time'), { timestamp: '2024-03-10T05:30:00.000000Z' }] }, 'Observation'],
    ['56 T_DISJOINT open interval', "T_DISJOINT(INTERVAL('..', '2024-01-10T01:01:01.393216Z'), INTERVAL(startTime, endTime))", { op: 't_disjoint', args: [{ interval: ['..', '2024-01-10T01:01:01.393216Z'] }, { interval: [P('startTime'), P('endTime')] }] }, 'Dataset'],
    ['57 T_DURING dates', "T_DURING(INTERVAL(startTime, endTime), INTERVAL('2023-01-10', '2025-02-10'))", { op: 't_during', args: [{ interval: [P('startTime'), P('endTime')] }, { interval: ['2023-01-10', '2025-02-10'] }] }, 'Dataset'],
    ['58 T_EQUALS DATE', "T_EQUALS(\"firstObservation\", DATE('2024-01-01'))", { op: 't_equals', args: [P('firstObservation'), { date: '2024-01-01' }] }, 'Station'],
    ['60 T_FINISHES mixed', "T_FINISHES(INTERVAL(startTime, endTime), INTERVAL('1991-10-07', '2010-02-10T05:29:20.073225Z'))", { op: 't_finishes', args: [{ interval: [P('startTime'), P('endTime')] }, { interval: ['1991-10-07', '2010-02-10T05:29:20.073225Z'] }] }, 'Dataset'],
    ['62 T_MEETS literal first', "T_MEETS(INTERVAL('2005-01-10', '2010-02-10'), INTERVAL(startTime, endTime))", { op: 't_meets', args: [{ interval: ['2005-01-10', '2010-02-10'] }, { interval: [P('startTime'), P('endTime')] }] }, 'Dataset'],
    ['67 T_STARTS open end', "T_STARTS(INTERVAL(startTime, endTime), INTERVAL('1991-10-07T08:21:06.393262Z', '..'))", { op: 't_starts', args: [{ interval: [P('startTime'), P('endTime')] }, { interval: ['1991-10-07T08:21:06.393262Z', '..'] }] }, 'Dataset'],
    ['71 CASEI =', "CASEI(\"producer\") = CASEI('ird nouméa')", { op: '=', args: [{ op: 'casei', args: [P('producer')] }, { op: 'casei', args: ['ird nouméa'] }] }, 'Station'],
    ['83 S_EQUALS MULTIPOINT', 'S_EQUALS(MULTIPOINT ((180.0 -0.5), (179.0 -47.12)), "geom")', { op: 's_equals', args: [{ type: 'MultiPoint', coordinates: [[180, -0.5], [179, -47.12]] }, P('geom')] }, 'Station'],
  ];
  it.each(cases)('example %s', (_n, t, j, on) => {
    const f = both(t, j, on);
    expect(f.op).toBeDefined();
  });

  it('05a and 05b (OR of = and IN) give the same filter', () => {
    expect(text('qc IN (1,2)', 'Observation')).toEqual(text('qc=1 OR qc=2', 'Observation'));
  });

  it.each([
    ['clause6_01 function', 'avg(depth) > 1', "unknown function 'avg' at position 1"],
    ['clause6_02c arithmetic', 'depth-150.0 > 0', "unexpected number -150.0 at position 6, expected a comparison operator (= <> < > <= >=), LIKE, BETWEEN, IN or IS NULL"],
    ['72 arithmetic', '"depth" > ("datasetCount" + 10)', "unexpected character '+' (arithmetic is not supported) at position 27"],
    ['27 ACCENTI', "ACCENTI(name) = ACCENTI('amedee')", 'ACCENTI is not supported at position 1'],
    ['80 arrays', "A_CONTAINS(name, ('a', 'b'))", 'A_CONTAINS is not supported at position 1'],
    ['84 GEOMETRYCOLLECTION', 'S_EQUALS(GEOMETRYCOLLECTION (POINT (1.9 2.0)), "geom")', 'GEOMETRYCOLLECTION is not supported at position 10'],
  ])('%s is refused with a clear message', (_n, t, message) => {
    expect(cql2Error(() => text(t)).message).toBe(`filter: ${message}`);
  });
});

describe('cql2: errors name where the problem is', () => {
  it('the message form the OGC API front-end renders: position, expectation', () => {
    expect(cql2Error(() => text('qc <> 4 AND qc= AND', 'Observation')).message).toBe("filter: unexpected token 'AND' at position 17, expected a value");
  });

  it.each([
    ['', 'unexpected end of filter at position 1, expected a predicate', 1],
    ['depth > 5 AND AND depth < 9', "unexpected token 'AND' at position 15, expected a predicate", 15],
    ['depth > 5 5', 'unexpected number 5 at position 11, expected AND, OR or the end of the filter', 11],
    ['(depth > 5', "unexpected end of filter at position 11, expected ')', AND or OR", 11],
    ["name = 'NCL", "unterminated string at position 8, expected a closing quote (')", 8],
    ['"name = 1', 'unterminated quoted property name at position 1, expected a closing double quote (")', 1],
    ['depth # 5', "unexpected character '#' at position 7", 7],
    ['depth IS 5', 'unexpected number 5 at position 10, expected NULL or NOT NULL', 10],
    ['depth NOT 5', 'unexpected number 5 at position 11, expected LIKE, BETWEEN or IN', 11],
    ['depth BETWEEN 1 OR 2', "unexpected token 'OR' at position 17, expected AND and an upper bound", 17],
    ['country IN (1 2)', "unexpected number 2 at position 15, expected ',' or ')'", 15],
    ['nope = 1', "unknown property 'nope' at position 1, expected one of the queryables: geom, stationId, name, network, producer, country, depth, observedProperties, firstObservation, lastObservation, datasetCount", 1],
    ['DEPTH = 1', "unknown property 'DEPTH' at position 1, expected 'depth' (names are case-sensitive)", 1],
    // Not queryable in the catalogue (a link), so not a queryable here.
    ['observationsUrl = 1', "unknown property 'observationsUrl' at position 1, expected one of the queryables: geom, stationId, name, network, producer, country, depth, observedProperties, firstObservation, lastObservation, datasetCount", 1],
  ])('%j', (t, message, position) => {
    const e = cql2Error(() => text(t));
    expect(e.message).toBe(`filter: ${message}`);
    expect(e.position).toBe(position);
  });

  it('positions count characters (code points), not UTF-16 units', () => {
    expect(cql2Error(() => text("name = '😀😀' AND AND")).position).toBe(17);
  });

  it('NUL and lone surrogates in strings are refused where they are', () => {
    expect(cql2Error(() => text("depth > 1 AND name = 'a\u0000b'")).message).toBe('filter: a NUL character or an unpaired surrogate is not allowed at position 22');
    expect(cql2Error(() => json({ op: '=', args: [P('name'), '\uD800'] })).pointer).toBe('/args/1');
  });

  it('a Cql2Error is an OwsError InvalidParameterValue (400) with locator filter', () => {
    const e = cql2Error(() => text('nope = 1'));
    expect(e).toBeInstanceOf(OwsError);
    expect([e.code, e.status, e.locator, e.pointer]).toEqual(['InvalidParameterValue', 400, 'filter', undefined]);
  });

  it.each([
    [{ op: '=', args: [P('nope'), 1] }, '/args/0/property', "unknown property 'nope' at /args/0/property, expected one of the queryables: geom, stationId, name, network, producer, country, depth, observedProperties, firstObservation, lastObservation, datasetCount"],
    [{ op: 'and', args: [{ op: '=', args: [P('depth'), 1] }, { op: 'like', args: [P('name')] }] }, '/args/1/args', "operator 'like' takes 2 arguments, not 1 at /args/1/args"],
    [{ op: 'frobnicate', args: [] }, '/op', "unknown operator or function 'frobnicate' at /op"],
    [{ op: '+', args: [1, 2] }, '/op', 'arithmetic is not supported at /op'],
    [{ op: 'casei', args: ['x'] }, '/op', "'casei' is a value, not a predicate at /op"],
    [{ op: 'not', args: [{ op: '=', args: [P('depth'), null] }] }, '/args/0/args/1', 'unexpected null at /args/0/args/1, expected a value (string, number, boolean, {"property": …}, {"date": …}, {"timestamp": …})'],
    [{ op: '=', args: [P('depth'), { date: '2024-13-01' }] }, '/args/1/date', "invalid date '2024-13-01' at /args/1/date, expected YYYY-MM-DD"],
    [{ op: 't_after', args: [P('firstObservation'), { interval: ['2024-01-01'] }] }, '/args/1/interval', 'an interval needs an array of two ends at /args/1/interval'],
    [{ op: 'in', args: [P('country'), []] }, '/args/1', 'unexpected array at /args/1, expected a non-empty array of values'],
    ['"depth > 5"', '', 'unexpected string \'depth > 5\' at the top level, expected a predicate ({"op": …, "args": […]}) or a boolean'],
    [[], '', 'unexpected array at the top level, expected a predicate ({"op": …, "args": […]}) or a boolean'],
  ])('json %j → pointer %j', (doc, pointer, message) => {
    const e = cql2Error(() => json(doc));
    expect(e.pointer).toBe(pointer);
    expect(e.message).toBe(`filter: ${message}`);
  });

  it('cql2-json text that is not JSON is refused with the offset when V8 gives one', () => {
    expect(cql2Error(() => json('{"op": "=", "args": [')).message).toMatch(/^filter: invalid JSON/);
    expect(cql2Error(() => json('{"op": "=" "args": []}')).message).toMatch(/^filter: invalid JSON at character 12$/);
  });

  it('an unknown filter-lang or a non-string cql2-text is refused', () => {
    const q = { queryables: queryablesOf(TYPES.Station) };
    expect(cql2Error(() => parseCql2('x', 'cql2-xml' as 'cql2-text', q)).locator).toBe('filter-lang');
    expect(cql2Error(() => parseCql2({ op: '=' }, 'cql2-text', q)).message).toBe('filter: a cql2-text filter must be a string');
  });
});

describe('cql2: size and depth limits', () => {
  it(`nesting up to ${MAX_DEPTH} levels is read, one more is refused (parentheses, NOT, and/or, CASEI)`, () => {
    expect(text(`${'('.repeat(MAX_DEPTH)}depth > 1${')'.repeat(MAX_DEPTH)}`)).toEqual(cmp('PropertyIsGreaterThan', 'depth', '1'));
    expect(cql2Error(() => text(`${'('.repeat(MAX_DEPTH + 1)}depth > 1${')'.repeat(MAX_DEPTH + 1)}`)).message).toBe(`filter: filter nested more than ${MAX_DEPTH} levels deep at position ${MAX_DEPTH + 1}`);
    expect(cql2Error(() => text(`${'NOT '.repeat(MAX_DEPTH + 1)}depth > 1`)).message).toMatch(/nested more than/);
    expect(cql2Error(() => text(`${'CASEI('.repeat(MAX_DEPTH + 1)}name${')'.repeat(MAX_DEPTH + 1)} = 'x'`)).message).toMatch(/nested more than/);
    let doc: unknown = { op: '>', args: [P('depth'), 1] };
    for (let i = 0; i <= MAX_DEPTH; i++) doc = { op: 'not', args: [doc] };
    expect(cql2Error(() => json(doc)).message).toMatch(/nested more than/);
  });

  it('hostile depth far beyond the cap is a Cql2Error, not a stack overflow', () => {
    const n = 100_000;
    expect(cql2Error(() => text(`${'('.repeat(n)}depth > 1${')'.repeat(n)}`))).toBeInstanceOf(Cql2Error);
    expect(cql2Error(() => json(`${'{"op":"not","args":['.repeat(10_000)}true${']}'.repeat(10_000)}`))).toBeInstanceOf(Cql2Error);
    expect(cql2Error(() => json('['.repeat(n)))).toBeInstanceOf(Cql2Error);
    let deep: unknown = true;
    for (let i = 0; i < n; i++) deep = { op: 'and', args: [deep] };
    expect(cql2Error(() => json(deep))).toBeInstanceOf(Cql2Error);
  });

  it(`filters longer than ${MAX_LENGTH} characters, or of more than ${MAX_CONDITIONS} conditions, are refused`, () => {
    expect(cql2Error(() => text(`name = '${'x'.repeat(MAX_LENGTH)}'`)).message).toBe(`filter: filter longer than ${MAX_LENGTH} characters`);
    expect(cql2Error(() => json(JSON.stringify({ op: '=', args: [P('name'), 'x'.repeat(MAX_LENGTH)] }))).message).toBe(`filter: filter longer than ${MAX_LENGTH} characters`);
    const many = Array.from({ length: MAX_CONDITIONS + 1 }, (_, i) => i);
    expect(cql2Error(() => text(`qc IN (${many.join(',')})`, 'Observation')).message).toMatch(/^filter: filter too large \(more than 10000 conditions\) at position \d+$/);
    expect(cql2Error(() => json({ op: 'in', args: [P('qc'), many] }, 'Observation')).message).toMatch(/more than 10000 conditions/);
    // At the limit it still parses.
    expect((text(`qc IN (${many.slice(1).join(',')})`, 'Observation') as { args: Filter[] }).args).toHaveLength(MAX_CONDITIONS);
  });
});
