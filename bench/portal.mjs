#!/usr/bin/env node
// Portal benchmark in headless Debian chromium (playwright-core; never a downloaded browser).
// Measures, each run in a fresh browser context (cold cache):
//   - first render: navigation start -> stations drawn on the map (performance mark set by the portal),
//   - page weight: bytes of every resource the page loaded (document, bundle, styles, OGC API data),
//   - chart: selecting a station -> its last year drawn; "All data" -> its whole record drawn (server downsampling),
//     and, for comparison, fetching the same whole record raw (no downsample).
// Usage (a gateway must be running):
//   PORTAL_URL=http://127.0.0.1:8080/ BENCH_STATION=NCL_CHESTER BENCH_RUNS=5 node bench/portal.mjs
// Results: printed as Markdown and written to bench/results/portal-<time>.json.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { median } from './lib/script.mjs';

const url = process.env.PORTAL_URL ?? 'http://127.0.0.1:8080/';
const runs = Number(process.env.BENCH_RUNS ?? 5);
const station = process.env.BENCH_STATION ?? '';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];


/** Sizes of everything loaded so far, grouped by kind (PerformanceResourceTiming, same origin so sizes are exposed). */
async function weight(page) {
  return page.evaluate(() => {
    const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
    const out = {};
    for (const e of entries) {
      const kind = e.entryType === 'navigation' ? 'document' : e.initiatorType === 'link' ? 'css' : e.initiatorType === 'script' ? 'js' : e.initiatorType === 'fetch' ? 'data' : e.initiatorType;
      out[kind] ??= { requests: 0, transfer: 0, decoded: 0 };
      out[kind].requests++;
      out[kind].transfer += e.transferSize;
      out[kind].decoded += e.decodedBodySize;
    }
    return out;
  });
}

async function oneRun(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName('reefgate:stations-drawn').length > 0, null, { timeout: 60_000 });
  const firstRender = await page.evaluate(() => performance.getEntriesByName('reefgate:stations-drawn')[0].startTime);
  const stations = Number(await page.$eval('#map', (e) => e.dataset.stationsDrawn));
  // Weigh the page once it has settled, so what loads after the first render (the land layer) counts.
  await page.waitForLoadState('networkidle');
  const w = await weight(page);
  const phases = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource');
    const end = (pred) => res.find(pred)?.responseEnd ?? NaN;
    return {
      documentMs: nav.responseEnd,
      bundleLoadedMs: end((e) => e.initiatorType === 'script'),
      domContentLoadedMs: nav.domContentLoadedEventEnd,
      stationsFetchedMs: end((e) => e.name.includes('/collections/stations/items')),
      // The offline land layer (issue 17), loaded after the bundle; NaN before it existed.
      landLoadedMs: end((e) => /\/land-[^/]*\.json/.test(e.name)),
    };
  });
  const result = { firstRenderMs: firstRender, phases, stations, weight: w, errors };

  const code = station || (await page.$$eval('#station-select option', (o) => o[1]?.value));
  const waitChart = () => page.waitForSelector('.chart[data-state="ready"]', { timeout: 60_000 });
  let t0 = await page.evaluate(() => performance.now());
  await page.selectOption('#station-select', code);
  await page.waitForSelector('.chart[data-state="loading"]', { state: 'attached' });
  await waitChart();
  result.chartYearMs = (await page.evaluate(() => performance.now())) - t0;
  result.chartYearPoints = Number(await page.$eval('.chart canvas', (c) => c.dataset.points));

  const before = await page.evaluate(() => performance.getEntriesByType('resource').length);
  t0 = await page.evaluate(() => performance.now());
  await page.click('.chart .zoom-all');
  await page.waitForSelector('.chart[data-state="loading"]', { state: 'attached' });
  await waitChart();
  result.chartAllMs = (await page.evaluate(() => performance.now())) - t0;
  result.chartAllPoints = Number(await page.$eval('.chart canvas', (c) => c.dataset.points));
  result.chartAllBytes = await page.evaluate((n) => performance.getEntriesByType('resource').slice(n).reduce((s, e) => s + e.decodedBodySize, 0), before);

  // The same whole record without downsampling, for comparison: one dataset's raw JSON series.
  const raw = await page.evaluate(async (stationCode) => {
    const sel = document.querySelector('#dataset-select');
    const offerings = [...sel.options].map((o) => o.value).filter(Boolean);
    let best = { points: 0 };
    for (const offering of offerings) {
      const q = new URLSearchParams({ service: 'SOS', version: '2.0.0', request: 'GetObservation', offering, responseFormat: 'application/json' });
      const t = performance.now();
      const res = await fetch(`sos?${q}`);
      const text = await res.text();
      const ms = performance.now() - t;
      const points = JSON.parse(text).series[0]?.points.length ?? 0;
      if (points > best.points) best = { offering, points, bytes: text.length, ms };
    }
    return { station: stationCode, ...best };
  }, code);
  result.rawLargestSeries = raw;
  result.station = code;
  await context.close();
  return result;
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
const results = [];
try {
  for (let i = 0; i < runs; i++) results.push(await oneRun(browser));
} finally {
  await browser.close();
}

