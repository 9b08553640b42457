/**
 * HTTP caching (src/http/caching.ts) and compression (src/http/compression.ts) through the real app on
 * the demo database: validators on the metadata documents of every protocol and on closed data windows,
 * 304s answered without reading data (a store that records every statement), writes that change the
 * validators of what they touched only, errors never cached, gzip/br that decode to the plain answer;
 * stations and datasets pages reused with the catalogue until a write (here or on another gateway).
 */
import nodeHttp, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import supertest from 'supertest';
import { loadConfig } from '../../src/config/config';
import type { Store } from '../../src/data/store';
import { PgStore } from '../../src/data/pgStore';
import { listenForChanges } from '../../src/ingest/changes';
import { importParts, ImportPart, PartKind } from '../../src/ingest/importer';
import { createLogger } from '../../src/log';
import { forgetCatalogue, loadCatalogue } from '../../src/query/catalogue';
import { shelfSize } from '../../src/query/pageCache';
import { createApp, listen } from '../../src/server';
import { textBody } from '../helpers/app';
import { usingPostgres } from '../helpers/env';
import { oneSeriesSet } from '../helpers/importSet';
import { createTestDb, TestDb } from '../helpers/testStore';

/** The store with every statement it runs (query or stream) recorded. */
function recording(store: Store, log: string[]): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'query' || prop === 'stream') {
        return (text: string, ...rest: unknown[]) => {
          log.push(text);
          return (target[prop] as (...a: unknown[]) => unknown).call(target, text, ...rest);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

const A = 'OUVEA01_TEMP_0A_SBE56';
const B = 'CHESTER_TEMP_0A_SBE56';
const PROC_A = 'NCL_OUVEA01_SBE56';
const window = (code: string, fmt = 'text/csv') =>
  `/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${code}&temporalFilter=om:phenomenonTime,2024-03-01T00:00:00Z/2024-04-01T00:00:00Z&responseFormat=${encodeURIComponent(fmt)}`;

const METADATA = [
  '/wfs?SERVICE=WFS&REQUEST=GetCapabilities',
  '/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=1.1.0',
  '/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=1.0.0',
  '/sos?service=SOS&request=GetCapabilities&acceptVersions=2.0.0',
  '/sos?service=SOS&request=GetCapabilities&acceptVersions=1.0.0',
  '/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType&TYPENAMES=reef:Station',
  `/sos?service=SOS&version=2.0.0&request=DescribeSensor&procedure=${PROC_A}&procedureDescriptionFormat=http://www.opengis.net/sensorml/2.0`,
  `/metadata/${A}.xml`,
  '/ogcapi?f=json',
  '/ogcapi/conformance?f=json',
  '/ogcapi/collections?f=json',
  '/ogcapi/collections/observations?f=json',
  '/ogcapi/collections/observations/queryables',
  '/ogcapi/api?f=json',
];

let db: TestDb;
let store: Store;
let statements: string[];
let http: supertest.Agent;
let server: Server;
let base: string;

beforeAll(async () => {
  db = await createTestDb('demo');
  statements = [];
  // A fixed public URL: supertest binds a new port per request, and the documents (so their tags) name the host.
  const config = { ...loadConfig({ LOG_LEVEL: 'silent' }), publicUrl: 'http://gateway.test' };
  store = recording(db.store, statements);
  const app = createApp({ config, store, log: createLogger('silent') });
  http = supertest.agent(app);
  // A listening server for what supertest would decode before the test sees it (content codings).
  server = await listen(app, 0, '127.0.0.1');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await db?.drop();
});

/** A GET without content coding (supertest asks for gzip by default). */
const get = (path: string, headers: Record<string, string> = {}) => http.get(path).set({ 'Accept-Encoding': 'identity', ...headers }).buffer(true).parse(textBody);

/** One part of the import layout holding this text. */
const part = (kind: PartKind, csv: string): ImportPart => ({ kind, file: `${kind}.csv`, text: (async function* () { yield csv; })() });

/** One observation written to a dataset, through the one write path (as POST /ingest does). */
async function write(code: string, value: number, time = '2024-03-10T00:00:00Z'): Promise<void> {
  // Through the app's store: the writer drops that store's cached catalogue, as it does in the gateway.
  await importParts(store, { description: 'caching.test' }, [part('observations', `dataset_id,time,value,qc\n${code},${time},${value},1\n`)]);
}

/** A new station with one dataset of five observations, through the one write path. */
async function writeStation(code: string, dataset: string): Promise<void> {
  const set = oneSeriesSet({ station: code, name: `Station ${code}`, network: 'ReefTEMPS', producer: 'IRD Nouméa' }, dataset, '2024-05-01');
  await importParts(store, { description: 'caching.test' }, [part('stations', set.STATIONS), part('datasets', set.DATASETS), part('observations', set.OBS)]);
}

describe('validators and conditional requests', () => {
  test.each(METADATA)('%s: strong ETag, Last-Modified, a revalidating policy; 304 on If-None-Match and If-Modified-Since', async (path) => {
    const r = await get(path);
    expect(r.status).toBe(200);
    expect(r.headers.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(new Date(r.headers['last-modified']).getTime()).toBeGreaterThan(0);
    expect(r.headers['cache-control']).toMatch(/^public, max-age=\d+, must-revalidate$/);
    const again = await get(path, { 'If-None-Match': r.headers.etag });
    expect(again.status).toBe(304);
    expect(again.text ?? '').toBe('');
    expect(again.headers.etag).toBe(r.headers.etag);
    expect(again.headers['cache-control']).toBe(r.headers['cache-control']);
    expect((await get(path, { 'If-Modified-Since': r.headers['last-modified'] })).status).toBe(304);
    // Another tag, or an older date: the full answer.
    expect((await get(path, { 'If-None-Match': '"other"' })).status).toBe(200);
    expect((await get(path, { 'If-Modified-Since': 'Thu, 01 Jan 2015 00:00:00 GMT' })).status).toBe(200);
  });

  test('representations of one URL differ in tag: versions, formats, negotiated media types', async () => {
    const tags = await Promise.all(
      ['/wfs?SERVICE=WFS&REQUEST=GetCapabilities', '/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=1.1.0', window(A), window(A, 'application/json')].map(async (p) => (await get(p)).headers.etag),
    );
    const html = (await get('/ogcapi/collections', { Accept: 'text/html' })).headers.etag;
    const json = (await get('/ogcapi/collections', { Accept: 'application/json' })).headers.etag;
    expect(new Set([...tags, html, json]).size).toBe(6);
  });

  test('OGC API: Vary: Accept when Accept chose the format; not when f= did (one representation for every Accept)', async () => {
    for (const path of ['/ogcapi', '/ogcapi/collections', '/ogcapi/collections/stations', '/ogcapi/collections/stations/items', '/ogcapi/conformance']) {
      const negotiated = await get(path, { Accept: 'text/html' });
      expect([path, negotiated.status]).toEqual([path, 200]);
      expect([path, negotiated.headers.vary]).toEqual([path, expect.stringMatching(/(^|, )Accept(,|$)/)]);
      const byUrl = [await get(`${path}?f=json`, { Accept: 'text/html' }), await get(`${path}?f=json`, { Accept: 'application/json' }), await get(`${path}?f=json`)];
      for (const r of byUrl) {
        expect([path, r.status, r.headers['content-type']]).toEqual([path, 200, expect.stringMatching(/json/)]);
        expect([path, r.headers.vary ?? '']).toEqual([path, expect.not.stringMatching(/(^|, )Accept(,|$)/)]);
      }
      // The same representation, so the same tag whatever Accept said, and a 304 for any Accept.
      expect(new Set(byUrl.map((r) => r.headers.etag)).size).toBe(1);
      if (byUrl[0].headers.etag) {
        const again = await get(`${path}?f=json`, { Accept: 'text/html', 'If-None-Match': byUrl[0].headers.etag });
        expect([path, again.status]).toEqual([path, 304]);
        expect([path, again.headers.vary ?? '']).toEqual([path, expect.not.stringMatching(/(^|, )Accept(,|$)/)]);
      }
      const html = await get(`${path}?f=html`, { Accept: 'application/json' });
      expect([path, html.headers['content-type']]).toEqual([path, expect.stringMatching(/^text\/html/)]);
      expect([path, html.headers.vary ?? '']).toEqual([path, expect.not.stringMatching(/(^|, )Accept(,|$)/)]);
    }
  });

  test('a closed window is cached long, and its 304 runs no statement at all; an open window has no validators', async () => {
    // A catalogue read now, so the 304s below fall within its 2 s reuse wherever earlier tests left it.
    forgetCatalogue(store);
    const r = await get(window(A));
    expect(r.status).toBe(200);
    expect((r.body as string).split('\n').length).toBeGreaterThan(100);
    expect(r.headers['cache-control']).toBe('public, max-age=86400');
    expect(r.headers.etag).toBeDefined();
    statements.length = 0;
    const again = await get(window(A), { 'If-None-Match': r.headers.etag });
    expect(again.status).toBe(304);
    // Nothing read: no observation, no count of the XML limit, no catalogue (loaded by the first request).
    expect(statements).toEqual([]);
    // The same for an O&M document, whose size limit counts observations before streaming.
    const om = await get(window(A, 'http://www.opengis.net/om/2.0'));
    expect(om.status).toBe(200);
    statements.length = 0;
    expect((await get(window(A, 'http://www.opengis.net/om/2.0'), { 'If-None-Match': om.headers.etag })).status).toBe(304);
    expect(statements).toEqual([]);

    const open = await get(`/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${A}&temporalFilter=om:phenomenonTime,2024-03-01T00:00:00Z/2999-01-01T00:00:00Z&responseFormat=text/csv`);
    expect(open.status).toBe(200);
    expect(open.headers.etag).toBeUndefined();
    expect(open.headers['cache-control']).toBe('no-cache');
    const latest = await get(`/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${A}&temporalFilter=om:phenomenonTime,latest&responseFormat=text/csv`);
    expect(latest.headers.etag).toBeUndefined();
  });

  test('OGC API items: a closed datetime window of observations is validated, an open one is not', async () => {
    forgetCatalogue(store);
    const closed = await get('/ogcapi/collections/observations/items?datetime=2024-03-01T00:00:00Z/2024-03-02T00:00:00Z&limit=5&f=json');
    expect(closed.status).toBe(200);
    expect(closed.headers['cache-control']).toBe('public, max-age=86400');
    statements.length = 0;
    expect((await get('/ogcapi/collections/observations/items?datetime=2024-03-01T00:00:00Z/2024-03-02T00:00:00Z&limit=5&f=json', { 'If-None-Match': closed.headers.etag })).status).toBe(304);
    expect(statements).toEqual([]);
    const open = await get('/ogcapi/collections/observations/items?limit=5&f=json');
    expect(open.headers.etag).toBeUndefined();
    expect((await get('/ogcapi/collections/stations/items?f=json')).headers.etag).toBeDefined();
  });

  test('errors are never stored and carry no validators', async () => {
    for (const p of ['/sos?service=SOS&version=2.0.0&request=DescribeSensor&procedure=NOPE&procedureDescriptionFormat=http://www.opengis.net/sensorml/2.0', '/metadata/NOPE.xml', '/ogcapi/collections/nope', window('NOPE')]) {
      const r = await get(p);
      expect([p, r.status >= 400]).toEqual([p, true]);
      expect([p, r.headers['cache-control']]).toEqual([p, 'no-store']);
      // No validator of ours (Express still adds its weak body-hash tag to res.send bodies; no-store keeps them out of caches).
      expect(r.headers.etag ?? 'W/').toMatch(/^W\//);
      expect(r.headers['last-modified']).toBeUndefined();
    }
  });

  test('a write changes the validators of exactly what it touched', async () => {
    const tag = async (p: string) => (await get(p)).headers.etag as string;
    const paths = { a: window(A), b: window(B), sensorA: METADATA[6], recordA: `/metadata/${A}.xml`, caps: METADATA[3], dft: METADATA[5] };
    const before = Object.fromEntries(await Promise.all(Object.entries(paths).map(async ([k, p]) => [k, await tag(p)])));
    await write(B, 21.5);
    const afterB = Object.fromEntries(await Promise.all(Object.entries(paths).map(async ([k, p]) => [k, await tag(p)])));
    expect(afterB.a).toBe(before.a);
    expect(afterB.sensorA).toBe(before.sensorA);
    expect(afterB.recordA).toBe(before.recordA);
    expect(afterB.dft).toBe(before.dft);
    expect(afterB.b).not.toBe(before.b);
    expect(afterB.caps).not.toBe(before.caps);
    // The old tag of B's window now gets the new data.
    expect((await get(paths.b, { 'If-None-Match': before.b })).status).toBe(200);
    await write(A, 22.5);
    const afterA = Object.fromEntries(await Promise.all(Object.entries(paths).map(async ([k, p]) => [k, await tag(p)])));
    expect(afterA.a).not.toBe(before.a);
    expect(afterA.sensorA).not.toBe(before.sensorA);
    expect(afterA.recordA).not.toBe(before.recordA);
    expect(afterA.b).toBe(afterB.b);
    expect(afterA.caps).not.toBe(afterB.caps);
    expect(afterA.dft).toBe(before.dft);
  });
});

describe('compression', () => {
  /** A raw GET (no decoding by the client): status, headers and the bytes as sent. */
  const raw = (path: string, enc: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: nodeHttp.IncomingHttpHeaders; body: Buffer }>((resolve, reject) =>
      nodeHttp
        .get(base + path, { headers: { 'Accept-Encoding': enc, ...headers } }, async (res) => {
          const chunks: Buffer[] = [];
          for await (const c of res) chunks.push(c as Buffer);
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) });
        })
        .on('error', reject),
    );

  test.each([
    ['gzip', (b: Buffer) => zlib.gunzipSync(b)],
    ['br', (b: Buffer) => zlib.brotliDecompressSync(b)],
  ])('%s: a streamed series and a capabilities body decode to the plain answer, with their own tags', async (enc, decode) => {
    for (const p of [window(A), METADATA[0]]) {
      const plain = await get(p);
      const r = await raw(p, `${enc}, identity;q=0.5`);
      expect(r.headers['content-encoding']).toBe(enc);
      expect(r.headers.vary).toMatch(/Accept-Encoding/);
      expect(decode(r.body).toString('utf8')).toBe(plain.body);
      expect(r.body.length).toBeLessThan(Buffer.byteLength(plain.body as string) / 2);
      expect(r.headers.etag).toBe(plain.headers.etag.replace(/"$/, enc === 'gzip' ? '-gz"' : '-br"'));
      // A cache revalidating its compressed copy gets its 304.
      expect((await raw(p, enc, { 'If-None-Match': r.headers.etag! })).status).toBe(304);
    }
  });

  test('small answers and clients that do not ask stay plain, q=0 is a refusal', async () => {
    const hour = `/sos?service=SOS&version=2.0.0&request=GetObservation&offering=${A}&temporalFilter=om:phenomenonTime,2024-03-01T00:00:00Z/2024-03-01T01:00:00Z&responseFormat=text/csv`;
    const small = await raw(hour, 'gzip');
    expect(small.body.length).toBeLessThan(1024);
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.headers.vary).toMatch(/Accept-Encoding/);
    const none = await raw(window(A), 'identity');
    expect(none.headers['content-encoding']).toBeUndefined();
    expect((await raw(window(A), 'gzip;q=0, br;q=0')).headers['content-encoding']).toBeUndefined();
    expect((await raw(window(A), 'gzip;q=1, br;q=0.5')).headers['content-encoding']).toBe('gzip');
  });
});

describe('stations and datasets pages kept with the catalogue (src/query/pageCache.ts)', () => {
  const PAGES = [
    '/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=reef:Station',
    '/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=reef:Station&OUTPUTFORMAT=application/geo%2Bjson',
    '/wfs?SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAME=reef:Dataset',
    '/wfs?SERVICE=WFS&VERSION=1.0.0&REQUEST=GetFeature&TYPENAME=reef:Station',
    '/ogcapi/collections/stations/items?f=json&limit=500',
    '/ogcapi/collections/datasets/items?f=json&limit=500',
    '/ogcapi/collections/stations/items?f=csv&limit=500',
    '/ogcapi/collections/stations/items?f=html&limit=500',
  ];
  /** The statements that read features or count them (every feature column is named c0…, every count n), not the catalogue's. */
  const pageReads = (log: string[]) => log.filter((s) => /\bAS c0\b|count\(\*\)::bigint AS n\b/.test(s));
  const text = (r: { body: unknown }) => r.body as string;
  /** A document without its timeStamp (the time of the answer, not of the data; the HTML page's summary ends with it). */
  const untimed = (body: string) => body.replace(/timeStamp="[^"]*"|"timeStamp":"[^"]*"|(data-matched="\d+">[^<]*· )[^<]*/g, '$1timeStamp');

  test('a page is read once, then answered without a statement and byte for byte the same until a write, which the next request sees', async () => {
    forgetCatalogue(store);
    const first = await Promise.all(PAGES.map((p) => get(p)));
    for (const [i, r] of first.entries()) expect([PAGES[i], r.status]).toEqual([PAGES[i], 200]);
    statements.length = 0;
    const again = await Promise.all(PAGES.map((p) => get(p)));
    expect(pageReads(statements)).toEqual([]);
    for (const [i, r] of again.entries()) {
      expect([PAGES[i], untimed(text(r))]).toEqual([PAGES[i], untimed(text(first[i]))]);
      expect([PAGES[i], r.headers['content-type'], r.headers.etag]).toEqual([PAGES[i], first[i].headers['content-type'], first[i].headers.etag]);
    }

    // A new station (and its dataset) through the write path of this process: every page shows it at once.
    await writeStation('PC_NEW01', 'PC_NEW01_TEMP');
    statements.length = 0;
    const created = await Promise.all(PAGES.map((p) => get(p)));
    // Read again (pages of one statement, as the JSON and HTML stations pages, share what was read).
    expect(pageReads(statements).length).toBeGreaterThanOrEqual(PAGES.length - 1);
    for (const [i, r] of created.entries()) {
      expect([PAGES[i], text(r).includes(PAGES[i].includes('Dataset') || PAGES[i].includes('datasets') ? 'PC_NEW01_TEMP' : 'PC_NEW01')]).toEqual([PAGES[i], true]);
      expect([PAGES[i], text(first[i]).includes('PC_NEW01')]).toEqual([PAGES[i], false]);
    }

    // Observations only (no catalogue row created): the station's last observation and the dataset's end move.
    await write(A, 23.5, '2031-01-01T00:00:00Z');
    const moved = await Promise.all(PAGES.map((p) => get(p)));
    expect(text(moved[0])).toContain('<reef:lastObservation>2031-01-01T00:00:00Z</reef:lastObservation>');
    expect(text(created[0])).not.toContain('2031-01-01');
    expect(text(moved[2])).toContain('<reef:endTime>2031-01-01T00:00:00Z</reef:endTime>');
    expect(text(moved[4])).toContain('"lastObservation":"2031-01-01T00:00:00Z"');
    expect(text(moved[5])).toContain('"endTime":"2031-01-01T00:00:00Z"');
  });

  test("a kept page's links are written once per URL and kept with it: a repeat writes none, another URL of the page its own", async () => {
    const page = '/ogcapi/collections/stations/items?f=json&limit=500';
    const linksOf = (r: { body: unknown }) => JSON.stringify(JSON.parse(text(r)).links);
    // The catalogue is reloaded every 2 s (a new one starts with no pages): measured again if it was meanwhile.
    for (let attempt = 0; ; attempt++) {
      forgetCatalogue(store);
      const catalogue = await loadCatalogue(store);
      const first = await get(page);
      const kept = shelfSize(catalogue).chars;
      const again = await get(page);
      const afterRepeat = shelfSize(catalogue).chars;
      // The same page at an explicit offset: the same rows and features, links of its own URL.
      const other = await get(`${page}&offset=0`);
      const afterOther = shelfSize(catalogue).chars;
      if (catalogue !== (await loadCatalogue(store)) && attempt < 3) continue;
      expect(linksOf(again)).toBe(linksOf(first));
      expect(afterRepeat).toBe(kept);
      expect(JSON.parse(text(other)).links.find((l: { rel: string }) => l.rel === 'self').href).toBe('http://gateway.test/ogcapi/collections/stations/items?limit=500&offset=0&f=geojson');
      expect(JSON.parse(text(first)).links.find((l: { rel: string }) => l.rel === 'self').href).toBe('http://gateway.test/ogcapi/collections/stations/items?limit=500&f=geojson');
      // Its links are kept too (the key that names them is counted with them).
      expect(afterOther - afterRepeat).toBeGreaterThan(linksOf(other).length);
      expect(JSON.parse(text(other)).features).toEqual(JSON.parse(text(first)).features);
      return;
    }
  });

  (usingPostgres() ? test : test.skip)('another gateway reuses its page until the NOTIFY of a write here, then answers with the write', async () => {
    const log = createLogger('silent');
    const otherStatements: string[] = [];
    const other = recording(new PgStore({ connectionString: db.url! }), otherStatements);
    const sub = listenForChanges(other, log)!;
    try {
      await sub.ready;
      const second = supertest(createApp({ config: { ...loadConfig({ LOG_LEVEL: 'silent' }), publicUrl: 'http://gateway.test' }, store: other, log }));
      const page = (p: string) => second.get(p).set('Accept-Encoding', 'identity').buffer(true).parse(textBody);
      const before = await Promise.all(PAGES.map(page));
      otherStatements.length = 0;
      expect(untimed(text(await page(PAGES[0])))).toBe(untimed(text(before[0])));
      expect(pageReads(otherStatements)).toEqual([]);
      await writeStation('PC_NEW02', 'PC_NEW02_TEMP');
      // The notification travels through PostgreSQL; wait for it, not for the catalogue's 2 s reuse period.
      for (let i = 0; i < 250 && sub.received === 0; i++) await new Promise((res) => setTimeout(res, 20));
      expect(sub.received).toBeGreaterThanOrEqual(1);
      const after = await Promise.all(PAGES.map(page));
      for (const [i, r] of after.entries()) {
        expect([PAGES[i], text(r).includes('PC_NEW02')]).toEqual([PAGES[i], true]);
        expect([PAGES[i], text(before[i]).includes('PC_NEW02')]).toEqual([PAGES[i], false]);
      }
    } finally {
      await sub.close();
      await other.close();
    }
  });
});
