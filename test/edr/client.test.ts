import { listeningApp } from '../helpers/app';
import { covjsonErrors } from './helpers';

/**
 * A generic EDR client over real HTTP, knowing nothing but the standard: from the landing page it
 * finds the collections, reads a collection's parameter_names and data_queries, and builds its
 * requests from the query links and their variables (formats, CRSs, units), as EDR clients do.
 * (@camptocamp/ogc-client has no EDR support in its current release, 1.3.0, so the URL templates
 * are driven directly.)
 */
const srv = listeningApp();

async function getJson(url: string, accept = 'application/json'): Promise<{ status: number; type: string; doc: any }> {
  const r = await fetch(url, { headers: { Accept: accept } });
  const text = await r.text();
  return { status: r.status, type: r.headers.get('content-type') ?? '', doc: text ? JSON.parse(text) : undefined };
}

const withQuery = (href: string, q: Record<string, string>) => `${href}?${new URLSearchParams(q).toString()}`;

it('finds the EDR collection from the landing page and queries it by its own links', async () => {
  const landing = (await getJson(`${srv.base}/ogcapi`)).doc;
  const data = landing.links.find((l: any) => l.rel === 'data');
  const collections = (await getJson(data.href)).doc.collections as any[];
  const edr = collections.filter((c) => c.data_queries && c.parameter_names);
  expect(edr.map((c) => c.id)).toEqual(['insitu']);
  const c = edr[0];

  // Parameters: a client shows label and unit, and queries by key.
  const temp = c.parameter_names.TEMP;
  expect(`${temp.label} (${temp.unit.symbol.value})`).toBe('Sea temperature (Cel)');

  // Position: the link's href, coords as WKT, the default output format by name.
  const pos = c.data_queries.position.link;
  const cov = await getJson(withQuery(pos.href, { coords: 'POINT(166.4675 -22.4775)', 'parameter-name': 'TEMP', datetime: '2024-09-01T00:00:00Z/2024-09-02T00:00:00Z', f: pos.variables.default_output_format }));
  expect(cov.status).toBe(200);
  expect(cov.type).toMatch(/^application\/prs\.coverage\+json/);
  expect(covjsonErrors(cov.doc)).toEqual([]);
  expect(cov.doc.domain.axes.t.values.length).toBe(cov.doc.ranges.TEMP.values.length);
  expect(cov.doc.domain.axes.t.values.length).toBeGreaterThan(10);

  // Every output format the query advertises, by the name it advertises.
  const types: Record<string, RegExp> = { CoverageJSON: /^application\/prs\.coverage\+json/, GeoJSON: /^application\/geo\+json/, CSV: /^text\/csv/ };
  for (const f of pos.variables.output_formats as string[]) {
    const r = await fetch(withQuery(pos.href, { coords: 'POINT(166.4675 -22.4775)', datetime: '2024-09-01', f }));
    expect({ f, status: r.status }).toEqual({ f, status: 200 });
    expect(r.headers.get('content-type')).toMatch(types[f]);
    await r.arrayBuffer();
  }

  // Every advertised CRS is accepted for coords, in its axis order.
  for (const { crs } of pos.variables.crs_details) {
    const coords = crs.endsWith('/4326') ? 'POINT(-22.4775 166.4675)' : 'POINT(166.4675 -22.4775)';
    expect((await getJson(withQuery(pos.href, { coords, crs, datetime: '2024-09-01' }))).status).toBe(200);
  }

  // Radius with the first advertised unit, area, cube with height units.
  const radius = c.data_queries.radius.link;
  expect((await getJson(withQuery(radius.href, { coords: 'POINT(166.4675 -22.4775)', within: '30', 'within-units': radius.variables.within_units[0], datetime: '2024-09-01' }))).status).toBe(200);
  const area = c.data_queries.area.link;
  expect((await getJson(withQuery(area.href, { coords: 'POLYGON((166 -23,167 -23,167 -22,166 -22,166 -23))', datetime: '2024-09-01' }))).doc.type).toBe('CoverageCollection');
  const cube = c.data_queries.cube.link;
  expect(cube.variables.height_units).toEqual(['m']);
  expect((await getJson(withQuery(cube.href, { bbox: '166,-23,167,-22', z: '0/30', datetime: '2024-09-01' }))).status).toBe(200);
});

it('lists locations and reads one location by the endpoint each feature names', async () => {
  const c = (await getJson(`${srv.base}/ogcapi/collections/insitu`)).doc;
  const locs = await getJson(c.data_queries.locations.link.href, 'application/geo+json');
  expect(locs.type).toMatch(/^application\/geo\+json/);
  const f = locs.doc.features.find((x: any) => x.properties['parameter-name'].includes('PSAL'));
  expect(f).toBeDefined();
  const r = await getJson(withQuery(f.properties.edrqueryendpoint, { 'parameter-name': 'PSAL', downsample: '50' }));
  expect(r.status).toBe(200);
  expect(covjsonErrors(r.doc)).toEqual([]);
  expect(r.doc.type).toBe('Coverage');
  expect(r.doc.station).toBe(f.id);
  expect(r.doc.domain.axes.x.values).toEqual([f.geometry.coordinates[0]]);
  expect(r.doc.domain.axes.y.values).toEqual([f.geometry.coordinates[1]]);
});
