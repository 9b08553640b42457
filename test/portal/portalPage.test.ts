import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { capabilitiesLinks, inlineJson, renderPortalPage } from '../../src/portal/page';
import { allServices } from '../../src/services';
import { createTestApp, TestApp } from '../helpers/app';

const root = path.join(__dirname, '..', '..');

describe('portal page at /', () => {
  let app: TestApp;
  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(root, 'portal', 'build.mjs')], { stdio: 'ignore' });
    app = await createTestApp({ portalBasemapUrl: 'https://tiles.example.org/{z}/{x}/{y}.png' });
  });
  afterAll(() => app.close());

  it('serves the portal with the bundle, the settings and every capabilities link of the landing page', async () => {
    const res = await app.http.get('/').set('Accept', 'text/html').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'portal-dist', 'manifest.json'), 'utf8'));
    expect(res.text).toContain(`/portal/assets/${manifest.js}`);
    expect(res.text).toContain(`/portal/assets/${manifest.css}`);
    for (const l of capabilitiesLinks('http://127.0.0.1', allServices())) expect(res.text).toContain(l.label);
    expect(res.text).toContain('SERVICE=WFS&#38;REQUEST=GetCapabilities&#38;ACCEPTVERSIONS=2.0.0');
    expect(res.text).toContain('SERVICE=SOS&#38;REQUEST=GetCapabilities&#38;ACCEPTVERSIONS=1.0.0');
    const settings = JSON.parse(/<script type="application\/json" id="portal-settings">(.*?)<\/script>/.exec(res.text)![1]);
    expect(settings).toEqual({ baseUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1/), ogcapiPath: '/ogcapi', basemapUrl: 'https://tiles.example.org/{z}/{x}/{y}.png', landAsset: expect.stringMatching(/^land-[0-9a-f]{8}\.json$/) });
    expect(res.text).not.toMatch(/https?:\/\/(cdn|unpkg|jsdelivr)/);
  });

  it('serves the hashed bundle with an immutable cache lifetime', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'portal-dist', 'manifest.json'), 'utf8'));
    const js = await app.http.get(`/portal/assets/${manifest.js}`).expect(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toMatch(/immutable/);
    const css = await app.http.get(`/portal/assets/${manifest.css}`).expect(200);
    expect(css.headers['content-type']).toMatch(/text\/css/);
    await app.http.get('/portal/assets/nothing-here.js').expect(404);
  });

  it('sends the pre-compressed bundle to clients that accept gzip, the plain one to others', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'portal-dist', 'manifest.json'), 'utf8'));
    const plain = fs.readFileSync(path.join(root, 'portal-dist', 'assets', manifest.js));
    const gz = await app.http.get(`/portal/assets/${manifest.js}`).set('Accept-Encoding', 'gzip').expect(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['content-type']).toMatch(/javascript/);
    expect(gz.headers['cache-control']).toMatch(/immutable/);
    expect(gz.headers['vary']).toMatch(/Accept-Encoding/);
    expect(Number(gz.headers['content-length'])).toBeLessThan(plain.length / 2);
    expect(gz.text).toBe(plain.toString('utf8')); // supertest inflates it
    const id = await app.http.get(`/portal/assets/${manifest.js}`).set('Accept-Encoding', 'identity').expect(200);
    expect(id.headers['content-encoding']).toBeUndefined();
    expect(id.text).toBe(plain.toString('utf8'));
    await app.http.get('/portal/assets/..%2Fmanifest.json').set('Accept-Encoding', 'gzip').expect(404);
  });

  it('serves the land layer gzip-compressed and immutable: Pacific islands, longitudes continuous across the antimeridian', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'portal-dist', 'manifest.json'), 'utf8'));
    expect(manifest.land).toMatch(/^land-[0-9a-f]{8}\.json$/);
    const res = await app.http.get(`/portal/assets/${manifest.land}`).set('Accept-Encoding', 'gzip').expect(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.headers['cache-control']).toMatch(/immutable/);
    // The budget of issue 17: the land layer adds at most ~300 KiB (gzip) to the page.
    expect(Number(res.headers['content-length'])).toBeLessThan(300 * 1024);
    const polygons = (res.body as { features: { geometry: { type: string; coordinates: number[][][][] } }[] }).features[0].geometry.coordinates;
    expect(polygons.length).toBeGreaterThan(300);
    const lons = polygons.flatMap((p) => p[0].map((c) => c[0]));
    // One box 120°E…135°W written as 120…225: Samoa (172.5°W) is at 187.5, never split at ±180.
    expect(Math.min(...lons)).toBeGreaterThanOrEqual(120);
    expect(Math.max(...lons)).toBeLessThanOrEqual(225);
    const near = (lon: number, lat: number) => polygons.some((p) => p[0].some(([x, y]) => Math.abs(x - lon) < 0.3 && Math.abs(y - lat) < 0.3));
    expect(near(187.6, -13.6)).toBe(true); // Savai'i
    expect(near(179.4, -16.6)).toBe(true); // Vanua Levu, Savusavu
    expect(near(166.45, -20.65)).toBe(true); // Ouvéa atoll
  });

  it('advertises asset URLs under PUBLIC_URL', async () => {
    const other = await createTestApp({ publicUrl: 'https://data.example.org/reefgate' }, 'empty');
    try {
      const res = await other.http.get('/').expect(200);
      expect(res.text).toContain('src="https://data.example.org/reefgate/portal/assets/app-');
      expect(res.text).toContain('href="https://data.example.org/reefgate/wfs?SERVICE=WFS&#38;REQUEST=GetCapabilities');
    } finally {
      await other.close();
    }
  });
});

describe('renderPortalPage', () => {
  const cfg = loadConfig({});
  const template = fs.readFileSync(path.join(root, 'portal', 'index.html'), 'utf8');

  it('escapes configured text and cannot be broken out of by a setting', () => {
    const html = renderPortalPage(template, { js: 'app-X.js', css: 'app-X.css' }, 'http://h', allServices(), {
      ...cfg,
      serviceTitle: '<script>alert(1)</script>',
      portalBasemapUrl: '</script><script>alert(2)</script>',
    });
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).not.toMatch(/\{\{[A-Z]+\}\}/);
  });

  it('inlineJson keeps the value and never contains "<"', () => {
    const v = { a: '</script><!--', b: 'x\u2028y' };
    const s = inlineJson(v);
    expect(s).not.toContain('<');
    expect(JSON.parse(s)).toEqual(v);
  });
});
