import { createTestApp, TestApp } from '../helpers/app';
import { expectSameFeatures, followPages, get, wfsGeojson } from './helpers';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const enc = encodeURIComponent;
const FES = (body: string) =>
  `<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2">${body}</fes:Filter>`;

/** Every feature of an items query, following next links. */
async function allItems(collection: string, query: string, limit = 500): Promise<any[]> {
  const pages = await followPages(t, `/ogcapi/collections/${collection}/items?limit=${limit}&${query}`);
  return pages.flatMap((p) => p.features);
}

describe('Part 3 filter (CQL2 into the FES AST)', () => {
  it('selects what the equivalent WFS FES filter selects, in cql2-text and cql2-json', async () => {
    const text = "country = 'NCL' AND depth > 5";
    const json = { op: 'and', args: [{ op: '=', args: [{ property: 'country' }, 'NCL'] }, { op: '>', args: [{ property: 'depth' }, 5] }] };
    const wfs = await wfsGeojson(
      t,
      `typenames=reef:Station&filter=${enc(
        FES(
          '<fes:And><fes:PropertyIsEqualTo><fes:ValueReference>country</fes:ValueReference><fes:Literal>NCL</fes:Literal></fes:PropertyIsEqualTo>' +
            '<fes:PropertyIsGreaterThan><fes:ValueReference>depth</fes:ValueReference><fes:Literal>5</fes:Literal></fes:PropertyIsGreaterThan></fes:And>',
        ),
      )}`,
    );
    expect(wfs.features.length).toBeGreaterThan(0);
    const viaText = await allItems('stations', `filter=${enc(text)}`);
    const viaJson = await allItems('stations', `filter-lang=cql2-json&filter=${enc(JSON.stringify(json))}`);
    expectSameFeatures(viaText, wfs.features, 'Station');
    expectSameFeatures(viaJson, wfs.features, 'Station');
  });

  it('runs spatial and temporal functions on observations, paging like WFS', async () => {
    const filter = "S_INTERSECTS(geom, BBOX(166,-23,167,-22)) AND T_INTERSECTS(time, INTERVAL('2024-03-01T00:00:00Z','2024-03-03T00:00:00Z')) AND qc = 1";
    const oapif = await allItems('observations', `filter=${enc(filter)}`, 20);
    const wfs = await wfsGeojson(
      t,
      `typenames=reef:Observation&count=100000&filter=${enc(
        FES(
          '<fes:And><fes:BBOX><fes:ValueReference>geom</fes:ValueReference><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>-23 166</gml:lowerCorner><gml:upperCorner>-22 167</gml:upperCorner></gml:Envelope></fes:BBOX>' +
            '<fes:PropertyIsGreaterThanOrEqualTo><fes:ValueReference>time</fes:ValueReference><fes:Literal>2024-03-01T00:00:00Z</fes:Literal></fes:PropertyIsGreaterThanOrEqualTo>' +
            '<fes:PropertyIsLessThanOrEqualTo><fes:ValueReference>time</fes:ValueReference><fes:Literal>2024-03-03T00:00:00Z</fes:Literal></fes:PropertyIsLessThanOrEqualTo>' +
            '<fes:PropertyIsEqualTo><fes:ValueReference>qc</fes:ValueReference><fes:Literal>1</fes:Literal></fes:PropertyIsEqualTo></fes:And>',
        ),
      )}`,
    );
    expect(wfs.features.length).toBeGreaterThan(40); // three pages of 20 at least
    expectSameFeatures(oapif, wfs.features, 'Observation');
  });

  it('reads filter-crs: EPSG:4326 literals are latitude first', async () => {
    const lonLat = await allItems('stations', `filter=${enc('S_WITHIN(geom, BBOX(166,-23,167,-22))')}`);
    const latLon = await allItems(
      'stations',
      `filter=${enc('S_WITHIN(geom, BBOX(-23,166,-22,167))')}&filter-crs=${enc('http://www.opengis.net/def/crs/EPSG/0/4326')}`,
    );
    expect(lonLat.length).toBeGreaterThan(0);
    expect(latLon.map((f) => f.id)).toEqual(lonLat.map((f) => f.id));
    for (const f of lonLat) {
      const [lon, lat] = f.geometry.coordinates;
      expect(lon >= 166 && lon <= 167 && lat >= -23 && lat <= -22).toBe(true);
    }
  });

  it('answers 400 JSON with the position of a bad expression, unknown names and bad languages', async () => {
    const cases: Array<[string, RegExp]> = [
      [`filter=${enc("country = 'NCL' AND AND depth > 5")}`, /position 21/],
      [`filter=${enc('nosuch = 1')}`, /unknown property/],
      [`filter=${enc('depth > ')}`, /position/],
      [`filter-lang=cql2-json&filter=${enc('{"op":"=","args":[{"property":"country"}]}')}`, /\/args/],
      [`filter-lang=cql3&filter=${enc('depth > 1')}`, /filter-lang/],
      [`filter=${enc('depth > 1')}&filter-crs=${enc('http://example.com/crs')}`, /filter-crs/],
    ];
    for (const [q, msg] of cases) {
      const r = await get(t, `/ogcapi/collections/stations/items?${q}`);
      expect(r.status).toBe(400);
      expect(r.json.code).toEqual(expect.any(String));
      expect(r.json.description).toMatch(msg);
    }
  });
});
