import { createTestApp, TestApp } from '../helpers/app';
import { expectSameFeatures, followPages, get, wfsGeojson } from './helpers';

/**
 * The acceptance rule of issue 13: every feature WFS 2.0 GetFeature serves for a query, OGC API –
 * Features serves for the equivalent query, in the same order, coordinates to 1e-9, same properties.
 * A table of queries over the three collections: bbox (CRS84, EPSG:4326 lat/lon, EPSG:3857, across the
 * antimeridian), datetime (instants, closed and open intervals), property equality, response CRSs, and
 * CQL2 filters; the OGC API side is read page by page through its next links.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const enc = encodeURIComponent;
const EPSG = (code: number) => `http://www.opengis.net/def/crs/EPSG/0/${code}`;

/** Web Mercator of a longitude/latitude (what EPSG:3857 boxes are written in). */
const merc = (lon: number, lat: number): [number, number] => [(lon * 20037508.342789244) / 180, (Math.log(Math.tan(((90 + lat) * Math.PI) / 360)) * 20037508.342789244) / Math.PI];

// FES 2.0 builders for the WFS side.
const FES = (body: string) => `<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2">${body}</fes:Filter>`;
const and = (...xs: string[]) => `<fes:And>${xs.join('')}</fes:And>`;
const or = (...xs: string[]) => `<fes:Or>${xs.join('')}</fes:Or>`;
const cmp = (op: string, prop: string, value: string | number) => `<fes:PropertyIs${op}><fes:ValueReference>${prop}</fes:ValueReference><fes:Literal>${value}</fes:Literal></fes:PropertyIs${op}>`;
/** A lon/lat box as a FES BBOX in urn EPSG:4326 (latitude first). */
const bbox = (w: number, s: number, e: number, n: number) =>
  `<fes:BBOX><fes:ValueReference>geom</fes:ValueReference><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>${s} ${w}</gml:lowerCorner><gml:upperCorner>${n} ${e}</gml:upperCorner></gml:Envelope></fes:BBOX>`;
/** A box across the antimeridian (west > east) as the two boxes either side of it. */
const bboxAcross = (w: number, s: number, e: number, n: number) => or(bbox(w, s, 180, n), bbox(-180, s, e, n));
/** A projected box as a FES BBOX in that CRS (x, y order). */
const bboxIn = (code: number, x0: number, y0: number, x1: number, y1: number) =>
  `<fes:BBOX><fes:ValueReference>geom</fes:ValueReference><gml:Envelope srsName="urn:ogc:def:crs:EPSG::${code}"><gml:lowerCorner>${x0} ${y0}</gml:lowerCorner><gml:upperCorner>${x1} ${y1}</gml:upperCorner></gml:Envelope></fes:BBOX>`;
/** OGC API datetime on a collection with an interval (stations, datasets): the span overlaps [start, end]. */
const overlaps = (first: string, last: string, start: string, end: string) => and(cmp('LessThanOrEqualTo', first, end), cmp('GreaterThanOrEqualTo', last, start));
const during = (start: string, end: string) => and(cmp('GreaterThanOrEqualTo', 'time', start), cmp('LessThanOrEqualTo', 'time', end));

interface Case {
  name: string;
  collection: 'stations' | 'datasets' | 'observations';
  /** OGC API items query (without limit). */
  oapif: string;
  /** FES filter body (empty: no filter) and WFS srsName. */
  fes: string;
  srs?: number;
  /** The query must select at least this many features (and not all of them, for filtered queries). */
  min: number;
}

const TYPE = { stations: 'Station', datasets: 'Dataset', observations: 'Observation' } as const;
const [mx0, my0] = merc(164, -23);
const [mx1, my1] = merc(168, -19);
const [ox0, oy0] = merc(176, -19);
const [ox1, oy1] = merc(179, -17);

