import { createTestApp, TestApp } from '../helpers/app';
import { EDR, edrGet } from './helpers';

/** The EDR collection as the catalogue describes it: parameters, extents, queries, formats, conformance. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const EDR_CONF = 'http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/';

it('declares the EDR 1.1 conformance classes it implements', async () => {
  const conf = (await edrGet(t, '/ogcapi/conformance')).json.conformsTo as string[];
  for (const c of ['core', 'collections', 'json', 'geojson', 'covjson', 'queries']) expect(conf).toContain(EDR_CONF + c);
  expect(conf).not.toContain(EDR_CONF + 'edr-geojson');
  expect(conf).not.toContain(EDR_CONF + 'instances');
});

it('lists insitu among the collections, described as by itself', async () => {
  const list = (await edrGet(t, '/ogcapi/collections')).json.collections as any[];
  const one = (await edrGet(t, EDR)).json;
  const fromList = list.find((c) => c.id === 'insitu');
  const strip = ({ links: _l, ...rest }: any) => rest;
  expect(strip(one)).toEqual(strip(fromList));
  for (const member of ['id', 'links', 'extent', 'data_queries', 'parameter_names', 'output_formats', 'crs']) expect(one[member]).toBeDefined();
});

it('builds parameter_names from the observed properties: label, UCUM unit with its symbol, CF vocabulary URI, measurementType', async () => {
  const p = (await edrGet(t, EDR)).json.parameter_names;
  const rows = (await t.db.store.query<{ code: string; label: string; uom: string; standard_name: string; vocabulary_uri: string }>(
    'SELECT DISTINCT p.code, p.label, p.uom, p.standard_name, p.vocabulary_uri FROM observed_property p JOIN dataset d ON d.property_id = p.id ORDER BY p.code',
  )).rows;
  expect(Object.keys(p)).toEqual(rows.map((r) => r.code));
  for (const r of rows) {
    expect(p[r.code]).toMatchObject({
      type: 'Parameter',
      id: r.code,
      label: r.label,
      dataType: 'float',
      unit: { symbol: { value: r.uom, type: 'http://www.opengis.net/def/uom/UCUM/' } },
      observedProperty: { id: r.vocabulary_uri, label: r.standard_name },
    });
    expect(p[r.code].unit.label).toEqual(expect.any(String));
  }
  expect(p.TEMP.unit.label).toBe('degree Celsius');
  expect(p.TEMP.measurementType).toEqual({ method: 'instantaneous', duration: 'PT0S' });
  if (p.VZMX) expect(p.VZMX.measurementType).toEqual({ method: 'maximum' });
  if (p.VHM0) expect(p.VHM0.measurementType).toEqual({ method: 'mean' });
});

it('gives the real first and last observation as temporal extent, the station depths as vertical extent', async () => {
  const e = (await edrGet(t, EDR)).json.extent;
  const r = (await t.db.store.query<{ t0: string; t1: string }>(
    `SELECT to_char(min(time) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t0, to_char(max(time) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t1 FROM observation`,
  )).rows[0];
  expect(e.temporal.interval).toEqual([[r.t0, r.t1]]);
  const depths = (await t.db.store.query<{ d: number }>('SELECT DISTINCT s.depth_m::float8 AS d FROM station s JOIN dataset d ON d.station_id = s.id WHERE s.depth_m IS NOT NULL ORDER BY 1')).rows.map((x) => Number(x.d));
  expect(e.vertical.values).toEqual(depths.map(String));
  expect(e.vertical.interval).toEqual([[String(depths[0]), String(depths[depths.length - 1])]]);
  expect(e.vertical.vrs).toBe('http://www.opengis.net/def/crs/EPSG/0/5715');
  expect(e.spatial.bbox[0]).toHaveLength(4);
});

it('describes each data query: URL, formats (CoverageJSON first), CRSs with WKT, within_units, height_units', async () => {
  const c = (await edrGet(t, EDR)).json;
  expect(c.output_formats).toEqual(['CoverageJSON', 'GeoJSON', 'CSV']);
  expect(Object.keys(c.data_queries).sort()).toEqual(['area', 'cube', 'items', 'locations', 'position', 'radius']);
  for (const [name, q] of Object.entries<any>(c.data_queries)) {
    expect(q.link.href).toBe(`http://rg.test/ogcapi/collections/insitu/${name}`);
    expect(q.link.rel).toBe('data');
    expect(q.link.variables.query_type).toBe(name);
    if (name === 'items') continue;
    expect(q.link.variables.crs_details.map((x: any) => x.crs)).toEqual(['http://www.opengis.net/def/crs/OGC/1.3/CRS84', 'http://www.opengis.net/def/crs/EPSG/0/4326']);
    for (const d of q.link.variables.crs_details) expect(d.wkt).toMatch(/^GEOGCS\["WGS 84/);
  }
  expect(c.data_queries.position.link.variables.default_output_format).toBe('CoverageJSON');
  expect(c.data_queries.radius.link.variables.within_units).toEqual(['km', 'm', 'mi', 'nmi']);
  expect(c.data_queries.cube.link.variables.height_units).toEqual(['m']);
  expect(c.data_queries.locations.link.variables.output_formats).toEqual(['GeoJSON']);
});

it('serves the datasets as its items (the EDR items query), the same features as the datasets collection', async () => {
  const a = (await edrGet(t, `${EDR}/items?limit=100`)).json;
  const b = (await edrGet(t, '/ogcapi/collections/datasets/items?limit=100')).json;
  expect(a.features.length).toBeGreaterThan(50);
  expect(a.features).toEqual(b.features);
  const one = (await edrGet(t, `${EDR}/items/AMEDEE_TEMP_0A_SBE56`)).json;
  expect(one.properties.edrUrl).toBe('http://rg.test/ogcapi/collections/insitu/locations/NCL_AMEDEE?parameter-name=TEMP');
});

it('lists the EDR queries in the OpenAPI document generated from the route table', async () => {
  const api = (await edrGet(t, '/ogcapi/api?f=json')).json;
  for (const q of ['position', 'radius', 'area', 'cube', 'locations', 'locations/{locationId}']) {
    const op = api.paths[`/collections/{collectionId}/${q}`]?.get;
    expect({ q, defined: op !== undefined }).toEqual({ q, defined: true });
    const names = op.parameters.map((p: any) => p.name);
    expect(names).toContain('collectionId');
    if (q !== 'locations') expect(names).toEqual(expect.arrayContaining(['parameter-name', 'datetime', 'crs', 'z', 'qualityFlag', 'downsample', 'f']));
    const media = Object.keys(op.responses['200'].content);
    expect(media).toEqual(q === 'locations' ? ['application/geo+json'] : ['application/prs.coverage+json', 'application/geo+json', 'text/csv']);
  }
  expect(api.paths['/collections/{collectionId}/position'].get.parameters.find((p: any) => p.name === 'coords').required).toBe(true);
  expect(api.paths['/collections/{collectionId}/radius'].get.parameters.find((p: any) => p.name === 'within-units').schema.enum).toEqual(['km', 'm', 'mi', 'nmi']);
});
