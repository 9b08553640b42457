import { HeavyLimiter } from '../../src/http/middleware/heavyLimiter';
import { parseApiKeys } from '../../src/security/apiKey';
import { createTestDb, TestDb } from '../helpers/testStore';
import { expectValidXml } from '../helpers/xmllint';
import { bodyText, createProbeApp, exceptionOf } from './support';

// Concurrency limit, rate limit, CORS, security headers and the API-key hook of write operations.
let db: TestDb;
beforeAll(async () => {
  db = await createTestDb('empty');
});
afterAll(async () => {
  await db.drop();
});

const gf = (extra: Record<string, string> = {}) => ({ service: 'WFS', request: 'GetFeature', ...extra });

describe('HeavyLimiter', () => {
  test('runs at most N, queues M in order, refuses the rest with 503 + Retry-After', async () => {
    const l = new HeavyLimiter(2, 1);
    const ac = new AbortController();
    const r1 = await l.acquire(ac.signal);
    const r2 = await l.acquire(ac.signal);
    let third = false;
    const p3 = l.acquire(ac.signal).then((r) => {
      third = true;
      return r;
    });
    await expect(l.acquire(ac.signal)).rejects.toMatchObject({ status: 503, headers: { 'Retry-After': '2' } });
    expect(l.stats()).toEqual({ running: 2, queued: 1 });
    expect(third).toBe(false);
    r1();
    const r3 = await p3;
    expect(third).toBe(true);
    r1(); // a second release of the same slot is ignored
    expect(l.stats()).toEqual({ running: 2, queued: 0 });
    r2();
    r3();
    expect(l.stats()).toEqual({ running: 0, queued: 0 });
  });

  test('a queued request whose client leaves gives up its place', async () => {
    const l = new HeavyLimiter(1, 5);
    const held = await l.acquire(new AbortController().signal);
    const ac = new AbortController();
    const waiting = l.acquire(ac.signal);
    expect(l.stats().queued).toBe(1);
    ac.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(l.stats()).toEqual({ running: 1, queued: 0 });
    held();
    expect(l.stats()).toEqual({ running: 0, queued: 0 });
  });
});

describe('heavy requests through the app', () => {
  test('MAX_HEAVY_REQUESTS=1, HEAVY_QUEUE_SIZE=1: the third concurrent GetFeature gets 503 with Retry-After; light operations pass', async () => {
    const p = createProbeApp(db.store, { maxHeavyRequests: 1, heavyQueueSize: 1 });
    const base = await p.listen();
    try {
      const slow = () => fetch(`${base}/wfs?service=WFS&request=GetFeature&mode=sleep&ms=600`);
      const a = slow();
      await new Promise((r) => setTimeout(r, 50));
      const b = slow();
      await new Promise((r) => setTimeout(r, 50));
      const c = await slow();
      expect(c.status).toBe(503);
      expect(c.headers.get('retry-after')).toBe('2');
      const body = await c.text();
      expect(exceptionOf(body)).toMatchObject({ code: 'NoApplicableCode', locator: 'request' });
      expectValidXml(body, 'ows11');
      // GetCapabilities is not a data request: it is never queued.
      const caps = await fetch(`${base}/wfs?service=WFS&request=GetCapabilities`);
      expect(caps.status).toBe(200);
      const [ra, rb] = await Promise.all([a, b]);
      expect(ra.status).toBe(200);
      expect(rb.status).toBe(200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/reefgate_http_rejected_total\{reason="queue_full"\} 1/);
    } finally {
      await p.close();
    }
  });
});

describe('rate limit', () => {
  test('off by default', async () => {
    const p = createProbeApp(db.store);
    expect(p.config.rateLimitPerMinute).toBe(0);
    for (let i = 0; i < 30; i++) expect((await p.http.get('/wfs').query(gf({ mode: 'sleep', ms: '0' }))).status).toBe(200);
  });

  test('RATE_LIMIT_PER_MINUTE=3: the 4th request in a minute gets 429 with Retry-After; probes are exempt', async () => {
    const p = createProbeApp(db.store, { rateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await p.http.get('/wfs').query(gf({ mode: 'sleep', ms: '0' }))).status).toBe(200);
    const r = await p.http.get('/wfs').query(gf({ mode: 'sleep', ms: '0' }));
    expect(r.status).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(r.headers['retry-after'])).toBeLessThanOrEqual(20);
    expect(exceptionOf(bodyText(r))).toMatchObject({ code: 'NoApplicableCode', locator: 'request' });
    expectValidXml(bodyText(r), 'ows11');
    expect((await p.http.get('/healthz')).status).toBe(200);
    expect((await p.http.get('/metrics')).status).toBe(200);
  });

  test('behind a trusted proxy clients are told apart by the address the proxy appended to X-Forwarded-For', async () => {
    const p = createProbeApp(db.store, { rateLimitPerMinute: 1, trustProxy: true });
    const as = (xff: string) => p.http.get('/wfs').query(gf({ mode: 'sleep', ms: '0' })).set('X-Forwarded-For', xff);
    expect((await as('10.0.0.1')).status).toBe(200);
    expect((await as('10.0.0.2')).status).toBe(200);
    expect((await as('10.0.0.1')).status).toBe(429);
    // A client cannot dodge the limit by prepending its own X-Forwarded-For entries.
    expect((await as('1.2.3.4, 10.0.0.1')).status).toBe(429);
  });
});