const total = (r, key) => Object.values(r.weight).reduce((s, k) => s + k[key], 0);
const summary = {
  url,
  runs,
  station: results[0].station,
  stations: results[0].stations,
  firstRenderMs: { median: median(results.map((r) => r.firstRenderMs)), min: Math.min(...results.map((r) => r.firstRenderMs)), max: Math.max(...results.map((r) => r.firstRenderMs)) },
  phasesMs: Object.fromEntries(Object.keys(results[0].phases).map((k) => [k, median(results.map((r) => r.phases[k]))])),
  pageTransferBytes: median(results.map((r) => total(r, 'transfer'))),
  pageDecodedBytes: median(results.map((r) => total(r, 'decoded'))),
  weightByKind: results[0].weight,
  chartYearMs: median(results.map((r) => r.chartYearMs)),
  chartYearPoints: results[0].chartYearPoints,
  chartAllMs: median(results.map((r) => r.chartAllMs)),
  chartAllPoints: results[0].chartAllPoints,
  chartAllBytes: results[0].chartAllBytes,
  rawLargestSeries: results[0].rawLargestSeries,
  rawLargestSeriesMs: median(results.map((r) => r.rawLargestSeries.ms)),
  errors: results.flatMap((r) => r.errors),
};

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, `portal-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(file, JSON.stringify({ summary, results }, null, 2));

const kb = (b) => `${(b / 1024).toFixed(1)} KiB`;
console.log(`| ${url} | ${runs} runs, median |`);
console.log('|---|---|');
console.log(`| stations drawn | ${summary.stations} |`);
console.log(`| first render (navigation → stations drawn) | ${summary.firstRenderMs.median.toFixed(0)} ms (min ${summary.firstRenderMs.min.toFixed(0)}, max ${summary.firstRenderMs.max.toFixed(0)}) |`);
console.log(`| — phases (median ms from navigation) | ${Object.entries(summary.phasesMs).map(([k, v]) => `${k.replace(/Ms$/, '')} ${v.toFixed(0)}`).join(', ')} |`);
console.log(`| page weight, transferred | ${kb(summary.pageTransferBytes)} |`);
for (const [k, v] of Object.entries(summary.weightByKind)) console.log(`| — ${k} | ${v.requests} request(s), ${kb(v.transfer)} transferred, ${kb(v.decoded)} decoded |`);
console.log(`| chart, last year of ${summary.station} | ${summary.chartYearMs.toFixed(0)} ms, ${summary.chartYearPoints} points drawn |`);
console.log(`| chart, all data of ${summary.station} (downsampled) | ${summary.chartAllMs.toFixed(0)} ms, ${summary.chartAllPoints} points drawn, ${kb(summary.chartAllBytes)} |`);
console.log(`| raw JSON of ${summary.rawLargestSeries.offering} (no downsample) | ${summary.rawLargestSeriesMs.toFixed(0)} ms, ${summary.rawLargestSeries.points} points, ${kb(summary.rawLargestSeries.bytes)} |`);
if (summary.errors.length) console.log(`page errors: ${summary.errors.join('; ')}`);
console.error(`details: ${path.relative(process.cwd(), file)}`);
