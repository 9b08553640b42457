import { spawn } from 'node:child_process';
import path from 'node:path';
import { listeningApp } from '../helpers/app';
import { demoStations } from '../wfs/helpers';
import { apiFeatures, get, localPath } from './helpers';

/**
 * @camptocamp/ogc-client (the library of GeoNetwork-UI and other portals) against a listening gateway.
 * The library is ESM only and this suite is compiled to CommonJS by ts-jest, so it runs in a child
 * `node` with an inline module script (resolved from the repository root, where it is a dev
 * dependency) and prints what it read as JSON, like the Python clients' tests.
 */
const SCRIPT = `
import { OgcApiEndpoint } from '@camptocamp/ogc-client';
const e = new OgcApiEndpoint(process.argv[1]);
const out = {};
out.info = await e.info;
out.conformance = await e.conformanceClasses;
out.all = await e.allCollections;
out.features = await e.featureCollections;
out.hasFeatures = await e.hasFeatures;
out.infos = {};
for (const id of out.features) out.infos[id] = await e.getCollectionInfo(id);

/** Every page of a query the way ogc-client reads them: offsets it writes itself, until a short page. */
async function all(id, limit, ...rest) {
  const pages = [];
  for (let offset = 0; pages.length < 200; offset += limit) {
    const items = await e.getCollectionItems(id, limit, offset, ...rest);
    pages.push(items.map((f) => [f.id, f.geometry && f.geometry.coordinates]));
    if (items.length < limit) break;
  }
  return pages;
}
const march = { start: new Date('2024-03-01T00:00:00Z'), end: new Date('2024-03-05T00:00:00Z') };
out.stationPages = await all('stations', 7);
out.observationPages = await all('observations', 40, false, undefined, [166, -23, 167, -22], undefined, march);
out.sortedNames = (await e.getCollectionItems('stations', 100, 0, true, ['-name'], undefined, ['name'])).map((f) => f.properties);
out.item = await e.getCollectionItem('stations', 'NCL_AMEDEE');
out.urls = {
  observations: await e.getCollectionItemsUrl('observations', { limit: 40, offset: 80, extent: [166, -23, 167, -22], dateTime: march }),
  csv: await e.getCollectionItemsUrl('stations', { outputFormat: 'text/csv', limit: 5, query: 'country=NCL' }),
  webMercator: await e.getCollectionItemsUrl('stations', { outputCrs: 'http://www.opengis.net/def/crs/EPSG/0/3857', limit: 100 }),
};
try {
  await e.getCollectionInfo('nope');
} catch (err) {
  out.unknown = err.message;
}
console.log(JSON.stringify(out));
`;

/** Runs the script with node (asynchronously: the gateway answers from this same process). */
function runOgcClient(landing: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT, landing], { cwd: path.resolve(__dirname, '../..'), timeout: 120000 });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    p.on('close', (status) => {
      if (status !== 0) return reject(new Error(`node exited ${status}: ${stderr}`));
      resolve(JSON.parse(stdout));
    });
  });
}

const srv = listeningApp();
let out: any;
beforeAll(async () => {
  out = await runOgcClient(`${srv.base}/ogcapi`);
}, 180000);

