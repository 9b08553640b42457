import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listeningApp } from '../helpers/app';
import { hasTool } from '../helpers/xmllint';
import { demoStations } from '../wfs/helpers';
import { followPages, get } from './helpers';
import { runClient } from '../helpers/clientProcess';

/** GDAL's OAPIF driver against a listening gateway (skipped where GDAL is not installed, required in CI). */

const srv = listeningApp();

const itGdal = hasTool('ogrinfo') ? it : it.skip;

describe('GDAL OAPIF driver', () => {
  itGdal('ogrinfo lists the three collections and counts the stations', async () => {
    const r = await runClient('ogrinfo', ['-ro', `OAPIF:${srv.base}/ogcapi`], 60000);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/1: stations .*\(Point\)/);
    expect(r.stdout).toMatch(/2: datasets/);
    expect(r.stdout).toMatch(/3: observations/);
    const s = await runClient('ogrinfo', ['-ro', '-so', `OAPIF:${srv.base}/ogcapi`, 'stations'], 60000);
    expect(s.stdout).toMatch(/Feature Count: 30/);
    expect(s.stdout).toMatch(/firstObservation: DateTime/);
  });

  itGdal('ogr2ogr reads every station, paging by next links, with the coordinates of stations.csv', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-oapif-'));
    const out = path.join(dir, 'stations.geojson');
    const r = await runClient('ogr2ogr', ['--config', 'CPL_DEBUG', 'ON', '-oo', 'PAGE_SIZE=7', '-f', 'GeoJSON', out, `OAPIF:${srv.base}/ogcapi`, 'stations'], 120000);
    expect(r.status).toBe(0);
    expect((r.stderr.match(/items\?[^\n]*offset=\d+/g) ?? []).length).toBeGreaterThanOrEqual(4);
    const gj = JSON.parse(fs.readFileSync(out, 'utf8'));
    fs.rmSync(dir, { recursive: true, force: true });
    const csv = demoStations();
    expect(gj.features).toHaveLength(csv.size);
    for (const f of gj.features) {
      const [lon, lat] = csv.get(f.properties.stationId)!;
      expect(f.geometry.coordinates[0]).toBeCloseTo(lon, 9);
      expect(f.geometry.coordinates[1]).toBeCloseTo(lat, 9);
    }
  });

  itGdal('ogr2ogr -spat sends bbox and gets the same observations as the API', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-oapif-'));
    const out = path.join(dir, 'obs.csv');
    const r = await runClient('ogr2ogr', ['--config', 'CPL_DEBUG', 'ON', '-oo', 'PAGE_SIZE=5000', '-f', 'CSV', out, `OAPIF:${srv.base}/ogcapi`, 'observations', '-spat', '176', '-19', '179', '-17'], 300000);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/observations\/items\?[^\n]*bbox=176(,|%2C)-19(,|%2C)179(,|%2C)-17/);
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n').length - 1;
    fs.rmSync(dir, { recursive: true, force: true });
    const api = await get(srv.app, '/ogcapi/collections/observations/items?bbox=176,-19,179,-17&limit=10000&skipGeometry=true&properties=qc');
    expect(api.json.numberReturned).toBeLessThan(10000);
    expect(rows).toBe(api.json.numberReturned);
    expect(rows).toBeGreaterThan(1000);
  });

  /** The item URLs GDAL fetched (CPL_DEBUG prints each as `HTTP: Fetch(<url>)`). */
  const itemFetches = (stderr: string, collection: string) => [...stderr.matchAll(/HTTP: Fetch\(([^)\n]*)\)/g)].map((m) => m[1]).filter((u) => u.includes(`/collections/${collection}/items`));

  itGdal('ogrinfo -where on a queryable is sent to the server as that parameter (GDAL reads it from /api), one on another property is not', async () => {
    const r = await runClient('ogrinfo', ['-ro', '-q', '--config', 'CPL_DEBUG', 'ON', `OAPIF:${srv.base}/ogcapi`, 'stations', '-where', "stationId = 'NCL_AMEDEE'"], 60000);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`Fetch(${srv.base}/ogcapi/api)`);
    const urls = itemFetches(r.stderr, 'stations');
    expect(urls.some((u) => /[?&]stationId=NCL_AMEDEE(&|$)/.test(u))).toBe(true);
    // GDAL trusts the server with a pushed filter: the one station comes from the server's answer.
    expect(r.stdout.match(/^OGRFeature\(stations\):/gm)).toHaveLength(1);
    expect(r.stdout).toMatch(/stationId \(String\) = NCL_AMEDEE/);
    // observationsUrl is a property but no queryable: the document does not list it, GDAL filters itself.
    const n = await runClient('ogrinfo', ['-ro', '-q', '--config', 'CPL_DEBUG', 'ON', `OAPIF:${srv.base}/ogcapi`, 'stations', '-where', "observationsUrl = 'x'"], 60000);
    expect(n.status).toBe(0);
    const nUrls = itemFetches(n.stderr, 'stations');
    expect(nUrls.length).toBeGreaterThan(0);
    for (const u of nUrls) expect(u).not.toMatch(/observationsUrl=/);
    expect(n.stdout).not.toMatch(/OGRFeature\(stations\)/);
  });

  itGdal('ogr2ogr -where pages the observations at the advertised maximum limit, each page filtered by the server', async () => {
    const api = (await get(srv.app, '/ogcapi/api')).json;
    const max = api.paths['/collections/observations/items'].get.parameters.find((p: any) => p.name === 'limit').schema.maximum;
    expect(max).toBe(srv.app.config.ogcapiLimitMax);
    // The API's own answer for the same filter, page by page.
    const want = await followPages(srv.app, `/ogcapi/collections/observations/items?uom=m&limit=${max}&skipGeometry=true&properties=qc`);
    expect(want).toHaveLength(2); // so GDAL has to follow a next link
    const total = want.reduce((n, p) => n + p.numberReturned, 0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-oapif-'));
    const out = path.join(dir, 'obs.csv');
    // GDAL 3.6 takes its page size from PAGE_SIZE only (it does not read limit's maximum from /api): the test passes the advertised one.
    const r = await runClient('ogr2ogr', ['--config', 'CPL_DEBUG', 'ON', '-oo', `PAGE_SIZE=${max}`, '-f', 'CSV', out, `OAPIF:${srv.base}/ogcapi`, 'observations', '-where', "uom = 'm'"], 300000);
    expect(r.status).toBe(0);
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    fs.rmSync(dir, { recursive: true, force: true });
    expect(lines.length - 1).toBe(total);
    const uom = lines[0].split(',').indexOf('uom');
    expect(uom).toBeGreaterThanOrEqual(0);
    for (const l of lines.slice(1)) expect(l.split(',')[uom]).toBe('m');
    const pages = itemFetches(r.stderr, 'observations').filter((u) => /[?&]uom=m(&|$)/.test(u));
    expect(pages).toHaveLength(2);
    for (const u of pages) expect(u).toMatch(new RegExp(`[?&]limit=${max}(&|$)`));
    // The second page is the first page's next link: the filter and limit carried, positioned by keyset.
    expect(pages[1]).toMatch(/[?&]after=/);
  });
});