const CASES: Case[] = [
  // Station
  { name: 'stations in a CRS84 bbox', collection: 'stations', oapif: 'bbox=164,-23,168,-19', fes: bbox(164, -23, 168, -19), min: 5 },
  { name: 'stations in a bbox across the antimeridian', collection: 'stations', oapif: 'bbox=170,-30,-170,0', fes: bboxAcross(170, -30, -170, 0), min: 4 },
  { name: 'stations in an EPSG:4326 (lat/lon) bbox', collection: 'stations', oapif: `bbox=-23,164,-19,168&bbox-crs=${enc(EPSG(4326))}`, fes: bbox(164, -23, 168, -19), min: 5 },
  { name: 'stations in an EPSG:3857 bbox, answered in EPSG:3857', collection: 'stations', oapif: `bbox=${mx0},${my0},${mx1},${my1}&bbox-crs=${enc(EPSG(3857))}&crs=${enc(EPSG(3857))}`, fes: bboxIn(3857, mx0, my0, mx1, my1), srs: 3857, min: 5 },
  { name: 'stations observing during an interval', collection: 'stations', oapif: `datetime=${enc('2024-01-01T00:00:00Z/2024-01-10T00:00:00Z')}`, fes: overlaps('firstObservation', 'lastObservation', '2024-01-01T00:00:00Z', '2024-01-10T00:00:00Z'), min: 1 },
  { name: 'stations of a country (property equality)', collection: 'stations', oapif: 'country=FJI', fes: cmp('EqualTo', 'country', 'FJI'), min: 3 },
  { name: 'stations of a country in a bbox, answered in EPSG:32758', collection: 'stations', oapif: `country=NCL&bbox=160,-25,170,-15&crs=${enc(EPSG(32758))}`, fes: and(cmp('EqualTo', 'country', 'NCL'), bbox(160, -25, 170, -15)), srs: 32758, min: 5 },
  { name: 'stations by a CQL2 filter (LIKE, BETWEEN, OR)', collection: 'stations', oapif: `filter=${enc("name LIKE 'NCL%' AND (depth BETWEEN 5 AND 15 OR datasetCount > 2)")}`, fes: and(`<fes:PropertyIsLike wildCard="%" singleChar="_" escapeChar="\\"><fes:ValueReference>name</fes:ValueReference><fes:Literal>NCL%</fes:Literal></fes:PropertyIsLike>`, or(`<fes:PropertyIsBetween><fes:ValueReference>depth</fes:ValueReference><fes:LowerBoundary><fes:Literal>5</fes:Literal></fes:LowerBoundary><fes:UpperBoundary><fes:Literal>15</fes:Literal></fes:UpperBoundary></fes:PropertyIsBetween>`, cmp('GreaterThan', 'datasetCount', 2))), min: 2 },

  // Dataset
  { name: 'datasets in a bbox', collection: 'datasets', oapif: 'bbox=166,-23,167,-22', fes: bbox(166, -23, 167, -22), min: 4 },
  { name: 'datasets across the antimeridian, answered in EPSG:3163', collection: 'datasets', oapif: `bbox=175,-20,-175,-10&crs=${enc(EPSG(3163))}`, fes: bboxAcross(175, -20, -175, -10), srs: 3163, min: 4 },
  { name: 'datasets running during an interval', collection: 'datasets', oapif: `datetime=${enc('2024-01-01T00:00:00Z/2024-01-20T00:00:00Z')}`, fes: overlaps('startTime', 'endTime', '2024-01-01T00:00:00Z', '2024-01-20T00:00:00Z'), min: 1 },
  { name: 'datasets running at an instant in a bbox', collection: 'datasets', oapif: `datetime=2024-01-25T00:00:00Z&bbox=160,-25,170,-15`, fes: and(bbox(160, -25, 170, -15), overlaps('startTime', 'endTime', '2024-01-25T00:00:00Z', '2024-01-25T00:00:00Z')), min: 1 },
  { name: 'datasets started before the end of an open-start interval', collection: 'datasets', oapif: `datetime=${enc('../2024-01-20T00:00:00Z')}`, fes: cmp('LessThanOrEqualTo', 'startTime', '2024-01-20T00:00:00Z'), min: 1 },
  { name: 'datasets of a station (property equality)', collection: 'datasets', oapif: 'stationId=NCL_POE', fes: cmp('EqualTo', 'stationId', 'NCL_POE'), min: 3 },
  { name: 'datasets by a CQL2 JSON filter (IN, >)', collection: 'datasets', oapif: `filter-lang=cql2-json&filter=${enc(JSON.stringify({ op: 'and', args: [{ op: 'in', args: [{ property: 'propertyLabel' }, ['Sea temperature', 'Salinity']] }, { op: '>', args: [{ property: 'observationCount' }, 3500] }] }))}`, fes: and(or(cmp('EqualTo', 'propertyLabel', 'Sea temperature'), cmp('EqualTo', 'propertyLabel', 'Salinity')), cmp('GreaterThan', 'observationCount', 3500)), min: 5 },

  // Observation
  { name: 'observations in a bbox during two days', collection: 'observations', oapif: `bbox=176,-19,179,-17&datetime=${enc('2024-05-01T00:00:00Z/2024-05-03T00:00:00Z')}`, fes: and(bbox(176, -19, 179, -17), during('2024-05-01T00:00:00Z', '2024-05-03T00:00:00Z')), min: 20 },
  { name: 'observations across the antimeridian during a day, answered in EPSG:3857', collection: 'observations', oapif: `bbox=170,-20,-170,-10&datetime=${enc('2024-02-01T00:00:00Z/2024-02-02T00:00:00Z')}&crs=${enc(EPSG(3857))}`, fes: and(bboxAcross(170, -20, -170, -10), during('2024-02-01T00:00:00Z', '2024-02-02T00:00:00Z')), srs: 3857, min: 20 },
  { name: 'observations in an EPSG:3857 bbox during a week', collection: 'observations', oapif: `bbox=${ox0},${oy0},${ox1},${oy1}&bbox-crs=${enc(EPSG(3857))}&datetime=${enc('2024-07-01T00:00:00Z/2024-07-08T00:00:00Z')}`, fes: and(bboxIn(3857, ox0, oy0, ox1, oy1), during('2024-07-01T00:00:00Z', '2024-07-08T00:00:00Z')), min: 50 },
  { name: 'observations at an instant', collection: 'observations', oapif: 'datetime=2024-06-01T12:00:00Z', fes: cmp('EqualTo', 'time', '2024-06-01T12:00:00Z'), min: 5 },
  { name: 'observations of a dataset with a quality flag, open start', collection: 'observations', oapif: `datasetId=OUVEA01_TEMP_0A_SBE56&qc=1&datetime=${enc('../2024-03-01T00:00:00Z')}`, fes: and(cmp('EqualTo', 'datasetId', 'OUVEA01_TEMP_0A_SBE56'), cmp('EqualTo', 'qc', 1), cmp('LessThanOrEqualTo', 'time', '2024-03-01T00:00:00Z')), min: 100 },
  { name: 'observations of a dataset, open end', collection: 'observations', oapif: `datasetId=CHESTER_TEMP_0A_SBE56&datetime=${enc('2024-12-20T00:00:00Z/..')}`, fes: and(cmp('EqualTo', 'datasetId', 'CHESTER_TEMP_0A_SBE56'), cmp('GreaterThanOrEqualTo', 'time', '2024-12-20T00:00:00Z')), min: 50 },
  {
    name: 'observations by a CQL2 filter (spatial, temporal, comparison, NOT)',
    collection: 'observations',
    oapif: `filter=${enc("S_INTERSECTS(geom, BBOX(164,-23,168,-19)) AND T_INTERSECTS(time, INTERVAL('2024-08-01T00:00:00Z','2024-08-03T00:00:00Z')) AND value > 20 AND NOT (uom = 'dbar')")}`,
    fes: and(bbox(164, -23, 168, -19), during('2024-08-01T00:00:00Z', '2024-08-03T00:00:00Z'), cmp('GreaterThan', 'value', 20), `<fes:Not>${cmp('EqualTo', 'uom', 'dbar')}</fes:Not>`),
    min: 50,
  },
];