describe('@camptocamp/ogc-client OgcApiEndpoint', () => {
  it('reads the landing page, conformance and the three feature collections', () => {
    expect(out.info.title).toBe(srv.app.config.serviceTitle);
    expect(out.conformance).toEqual(expect.arrayContaining(['http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core']));
    expect(out.all).toEqual([
      { name: 'stations', hasFeatures: true },
      { name: 'datasets', hasFeatures: true },
      { name: 'observations', hasFeatures: true },
      // The EDR collection (test/edr) is also a feature collection: its items are the datasets.
      { name: 'insitu', hasFeatures: true },
    ]);
    expect(out.features).toEqual(['stations', 'datasets', 'observations', 'insitu']);
    expect(out.hasFeatures).toBe(true);
  });

  it('describes each collection with its formats, CRSs, extent and queryables', async () => {
    for (const id of out.features) {
      const info = out.infos[id];
      const own = (await get(srv.app, `/ogcapi/collections/${id}`)).json;
      expect(info).toMatchObject({ id, title: own.title, description: own.description, itemType: 'feature', crs: own.crs, storageCrs: own.storageCrs, extent: own.extent });
      expect(info.itemFormats).toEqual(['application/geo+json', 'text/csv', 'text/html']);
      const queryables = Object.keys((await get(srv.app, `/ogcapi/collections/${id}/queryables`)).json.properties);
      expect(info.queryables.map((q: any) => q.name)).toEqual(queryables);
    }
    expect(out.unknown).toMatch(/nope/);
  });

  it('reads every station by limit and offset, with the coordinates of stations.csv', async () => {
    expect(out.stationPages.map((p: any[]) => p.length)).toEqual([7, 7, 7, 7, 2]);
    const got = out.stationPages.flat();
    const csv = demoStations();
    expect(got.map(([id]: [string]) => id).sort()).toEqual([...csv.keys()].sort());
    for (const [id, [lon, lat]] of got) {
      expect(Math.abs(lon - csv.get(id)![0])).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(lat - csv.get(id)![1])).toBeLessThanOrEqual(1e-9);
    }
    expect(got).toEqual(await apiFeatures(srv.app, 'stations', ''));
    expect(out.item.id).toBe('NCL_AMEDEE');
    expect(out.item.geometry.coordinates).toEqual(csv.get('NCL_AMEDEE'));
  });

  it('reads observations by bbox and a datetime interval (with milliseconds), page by page, as the API serves them', async () => {
    const pages = out.observationPages as any[][];
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.slice(0, -1).every((p) => p.length === 40)).toBe(true);
    expect(pages.flat()).toEqual(await apiFeatures(srv.app, 'observations', `bbox=166,-23,167,-22&datetime=${encodeURIComponent('2024-03-01T00:00:00Z/2024-03-05T00:00:00Z')}`));
    // The URL it builds carries every parameter, and the gateway answers it.
    const u = new URL(out.urls.observations);
    expect(Object.fromEntries(u.searchParams)).toEqual({ f: 'geojson', limit: '40', offset: '80', bbox: '166,-23,167,-22', datetime: '2024-03-01T00:00:00.000Z/2024-03-05T00:00:00.000Z' });
    const r = await get(srv.app, localPath(out.urls.observations));
    expect(r.status).toBe(200);
    expect(r.json.features.map((f: any) => [f.id, f.geometry.coordinates])).toEqual(pages[2]);
  });

  it('sorts, selects properties, skips geometries, and builds CSV and reprojected URLs the gateway serves', async () => {
    const names = out.sortedNames.map((p: any) => p.name);
    expect(names).toHaveLength(demoStations().size);
    expect(names).toEqual([...names].sort().reverse());
    expect(out.sortedNames.every((p: any) => Object.keys(p).join() === 'name')).toBe(true);
    const csv = await get(srv.app, localPath(out.urls.csv));
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = csv.text.trim().split('\r\n').slice(1);
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(row).toMatch(/^Station\.NCL_/);
    const merc = await get(srv.app, localPath(out.urls.webMercator));
    expect(merc.status).toBe(200);
    expect(merc.headers['content-crs']).toBe('<http://www.opengis.net/def/crs/EPSG/0/3857>');
    const [lon, lat] = demoStations().get('NCL_AMEDEE')!;
    const amedee = merc.json.features.find((f: any) => f.id === 'NCL_AMEDEE').geometry.coordinates;
    expect(amedee[0]).toBeCloseTo((lon * 20037508.342789244) / 180, 3);
    expect(amedee[1]).toBeCloseTo((Math.log(Math.tan(((90 + lat) * Math.PI) / 360)) * 20037508.342789244) / Math.PI, 3);
  });
});