describe('CORS', () => {
  test('GET from any origin is allowed by default (OGC browser clients)', async () => {
    const p = createProbeApp(db.store);
    const r = await p.http.get('/wfs').query({ service: 'WFS', request: 'GetCapabilities' }).set('Origin', 'https://maps.example.com');
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    // Errors carry it too, so a browser client can read the ExceptionReport.
    const e = await p.http.get('/wfs').query({ service: 'WFS', request: 'Nope' }).set('Origin', 'https://maps.example.com');
    expect(e.status).toBe(400);
    expect(e.headers['access-control-allow-origin']).toBe('*');
    expect(e.headers['access-control-expose-headers']).toMatch(/Retry-After/);
  });

  test('preflight OPTIONS for an XML POST is answered 204 with the allowed methods and headers', async () => {
    const p = createProbeApp(db.store);
    const r = await p.http.options('/wfs').set('Origin', 'https://maps.example.com').set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'content-type');
    expect(r.status).toBe(204);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.headers['access-control-allow-methods']).toMatch(/GET/);
    expect(r.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(r.headers['access-control-allow-headers'].toLowerCase()).toMatch(/content-type/);
  });

  test('CORS_ORIGIN as a list echoes only listed origins; empty turns CORS off', async () => {
    const p = createProbeApp(db.store, { corsOrigin: 'https://a.example, https://b.example' });
    const ok = await p.http.get('/healthz').set('Origin', 'https://b.example');
    expect(ok.headers['access-control-allow-origin']).toBe('https://b.example');
    expect(ok.headers.vary).toMatch(/Origin/);
    const no = await p.http.get('/healthz').set('Origin', 'https://evil.example');
    expect(no.headers['access-control-allow-origin']).toBeUndefined();
    const off = createProbeApp(db.store, { corsOrigin: '' });
    const r = await off.http.get('/healthz').set('Origin', 'https://a.example');
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('security headers', () => {
  test('portal and OGC responses carry nosniff, Referrer-Policy and a self-only CSP with frame-ancestors', async () => {
    const p = createProbeApp(db.store, { portalBasemapUrl: 'https://tiles.example.org/{z}/{x}/{y}.png' });
    for (const path of ['/', '/wfs?service=WFS&request=GetCapabilities', '/wfs?service=WFS&request=Nope', '/healthz']) {
      const r = await p.http.get(path);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      const csp: string = r.headers['content-security-policy'];
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toMatch(/frame-ancestors 'self'/);
      expect(csp).toMatch(/object-src 'none'/);
      // The configured basemap is the one outside origin allowed, and only for images.
      expect(csp).toMatch(/img-src 'self' data: blob: https:\/\/tiles\.example\.org(;|$)/);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
    }
    // The XML content type is untouched: clients still get application/xml.
    const x = await p.http.get('/wfs?service=WFS&request=GetCapabilities');
    expect(x.headers['content-type']).toMatch(/^application\/xml/);
  });
});

describe('API-key hook for write operations', () => {
  const tx = '<wfs:Transaction service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0"/>';

  test('API_KEYS empty (default): writes are disabled with OperationNotSupported', async () => {
    const p = createProbeApp(db.store);
    const r = await p.http.post('/wfs').set('Content-Type', 'application/xml').send(tx);
    expect(r.status).toBe(400);
    expect(exceptionOf(bodyText(r))).toMatchObject({ code: 'OperationNotSupported', locator: 'request' });
    expectValidXml(bodyText(r), 'ows11');
  });

  test('with API_KEYS: no key 401, wrong key 403, a configured key (header or bearer) passes; reads need none', async () => {
    const p = createProbeApp(db.store, { apiKeys: parseApiKeys('k-one,k-two') });
    const post = () => p.http.post('/wfs').set('Content-Type', 'application/xml');
    const none = await post().send(tx);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/Bearer/);
    expectValidXml(bodyText(none), 'ows11');
    const wrong = await post().set('X-API-Key', 'k-three').send(tx);
    expect(wrong.status).toBe(403);
    expect(bodyText(wrong)).not.toMatch(/k-one|k-two/);
    expect((await post().set('X-API-Key', 'k-two').send(tx)).status).toBe(200);
    expect((await post().set('Authorization', 'Bearer k-one').send(tx)).status).toBe(200);
    // KVP binding of the same operation goes through the same hook.
    expect((await p.http.get('/wfs').query({ service: 'WFS', request: 'transaction' })).status).toBe(401);
    expect((await p.http.get('/wfs').query(gf({ mode: 'sleep', ms: '0' }))).status).toBe(200);
  });
});