/** Every feature of an OGC API query, following its next links (a small limit: several pages). */
async function oapifAll(c: Case): Promise<any[]> {
  const limit = c.collection === 'observations' ? 250 : 7;
  const pages = await followPages(t, `/ogcapi/collections/${c.collection}/items?limit=${limit}&${c.oapif}`);
  return pages.flatMap((p) => p.features);
}

describe('OGC API – Features serves what WFS 2.0 serves for the equivalent query', () => {
  const totals: Record<string, number> = {};
  beforeAll(async () => {
    for (const [id, type] of Object.entries(TYPE)) totals[type] = (await get(t, `/ogcapi/collections/${id}/items?limit=1`)).json.numberMatched;
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const type = TYPE[c.collection];
    const wfs = await wfsGeojson(t, `typenames=reef:${type}&count=100000${c.srs ? `&srsname=EPSG:${c.srs}` : ''}${c.fes ? `&filter=${enc(FES(c.fes))}` : ''}`);
    expect(wfs.features.length).toBeGreaterThanOrEqual(c.min);
    // A real selection: some features out.
    expect(wfs.features.length).toBeLessThan(totals[type]);
    const oapif = await oapifAll(c);
    expect(oapif.length).toBe(wfs.features.length);
    expectSameFeatures(oapif, wfs.features, type);
  });
});
