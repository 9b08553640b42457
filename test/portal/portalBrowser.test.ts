/**
 * Acceptance tests of the portal in headless Debian chromium (playwright-core, never a downloaded browser),
 * against a real listening gateway over the demo network. Screenshots go to test/artifacts/ for review.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestApp, listeningApp } from '../helpers/app';
import { hasTool } from '../helpers/xmllint';

const root = path.join(__dirname, '..', '..');
const artifacts = path.join(root, 'test', 'artifacts');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const haveChromium = hasTool('chromium');
const OUVEA = 'NCL_OUVEA01';
const OUVEA_TEMP = 'OUVEA01_TEMP_0A_SBE56';
/** The EDR location URL the chart reads Ouvéa's series from. */
const EDR_STATION = `/ogcapi/collections/insitu/locations/${OUVEA}?`;

/** Opens the portal of `base` in a new page, collecting page and console errors and the URLs requested, once it has loaded. */
async function openPortal(ctx: BrowserContext, base: string): Promise<{ p: Page; pageErrors: string[]; requested: string[] }> {
  const p = await ctx.newPage();
  const pageErrors: string[] = [];
  const requested: string[] = [];
  p.on('pageerror', (e) => pageErrors.push(e.message));
  p.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  p.on('request', (r) => requested.push(r.url()));
  await p.goto(`${base}/`);
  await p.waitForSelector('body[data-loaded="true"]');
  return { p, pageErrors, requested };
}

