import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestApp, TestApp } from '../helpers/app';
import { hasTool } from '../helpers/xmllint';
import { demoStations } from '../wfs/helpers';
import { get } from './helpers';
import { runClient } from '../helpers/clientProcess';

/** GDAL's OAPIF driver against a listening gateway (skipped where GDAL is not installed, required in CI). */

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await createTestApp();
  base = await t.listen();
});
afterAll(async () => {
  await t?.close();
});

const itGdal = hasTool('ogrinfo') ? it : it.skip;

describe('GDAL OAPIF driver', () => {
  itGdal('ogrinfo lists the three collections and counts the stations', async () => {
    const r = await runClient('ogrinfo', ['-ro', `OAPIF:${base}/ogcapi`], 60000);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/1: stations .*\(Point\)/);
    expect(r.stdout).toMatch(/2: datasets/);
    expect(r.stdout).toMatch(/3: observations/);
    const s = await runClient('ogrinfo', ['-ro', '-so', `OAPIF:${base}/ogcapi`, 'stations'], 60000);
    expect(s.stdout).toMatch(/Feature Count: 30/);
    expect(s.stdout).toMatch(/firstObservation: DateTime/);
  });

  itGdal('ogr2ogr reads every station, paging by next links, with the coordinates of stations.csv', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-oapif-'));
    const out = path.join(dir, 'stations.geojson');
    const r = await runClient('ogr2ogr', ['--config', 'CPL_DEBUG', 'ON', '-oo', 'PAGE_SIZE=7', '-f', 'GeoJSON', out, `OAPIF:${base}/ogcapi`, 'stations'], 120000);
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
    const r = await runClient('ogr2ogr', ['--config', 'CPL_DEBUG', 'ON', '-oo', 'PAGE_SIZE=5000', '-f', 'CSV', out, `OAPIF:${base}/ogcapi`, 'observations', '-spat', '176', '-19', '179', '-17'], 300000);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/observations\/items\?[^\n]*bbox=176(,|%2C)-19(,|%2C)179(,|%2C)-17/);
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n').length - 1;
    fs.rmSync(dir, { recursive: true, force: true });
    const api = await get(t, '/ogcapi/collections/observations/items?bbox=176,-19,179,-17&limit=10000&skipGeometry=true&properties=qc');
    expect(api.json.numberReturned).toBeLessThan(10000);
    expect(rows).toBe(api.json.numberReturned);
    expect(rows).toBeGreaterThan(1000);
  });
});