(haveChromium ? describe : describe.skip)('portal in headless chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  const requests: string[] = [];

  // Declared before listeningApp, whose afterAll closes the gateway: Jest runs afterAll hooks in
  // declaration order, so the browser and its connections go first.
  afterAll(async () => {
    await browser?.close();
  });
  const srv = listeningApp();

  beforeAll(async () => {
    // Before the first request: the gateway reads the bundle once, when the portal is first asked for.
    execFileSync(process.execPath, [path.join(root, 'portal', 'build.mjs')], { stdio: 'ignore' });
    fs.mkdirSync(artifacts, { recursive: true });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    // Aborted on purpose: the chart cancels the loads of a station the user has moved away from.
    page.on('requestfailed', (r) => r.failure()?.errorText !== 'net::ERR_ABORTED' && errors.push(`requestfailed: ${r.url()}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${srv.base}/`);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 30_000 });
    await page.waitForSelector('#map[data-ready="true"]', { state: 'attached', timeout: 30_000 });
  });


  const clusters = () =>
    page.$$eval('#map-clusters li', (els) => els.map((e) => ({ count: Number(e.dataset.count), x: Number(e.dataset.x), y: Number(e.dataset.y), stations: (e.dataset.stations ?? '').split(',') })));

  /** Clicks a map pixel; for a cluster, waits until the map has zoomed in and rendered the new clusters. */
  async function clickMap(x: number, y: number, cluster: boolean): Promise<void> {
    const zoom = await page.$eval('#map', (e) => e.dataset.zoom);
    const box = (await page.locator('#map').boundingBox())!;
    await page.mouse.click(box.x + x, box.y + y);
    if (cluster) await page.waitForFunction((z) => document.getElementById('map')!.dataset.zoom !== z, zoom);
  }

  /** Ouvéa 01 and its temperature dataset selected, chart drawn. */
  async function openDataset(): Promise<void> {
    if ((await page.$(`#dataset-panel[data-dataset="${OUVEA_TEMP}"]`)) === null) {
      await page.selectOption('#station-select', OUVEA);
      await page.selectOption('#dataset-select', OUVEA_TEMP);
      await page.waitForSelector(`#dataset-panel[data-dataset="${OUVEA_TEMP}"]`);
    }
    await page.waitForSelector(`.chart[data-state="ready"] canvas[data-drawn*="${OUVEA_TEMP}"]`);
  }

  it('loads without console errors and draws one marker or cluster count per station', async () => {
    const db = await srv.app.db.store.query('SELECT code FROM station ORDER BY code');
    const codes = db.rows.map((r) => (r as { code: string }).code);
    expect(codes).toHaveLength(30);
    const cs = await clusters();
    expect(cs.reduce((n, c) => n + c.count, 0)).toBe(codes.length);
    expect(cs.flatMap((c) => c.stations).sort()).toEqual(codes);
    const box = (await page.locator('#map').boundingBox())!;
    // The whole network, across the antimeridian, is on screen at once.
    for (const c of cs) {
      expect(c.x).toBeGreaterThanOrEqual(0);
      expect(c.x).toBeLessThanOrEqual(box.width);
      expect(c.y).toBeGreaterThanOrEqual(0);
      expect(c.y).toBeLessThanOrEqual(box.height);
    }
    expect(cs.some((c) => c.count > 1)).toBe(true);
    expect(await page.$eval('#map', (e) => e.dataset.stationsDrawn)).toBe('30');
    await page.screenshot({ path: path.join(artifacts, 'portal-map.png') });
    // Stations and datasets come from OGC API – Features; WFS is left to GIS clients.
    const paths = requests.map((u) => new URL(u).pathname);
    expect(paths).toEqual(expect.arrayContaining(['/ogcapi/collections/stations/items', '/ogcapi/collections/datasets/items']));
    expect(paths.filter((p) => p.startsWith('/wfs'))).toEqual([]);
    expect(errors).toEqual([]);
  });

  /** The colour of the land layer's canvas at a lon/lat (longitudes past 180° are the world copy east of the antimeridian). */
  async function landPixel(lon: number, lat: number): Promise<number[]> {
    return page.$eval(
      '#map',
      (el, [lon, lat]) => {
        const [x0, y0, x1, y1] = (el.dataset.extent ?? '').split(',').map(Number);
        const R = 6378137;
        const mx = (R * lon * Math.PI) / 180;
        const my = R * Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
        const box = el.getBoundingClientRect();
        const c = el.querySelector<HTMLCanvasElement>('.land-layer canvas')!;
        const scale = c.width / c.getBoundingClientRect().width;
        const px = ((mx - x0) / (x1 - x0)) * box.width;
        const py = ((y1 - my) / (y1 - y0)) * box.height;
        return Array.from(c.getContext('2d')!.getImageData(Math.round(px * scale), Math.round(py * scale), 1, 1).data);
      },
      [lon, lat],
    );
  }

  it('draws the land layer from the gateway itself, under the stations, with no request leaving the origin', async () => {
    await page.waitForSelector('#map[data-land-polygons]', { state: 'attached' });
    // Natural Earth 1:10m cut to the network: hundreds of islands, not a handful of continents.
    expect(Number(await page.$eval('#map', (e) => e.dataset.landPolygons))).toBeGreaterThan(300);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    // Grande Terre (New Caledonia), Viti Levu (Fiji) and, east of the antimeridian, Savai'i (Samoa):
    // opaque land colour (LAND_FILL #e8e1cc, portal/src/baseMap.ts, or its darker coastline), warm, not sea blue.
    for (const [lon, lat] of [[165.6, -21.3], [178.0, -17.8], [-172.5 + 360, -13.6]]) {
      const [r, g, b, a] = await landPixel(lon, lat);
      expect({ lon, lat, land: a > 200 && r > b + 20 && g > b }).toEqual({ lon, lat, land: true });
    }
    // Open sea south-east of New Caledonia: nothing drawn on the land canvas.
    expect((await landPixel(170, -25))[3]).toBe(0);
    const origin = new URL(srv.base).origin;
    const http = requests.filter((u) => /^https?:/.test(u));
    expect(http.length).toBeGreaterThan(0);
    expect(http.filter((u) => new URL(u).origin !== origin)).toEqual([]);
    expect(http.some((u) => /\/portal\/assets\/land-[0-9a-f]{8}\.json$/.test(u))).toBe(true);
    const res = await fetch(http.find((u) => u.includes('/portal/assets/land-'))!, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(res.headers.get('content-type')).toContain('application/json');
    // Read to the end: an unread body keeps its connection open after this file.
    await res.arrayBuffer();
    expect(errors).toEqual([]);
  });

  it('opens the station panel with the right coordinates when the station is clicked on the map', async () => {
    const db = await srv.app.db.store.query('SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM station WHERE code = $1', [OUVEA]);
    expect(db.rows[0]).toEqual({ lon: 166.560983, lat: -20.548883 });
    // Click the cluster holding the station until it stands alone, then click it.
    let clicks = 0;
    for (; clicks < 12; clicks++) {
      const c = (await clusters()).find((k) => k.stations.includes(OUVEA))!;
      await clickMap(c.x, c.y, c.count > 1);
      if (c.count === 1) break;
    }
    expect(clicks).toBeGreaterThan(0); // it started inside a cluster: the cluster click zoomed in
    await page.waitForSelector(`#station-panel[data-station="${OUVEA}"]`, { timeout: 10_000 });
    expect(await page.textContent('#station-panel .coords')).toBe("20°32.933'S, 166°33.659'E");
    // Zoomed in to a lone station: the map names it.
    expect(await page.$eval('#map', (e) => e.dataset.labels)).toBe('true');
    expect(await page.textContent('#station-panel')).toContain('ReefTEMPS');
    expect(await page.textContent('#station-panel')).toContain('IRD Nouméa');
    expect(await page.inputValue('#station-select')).toBe(OUVEA);
    expect(errors).toEqual([]);
  });

  it('shows west longitudes of stations east of the antimeridian', async () => {
    await page.selectOption('#station-select', 'WLF_WALLIS');
    await page.waitForSelector('#station-panel[data-station="WLF_WALLIS"]');
    expect(await page.textContent('#station-panel .coords')).toBe("13°16.800'S, 176°10.200'W");
    await page.selectOption('#station-select', OUVEA);
    await page.waitForSelector(`#station-panel[data-station="${OUVEA}"]`);
  });

  it('lists each dataset of a station with its dates, unit, level, family and links, in both languages', async () => {
    await page.selectOption('#station-select', OUVEA);
    await page.waitForSelector(`#station-panel[data-station="${OUVEA}"]`);
    const db = (
      await srv.app.db.store.query(
        `SELECT d.code, to_char(d.time_start AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS start, to_char(d.time_end AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS end,
                p.uom, d.processing_level AS level, se.family
           FROM dataset d JOIN station s ON s.id = d.station_id JOIN observed_property p ON p.id = d.property_id JOIN sensor se ON se.id = d.sensor_id
          WHERE s.code = $1 ORDER BY d.code`,
        [OUVEA],
      )
    ).rows as { code: string; start: string; end: string; uom: string; level: string; family: string }[];
    expect(db.length).toBeGreaterThan(1);
    const items = await page.$$eval('#station-panel li[data-dataset-item]', (lis) =>
      lis.map((li) => ({
        code: (li as HTMLElement).dataset.datasetItem!,
        fields: Object.fromEntries(Array.from(li.querySelectorAll<HTMLElement>('[data-field]')).map((e) => [e.dataset.field!, e.textContent])),
        links: Object.fromEntries(Array.from(li.querySelectorAll<HTMLAnchorElement>('a[data-link]')).map((a) => [a.dataset.link!, a.href])),
      })),
    );
    expect(items.map((i) => i.code).sort()).toEqual(db.map((d) => d.code));
    const unitShown: Record<string, string> = { Cel: '°C' };
    for (const d of db) {
      const item = items.find((i) => i.code === d.code)!;
      expect(item.fields).toEqual({ start: d.start, end: d.end, unit: unitShown[d.uom] ?? d.uom, processingLevel: d.level, instrumentFamily: d.family });
      const path = (k: string) => new URL(item.links[k]).pathname + new URL(item.links[k]).search;
      expect(path('ogcapi')).toBe(`/ogcapi/collections/datasets/items/${d.code}?f=html`);
      expect(new URL(item.links.sos).searchParams.get('offering')).toBe(d.code);
      expect(path('csv')).toBe(`/datasets/${d.code}.csv`);
      expect(path('netcdf')).toBe(`/datasets/${d.code}.nc`);
      expect(path('iso')).toBe(`/metadata/${d.code}.xml`);
      // Every link answers (the CSV with its readable header and name).
      for (const k of ['ogcapi', 'sos', 'iso']) {
        const r = await fetch(item.links[k]);
        expect(r.status).toBe(200);
        await r.arrayBuffer();
      }
      const csv = await fetch(item.links.csv);
      expect(csv.headers.get('content-disposition')).toBe(`inline; filename="${d.code}_${d.start}_${d.end}.csv"`);
      expect((await csv.text()).split('\n')[0]).toBe('station,dataset,parameter,unit,time,value,qc');
    }
    // Not configured here: no OPeNDAP or catalogue links.
    expect(items.every((i) => !i.links.opendap && !i.links.metadata)).toBe(true);
    const labels = () => page.$$eval('#station-panel li[data-dataset-item] dt', (dts) => [...new Set(dts.map((e) => e.textContent))]);
    expect(await labels()).toEqual(['Start', 'End', 'Unit', 'Processing level', 'Instrument family']);
    await page.click('#lang-button');
    await page.waitForFunction(() => document.documentElement.lang === 'fr');
    await page.waitForSelector(`#station-panel[data-station="${OUVEA}"]`);
    expect(await labels()).toEqual(['Début', 'Fin', 'Unité', 'Niveau de traitement', "Famille d'instrument"]);
    expect(await page.textContent(`#station-panel li[data-dataset-item] a[data-link="ogcapi"]`)).toBe('Objet OGC API');
    await page.click('#lang-button');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    expect(errors).toEqual([]);
  });

  it('draws the chart of a dataset from server-downsampled series', async () => {
    requests.length = 0;
    await page.selectOption('#station-select', 'NCL_AMEDEE');
    await page.selectOption('#station-select', OUVEA);
    await page.selectOption('#dataset-select', OUVEA_TEMP);
    await page.waitForSelector(`#dataset-panel[data-dataset="${OUVEA_TEMP}"]`);
    await page.waitForSelector(`.chart[data-state="ready"] canvas[data-drawn*="${OUVEA_TEMP}"]`, { timeout: 20_000 });
    const drawn = await page.$eval('.chart canvas', (c) => {
      const cv = c as HTMLCanvasElement;
      const data = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
      let inked = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
      return { inked, points: Number(cv.dataset.points), width: cv.clientWidth };
    });
    expect(drawn.inked).toBeGreaterThan(2000);
    expect(drawn.points).toBeGreaterThan(100);
    // The chart reads all the station's series in one OGC API – EDR request (CoverageJSON), downsampled on the server.
    const seriesUrls = requests.filter((u) => u.includes(EDR_STATION));
    expect(seriesUrls.length).toBeGreaterThan(0);
    for (const u of seriesUrls) {
      expect(new URL(u).searchParams.get('downsample')).toMatch(/^\d+$/);
      expect(new URL(u).searchParams.get('f')).toBe('CoverageJSON');
    }
    // The station's raw year is far more points than pixels; the chart asked for about one point per pixel per series.
    const raw = await srv.app.db.store.query('SELECT count(*)::int AS n FROM observation o JOIN dataset d ON d.id = o.dataset_id JOIN station s ON s.id = d.station_id WHERE s.code = $1', [OUVEA]);
    const rawCount = (raw.rows[0] as { n: number }).n;
    expect(rawCount).toBeGreaterThan(3 * drawn.points);
    expect(drawn.points).toBeLessThan(4 * (drawn.width + 4));
    await page.screenshot({ path: path.join(artifacts, 'portal-station-dataset.png') });
    await page.locator('#chart-host').screenshot({ path: path.join(artifacts, 'portal-chart.png') });
    await page.locator('#dataset-panel').screenshot({ path: path.join(artifacts, 'portal-dataset-panel.png') });
    expect(errors).toEqual([]);
  });

  it('zooms the chart by dragging and hides a series from the legend', async () => {
    await openDataset();
    requests.length = 0;
    await page.locator('.chart-plot').scrollIntoViewIfNeeded();
    const plot = (await page.locator('.chart-plot').boundingBox())!;
    await page.mouse.move(plot.x + plot.width * 0.4, plot.y + 40);
    await page.mouse.down();
    await page.mouse.move(plot.x + plot.width * 0.6, plot.y + 40, { steps: 5 });
    await page.mouse.up();
    await page.waitForSelector('.chart[data-state="ready"]');
    const zoomed = requests.filter((u) => u.includes(EDR_STATION));
    expect(zoomed.length).toBe(1);
    const [t1, t2] = new URL(zoomed[0]).searchParams.get('datetime')!.split('/').map(Date.parse);
    // About a fifth of the year that was shown.
    expect(t2 - t1).toBeGreaterThan(40 * 86_400_000);
    expect(t2 - t1).toBeLessThan(110 * 86_400_000);

    await page.click(`.legend-item[data-series="${OUVEA_TEMP}"]`);
    expect(await page.getAttribute(`.legend-item[data-series="${OUVEA_TEMP}"]`, 'aria-pressed')).toBe('false');
    expect(await page.$eval('.chart canvas', (c) => (c as HTMLElement).dataset.drawn)).not.toContain(OUVEA_TEMP);
    await page.click(`.legend-item[data-series="${OUVEA_TEMP}"]`);
    expect(await page.$eval('.chart canvas', (c) => (c as HTMLElement).dataset.drawn)).toContain(OUVEA_TEMP);
    await page.click('.chart .zoom-reset');
    await page.waitForSelector('.chart[data-state="ready"]');
  });

  it('plots good values only, shows flagged ones marked after the toggle, and labels the y axis with at least three ticks and the unit', async () => {
    await openDataset();
    const canvas = () =>
      page.$eval('.chart canvas', (c) => ({ flagged: Number((c as HTMLElement).dataset.flagged), shown: (c as HTMLElement).dataset.flaggedShown, yTicks: Number((c as HTMLElement).dataset.yTicks) }));
    const flaggedDb = await srv.app.db.store.query(
      // Every series of the station is charted: its flagged points are counted over all of them.
      'SELECT count(*)::int AS n FROM observation o JOIN dataset d ON d.id = o.dataset_id JOIN station s ON s.id = d.station_id WHERE s.code = $1 AND o.qc NOT IN (1, 2) AND o.value IS NOT NULL',
      [OUVEA],
    );
    const nFlagged = (flaggedDb.rows[0] as { n: number }).n;
    expect(nFlagged).toBeGreaterThan(0); // the demo's series have flagged values
    // The reset view (last year) covers the whole demo record of Ouvéa.
    let c = await canvas();
    expect(c).toEqual({ flagged: 0, shown: 'false', yTicks: expect.any(Number) });
    expect(c.yTicks).toBeGreaterThanOrEqual(3);
    const good = requests.filter((u) => u.includes(EDR_STATION)).map((u) => new URL(u).searchParams.get('qualityFlag'));
    expect(good.length).toBeGreaterThan(0);
    expect(new Set(good)).toEqual(new Set(['1,2']));
    requests.length = 0;
    await page.click('.chart .show-flagged');
    await page.waitForSelector('.chart[data-state="ready"] canvas[data-flagged-shown="true"]');
    c = await canvas();
    // Few flagged points: the server keeps them all, and every one is marked.
    expect(c.flagged).toBe(nFlagged);
    expect(c.yTicks).toBeGreaterThanOrEqual(3);
    expect(await page.getAttribute('.chart .show-flagged', 'aria-pressed')).toBe('true');
    const flags = requests.filter((u) => u.includes(EDR_STATION)).map((u) => new URL(u).searchParams.get('qualityFlag'));
    expect(new Set(flags)).toEqual(new Set(['1,2', '0,3,4,5,6,7,8,9']));
    await page.locator('#chart-host').screenshot({ path: path.join(artifacts, 'portal-chart-flagged.png') });
    // A zoom keeps the choice; the toggle hides them again.
    await page.click('.chart .zoom-in');
    await page.waitForSelector('.chart[data-state="ready"]');
    expect((await canvas()).yTicks).toBeGreaterThanOrEqual(3);
    await page.click('.chart .show-flagged');
    await page.waitForSelector('.chart[data-state="ready"] canvas[data-flagged-shown="false"]');
    expect((await canvas()).flagged).toBe(0);
    await page.click('.chart .zoom-reset');
    await page.waitForSelector('.chart[data-state="ready"]');
    expect(errors).toEqual([]);
  });

  it('filters the map and the lists by observed property', async () => {
    const label = 'Sea pressure';
    const options = await page.$$eval('#property-select option', (o) => o.map((x) => (x as HTMLOptionElement).value));
    const value = options.find((o) => o.startsWith(label))!;
    expect(value).toBeDefined();
    const expected = (await srv.app.db.store.query(`SELECT DISTINCT s.code FROM station s JOIN dataset d ON d.station_id = s.id JOIN observed_property p ON p.id = d.property_id WHERE p.label = $1 ORDER BY 1`, [value])).rows.map((r) => (r as { code: string }).code);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(30);
    await page.$eval('#map', (e) => delete e.dataset.ready);
    await page.selectOption('#property-select', value);
    await page.waitForSelector('#map[data-ready="true"]', { state: 'attached' });
    expect((await clusters()).flatMap((c) => c.stations).sort()).toEqual(expected);
    const stationOptions = await page.$$eval('#station-select option', (o) => o.map((x) => (x as HTMLOptionElement).value).filter(Boolean));
    expect(stationOptions.sort()).toEqual(expected);
    await page.selectOption('#property-select', '');
    await page.waitForFunction(() => document.getElementById('map')!.dataset.stationsDrawn === '30');
  });

  it('downloads exactly the rows of a chosen period (CSV and JSON), and the whole dataset', async () => {
    await openDataset();
    await page.fill('#period-from', '2024-06-01');
    await page.fill('#period-to', '2024-06-20');
    // Saved downloads are named by dataset, period and format (Content-Disposition), not "sos.csv".
    const [saved] = await Promise.all([page.waitForEvent('download'), page.click('#period-links a[data-format="csv"]')]);
    expect(saved.suggestedFilename()).toBe(`${OUVEA_TEMP}_2024-06-01_2024-06-20.csv`);
    await saved.cancel();
    const [nc] = await Promise.all([page.waitForEvent('download'), page.click('#whole-links a[data-format="netcdf"]')]);
    expect(nc.suggestedFilename()).toMatch(new RegExp(`^${OUVEA_TEMP}_\\d{4}-\\d{2}-\\d{2}_\\d{4}-\\d{2}-\\d{2}\\.nc$`));
    await nc.cancel();
    const csvHref = await page.getAttribute('#period-links a[data-format="csv"]', 'href');
    const jsonHref = await page.getAttribute('#period-links a[data-format="json"]', 'href');
    const omHref = await page.getAttribute('#period-links a[data-format="om"]', 'href');
    // The CSV is the readable one (its own route, days as given); JSON and O&M stay SOS.
    expect(new URL(csvHref!).pathname).toBe(`/datasets/${OUVEA_TEMP}.csv`);
    expect(new URL(csvHref!).search).toBe('?from=2024-06-01&to=2024-06-20');
    expect(jsonHref).toContain('2024-06-01T00%3A00%3A00Z%2F2024-06-20T23%3A59%3A59Z');
    const db = await srv.app.db.store.query(
      `SELECT (extract(epoch FROM o.time) * 1000)::float8 AS t, o.value::float8 AS v FROM observation o JOIN dataset d ON d.id = o.dataset_id
        WHERE d.code = $1 AND o.time >= $2 AND o.time <= $3 ORDER BY o.time`,
      [OUVEA_TEMP, '2024-06-01T00:00:00Z', '2024-06-20T23:59:59Z'],
    );
    const expected = db.rows.map((r) => [Number((r as { t: number }).t), (r as { v: number | null }).v]);
    expect(expected.length).toBeGreaterThan(100);

    const meta = (await srv.app.db.store.query('SELECT p.label, p.uom FROM dataset d JOIN observed_property p ON p.id = d.property_id WHERE d.code = $1', [OUVEA_TEMP])).rows[0] as { label: string; uom: string };
    const csv = await fetch(csvHref!);
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe('station,dataset,parameter,unit,time,value,qc');
    const got = lines.slice(1).map((l) => {
      const [station, dataset, parameter, unit, time, value] = l.split(',');
      expect([station, dataset, parameter, unit]).toEqual([OUVEA, OUVEA_TEMP, meta.label, meta.uom]);
      return [Date.parse(time), value === '' ? null : Number(value)];
    });
    expect(got).toEqual(expected);

    const json = (await (await fetch(jsonHref!)).json()) as { series: { points: [string, number | null][] }[] };
    expect(json.series[0].points.map((p) => [Date.parse(p[0]), p[1]])).toEqual(expected);
    const om = await fetch(omHref!);
    expect(om.status).toBe(200);
    expect(await om.text()).toContain('http://www.opengis.net/om/2.0');

    const wholeHref = await page.getAttribute('#whole-links a[data-format="csv"]', 'href');
    expect(new URL(wholeHref!).search).toBe('');
    const whole = (await (await fetch(wholeHref!)).text()).trim().split('\n').length - 1;
    const n = await srv.app.db.store.query('SELECT count(*)::int AS n FROM observation o JOIN dataset d ON d.id = o.dataset_id WHERE d.code = $1', [OUVEA_TEMP]);
    expect(whole).toBe((n.rows[0] as { n: number }).n);
  });

  it('shows the latest value of every dataset from one request', async () => {
    requests.length = 0;
    await page.click('#latest-button');
    await page.waitForSelector('#latest-panel');
    const latestRequests = requests.filter((u) => u.includes('/sos?') && u.includes('latest'));
    expect(latestRequests).toHaveLength(1);
    expect(new URL(latestRequests[0]).searchParams.has('offering')).toBe(false);
    const db = await srv.app.db.store.query(
      `SELECT d.code, o.value::float8 AS v FROM dataset d JOIN LATERAL (SELECT value FROM observation WHERE dataset_id = d.id ORDER BY time DESC LIMIT 1) o ON true`,
    );
    expect(await page.$eval('#latest-panel', (e) => Number(e.dataset.rows))).toBe(db.rows.length);
    const ouvea = (db.rows as { code: string; v: number }[]).find((r) => r.code === OUVEA_TEMP)!;
    expect(await page.textContent(`#latest-panel tr[data-dataset="${OUVEA_TEMP}"] td.num`)).toBe(`${ouvea.v} °C`);
    await page.screenshot({ path: path.join(artifacts, 'portal-latest.png'), fullPage: true });
    await page.click('#latest-button');
    expect(errors).toEqual([]);
  });

  it('keeps the selection in the address so a link reopens it', async () => {
    await openDataset();
    const hash = await page.evaluate(() => location.hash);
    expect(new URLSearchParams(hash.slice(1)).get('station')).toBe(OUVEA);
    expect(new URLSearchParams(hash.slice(1)).get('dataset')).toBe(OUVEA_TEMP);
    const p = await context.newPage();
    try {
      await p.goto(`${srv.base}/#station=${OUVEA}&dataset=${OUVEA_TEMP}`);
      await p.waitForSelector(`#dataset-panel[data-dataset="${OUVEA_TEMP}"]`);
      expect(await p.textContent('#station-panel .coords')).toBe("20°32.933'S, 166°33.659'E");
      expect(await p.inputValue('#dataset-select')).toBe(OUVEA_TEMP);
      await p.goto(`${srv.base}/#station=NO_SUCH_STATION`);
      await p.reload();
      await p.waitForSelector('body[data-loaded="true"]');
      expect(await p.$('#station-panel')).toBeNull();
      expect(await p.textContent('#station-host')).toContain('Choose an observed property');
    } finally {
      await p.close();
    }
  });

  it('pages through OGC API results and links OPeNDAP, the catalogue and the ISO record when configured', async () => {
    const other = await createTestApp({ ogcapiLimitMax: 7, ogcapiLimitDefault: 7, threddsUrl: 'https://thredds.example.org/thredds', metadataUrlTemplate: 'https://catalogue.example.org/geonetwork/srv/api/records/{id}' });
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
    try {
      const otherBase = await other.listen();
      const { p, pageErrors, requested } = await openPortal(ctx, otherBase);
      const stationPages = requested.filter((u) => u.includes('/ogcapi/collections/stations/items'));
      await p.waitForSelector('#map[data-ready="true"]', { state: 'attached' });
      expect(await p.$eval('#map', (e) => e.dataset.stationsDrawn)).toBe('30');
      expect(await p.$$eval('#station-select option', (o) => o.length)).toBe(31);
      // limit=1000 served as 7 per page: five pages by the next links.
      expect(stationPages.map((u) => new URL(u).searchParams.get('offset') ?? '0')).toEqual(['0', '7', '14', '21', '28']);
      await p.selectOption('#station-select', OUVEA);
      await p.selectOption('#dataset-select', OUVEA_TEMP);
      await p.waitForSelector('#dataset-panel');
      expect(await p.getAttribute('#dataset-panel a.opendap', 'href')).toBe(`https://thredds.example.org/thredds/dodsC/reefgate/${OUVEA_TEMP}.nc`);
      expect(await p.getAttribute('#dataset-panel a.metadata', 'href')).toBe(`https://catalogue.example.org/geonetwork/srv/api/records/${OUVEA_TEMP}`);
      // The dataset's OGC API – EDR series, beside its SOS, CSV and THREDDS links.
      const edr = (await p.getAttribute('#dataset-panel a.edr', 'href'))!;
      expect(edr).toBe(`${otherBase}/ogcapi/collections/insitu/locations/${OUVEA}?parameter-name=TEMP`);
      const cov = await fetch(edr);
      expect(cov.headers.get('content-type')).toMatch(/^application\/prs\.coverage\+json/);
      expect((await cov.json()).id).toBe(OUVEA_TEMP);
      const iso = await fetch((await p.getAttribute('#dataset-panel a.iso-record', 'href'))!);
      expect(iso.status).toBe(200);
      expect(await iso.text()).toContain(OUVEA_TEMP);
      expect(pageErrors).toEqual([]);
    } finally {
      await ctx.close();
      await other.close();
    }
  });

  it('links the OGC API page of a station and dataset, which links back to the portal', async () => {
    await openDataset();
    const stationHref = await page.getAttribute('#station-panel a.feature-page', 'href');
    expect(new URL(stationHref!).pathname).toBe(`/ogcapi/collections/stations/items/${OUVEA}`);
    expect(new URL((await page.getAttribute('#dataset-panel a.feature-page', 'href'))!).pathname).toBe(`/ogcapi/collections/datasets/items/${OUVEA_TEMP}`);
    const p = await context.newPage();
    const pageErrors: string[] = [];
    p.on('pageerror', (e) => pageErrors.push(e.message));
    p.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
    try {
      await p.goto(stationHref!);
      await p.waitForSelector('#map[data-ready="true"]');
      expect(await p.textContent('h1')).toContain(OUVEA);
      expect(await p.$eval('#map', (e) => e.dataset.featuresDrawn)).toBe('1');
      await p.click('a.portal-link');
      await p.waitForSelector(`#station-panel[data-station="${OUVEA}"]`);
      expect(await p.textContent('#station-panel .coords')).toBe("20°32.933'S, 166°33.659'E");
      expect(pageErrors).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it('shows the OGC API items page of the stations: table rows, the map drawn, usable without JavaScript', async () => {
    const codes = (await srv.app.db.store.query('SELECT code FROM station ORDER BY id')).rows.map((r) => (r as { code: string }).code);
    const p = await context.newPage();
    const pageErrors: string[] = [];
    p.on('pageerror', (e) => pageErrors.push(e.message));
    p.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
    const noJs = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB', javaScriptEnabled: false });
    try {
      // No f=: the browser's own Accept header chooses the HTML page.
      await p.goto(`${srv.base}/ogcapi/collections/stations/items?limit=100`);
      expect(await p.$$eval('#features tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.id))).toEqual(codes);
      await p.waitForSelector('#map[data-ready="true"]');
      expect(await p.$eval('#map', (e) => ({ total: e.dataset.featuresTotal, drawn: e.dataset.featuresDrawn }))).toEqual({ total: '30', drawn: '30' });
      // Each drawn feature is marker-coloured on the map canvas at its pixel.
      const drawn = await p.$$eval('#map-features li', (els) => els.map((e) => ({ id: (e as HTMLElement).dataset.id!, x: Number((e as HTMLElement).dataset.x), y: Number((e as HTMLElement).dataset.y) })));
      expect(drawn.map((d) => d.id).sort()).toEqual([...codes].sort());
      const inked = await p.$eval(
        '#map',
        (el, points) => {
          const canvases = Array.from(el.querySelectorAll('canvas'));
          return points.filter(({ x, y }) =>
            canvases.some((c) => {
              const scale = c.width / c.getBoundingClientRect().width;
              const [r, g, b, a] = c.getContext('2d')!.getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data;
              // The marker fill (#0b6e99), or the selected one, or the white ring where markers overlap.
              return a > 200 && ((r < 60 && g > 80 && b > 120) || (r > 200 && g > 200 && b > 200) || (r > 180 && g < 120));
            }),
          ).length;
        },
        drawn,
      );
      expect(inked).toBe(drawn.length);
      // Clicking a marker highlights its row.
      const amedee = drawn.find((d) => d.id === 'NCL_AMEDEE')!;
      const box = (await p.locator('#map').boundingBox())!;
      await p.mouse.click(box.x + amedee.x, box.y + amedee.y);
      await p.waitForSelector('tr.selected-row');
      expect(await p.$$eval('tr.selected-row', (r) => r.length)).toBe(1);
      await p.screenshot({ path: path.join(artifacts, 'ogcapi-stations-items.png'), fullPage: true });
      expect(pageErrors).toEqual([]);

      // Without JavaScript: the same table, no empty map box, and the paging links work.
      const q = await noJs.newPage();
      await q.goto(`${srv.base}/ogcapi/collections/stations/items?f=html&limit=10`);
      expect(await q.$$eval('#features tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.id))).toEqual(codes.slice(0, 10));
      expect(await q.isHidden('#map')).toBe(true);
      expect(await q.textContent('#features tbody tr td:nth-child(3)')).toBeTruthy();
      await q.click('a[rel="next"]');
      await q.waitForURL(/offset=10/);
      expect(await q.$$eval('#features tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.id))).toEqual(codes.slice(10, 20));
      await q.screenshot({ path: path.join(artifacts, 'ogcapi-stations-items-nojs.png'), fullPage: true });
    } finally {
      await p.close();
      await noJs.close();
    }
  });

  it('draws the configured base map tiles under the page security policy', async () => {
    // A 1x1 PNG tile server standing in for PORTAL_BASEMAP_URL.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    const tiles: string[] = [];
    const tileServer = http.createServer((req, res) => {
      tiles.push(req.url ?? '');
      res.writeHead(200, { 'Content-Type': 'image/png', 'Access-Control-Allow-Origin': '*' });
      res.end(png);
    });
    await new Promise<void>((r) => tileServer.listen(0, '127.0.0.1', r));
    const tileBase = `http://127.0.0.1:${(tileServer.address() as AddressInfo).port}`;
    const other = await createTestApp({ portalBasemapUrl: `${tileBase}/tiles/{z}/{x}/{y}.png` });
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
    try {
      const otherBase = await other.listen();
      const { p, pageErrors } = await openPortal(ctx, otherBase);
      await p.waitForFunction(() => document.getElementById('map')!.dataset.stationsDrawn === '30');
      expect(tiles.length).toBeGreaterThan(0);
      for (const u of tiles) expect(u).toMatch(/^\/tiles\/\d+\/\d+\/\d+\.png$/);
      expect(pageErrors).toEqual([]);
    } finally {
      await ctx.close();
      await other.close();
      await new Promise((r) => tileServer.close(r));
    }
  });

  it('is French for a French browser, reachable by keyboard and fits a phone screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'fr-FR', isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const p = await phone.newPage();
    const phoneErrors: string[] = [];
    p.on('console', (m) => m.type() === 'error' && phoneErrors.push(m.text()));
    p.on('pageerror', (e) => phoneErrors.push(e.message));
    try {
      await p.goto(`${srv.base}/`);
      await p.waitForSelector('body[data-loaded="true"]');
      expect(await p.getAttribute('html', 'lang')).toBe('fr');
      expect(await p.textContent('label[for="property-select"]')).toBe('Paramètre observé');
      expect(await p.textContent('#latest-button')).toBe('Dernières valeurs');
      await p.waitForFunction(() => /\d/.test(document.getElementById('status')!.textContent ?? ''));
      expect(await p.textContent('#status')).toBe('30 stations affichées');

      // Keyboard only: Tab reaches the controls; choosing a station then a dataset from its panel with Enter.
      const focused: string[] = [];
      for (let i = 0; i < 12; i++) {
        await p.keyboard.press('Tab');
        focused.push(await p.evaluate(() => document.activeElement?.id ?? ''));
      }
      expect(focused).toEqual(expect.arrayContaining(['latest-button', 'lang-button', 'map', 'property-select', 'station-select']));
      await p.focus('#station-select');
      await p.selectOption('#station-select', OUVEA);
      await p.waitForSelector(`#station-panel[data-station="${OUVEA}"]`);
      let onDataset = false;
      for (let i = 0; i < 20 && !onDataset; i++) {
        await p.keyboard.press('Tab');
        onDataset = await p.evaluate(() => Boolean(document.activeElement?.closest('.dataset-list')));
      }
      expect(onDataset).toBe(true);
      await p.keyboard.press('Enter');
      await p.waitForSelector('#dataset-panel');
      expect(await p.textContent('#dataset-panel h2')).toContain('Jeu de données');
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await p.waitForSelector('.chart[data-state="ready"]', { timeout: 20_000 });
      await p.screenshot({ path: path.join(artifacts, 'portal-phone-fr.png'), fullPage: true });

      // Latest values on a phone: the list scrolls inside its panel, the page stays short.
      await p.click('#latest-button');
      await p.waitForSelector('#latest-host table tbody tr');
      const latest = await p.$eval('#latest-host', (e) => ({ client: e.clientHeight, scroll: e.scrollHeight, page: document.documentElement.scrollHeight }));
      expect(latest.scroll).toBeGreaterThan(latest.client);
      expect(latest.client).toBeLessThanOrEqual(844);
      await p.click('#latest-button');
      await p.click('#lang-button');
      expect(await p.textContent('label[for="property-select"]')).toBe('Observed property');
      expect(await p.textContent('#status')).toBe('30 stations shown');
      expect(await p.getAttribute('html', 'lang')).toBe('en');
      expect(phoneErrors).toEqual([]);
    } finally {
      await phone.close();
    }
  });
});
