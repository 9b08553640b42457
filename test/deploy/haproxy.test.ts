/**
 * Integration: Debian's HAProxy runs docker/haproxy/haproxy.cfg (only bind and server addresses mapped
 * to loopback ports, and the certificate path to a self-signed one made here) in front of two gateway
 * instances and stand-ins for THREDDS and GeoNetwork. Clients speak HTTPS to it, as in production.
 * The rate-limit tests start more HAProxy processes on the same file, with the environment compose
 * gives it (RATE_LIMIT_PER_MINUTE, RATE_LIMIT_CLIENT, CORS_ORIGIN), in front of the same gateways.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import supertest from 'supertest';
import { createLogger } from '../../src/log';
import { createApp, listen } from '../../src/server';
import { createTestApp, TestApp } from '../helpers/app';
import { usingPostgres } from '../helpers/env';
import { expectValidXml, hasTool } from '../helpers/xmllint';
import { freePort } from '../helpers/gatewayProcess';
import { selfSignedPem } from './tls';

const ROOT = path.resolve(__dirname, '../..');
const HAS_HAPROXY = hasTool('haproxy', ['-v']);
const maybe = HAS_HAPROXY ? describe : describe.skip;

export interface Ports {
  http: number;
  https: number;
  stats: number;
  gateways: number[];
  thredds: number;
  geonetwork: number;
}

/** The production config with bind and server addresses mapped to loopback ports and the certificate to `certFile`; every other line unchanged. */
export function loopbackVariant(cfg: string, p: Ports, certFile: string): string {
  const dropResolvers = (opts: string) => opts.replace(/\s*resolvers \S+/, '');
  return cfg
    .split('\n')
    .map((line) => {
      let m: RegExpMatchArray | null;
      if ((m = line.match(/^(\s*)bind :80$/))) return `${m[1]}bind 127.0.0.1:${p.http}`;
      if ((m = line.match(/^(\s*)bind :443 ssl crt \S+(.*)$/))) return `${m[1]}bind 127.0.0.1:${p.https} ssl crt ${certFile}${m[2]}`;
      if ((m = line.match(/^(\s*)bind :8404$/))) return `${m[1]}bind 127.0.0.1:${p.stats}`;
      if ((m = line.match(/^(\s*)server-template (\S+) \S+ gateway:8080(.*)$/))) {
        return p.gateways.map((port, i) => `${m![1]}server ${m![2]}${i + 1} 127.0.0.1:${port}${dropResolvers(m![3])}`).join('\n');
      }
      if ((m = line.match(/^(\s*)server (thredds|geonetwork) \2:8080(.*)$/))) {
        return `${m[1]}server ${m[2]} 127.0.0.1:${m[2] === 'thredds' ? p.thredds : p.geonetwork}${dropResolvers(m[3])}`;
      }
      return line;
    })
    .join('\n');
}

/** A stand-in backend that answers every request with its name, the path and the forwarded headers. */
async function standIn(name: string): Promise<http.Server> {
  const s = http.createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ name, url: req.url, xff: req.headers['x-forwarded-for'], xfh: req.headers['x-forwarded-host'], xfp: req.headers['x-forwarded-proto'] }));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return s;
}

const portOf = (s: http.Server) => (s.address() as AddressInfo).port;

/**
 * A request over http or https (trusting `ca`), answered as a fetch Response with the body as sent
 * (no content decoding). Node's fetch cannot be told to trust a certificate without undici itself.
 */
function request(url: string, ca: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Response> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(u, { method, ca, agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        const status = res.statusCode ?? 0;
        resolve(new Response([204, 304].includes(status) ? null : Buffer.concat(chunks), { status, headers: h }));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** The CLI bundled from the current sources (so a stale dist/ can never be tested), inside the package for packageRoot(). */
function bundleCli(): string {
  const out = path.join(ROOT, 'test/artifacts', `reefgate-cli-${process.pid}.js`);
  buildSync({ entryPoints: [path.join(ROOT, 'src/main.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', outfile: out, logLevel: 'error' });
  return out;
}

/** One gateway: a separate `reefgate serve` process (PostgreSQL), or the app listening in this process (PGlite). */
interface Gateway {
  port: number;
  stop(): Promise<void>;
  /** Request headers seen (in-process gateways only). */
  headers?: http.IncomingHttpHeaders[];
}

async function startProcessGateway(cli: string, databaseUrl: string): Promise<Gateway> {
  const port = await freePort();
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', TRUST_PROXY: 'true', PUBLIC_URL: '', LOG_LEVEL: 'warn', NODE_OPTIONS: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const deadline = Date.now() + 180_000; // a cap against a hang, not a speed check (CI may run on busy cores)
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`gateway process did not start: ${err}`);
    await sleep(200);
  }
  return {
    port,
    // SIGTERM: the gateway's graceful shutdown (stop accepting, finish in-flight, exit).
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function startInProcessGateway(app: ReturnType<typeof createApp>): Promise<Gateway> {
  const server = await listen(app, 0, '127.0.0.1');
  const headers: http.IncomingHttpHeaders[] = [];
  server.on('request', (req: http.IncomingMessage) => headers.push(req.headers));
  return {
    port: portOf(server),
    headers,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(() => r(undefined)));
    },
  };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

maybe('HAProxy (docker/haproxy/haproxy.cfg) in front of two gateways, THREDDS and GeoNetwork', () => {
  let t: TestApp;
  const gateways: Gateway[] = [];
  let cli: string | undefined;
  let thredds: http.Server;
  let geonetwork: http.Server;
  let proxy: ChildProcess;
  let dir: string;
  let pem: string;
  let ports: Ports;
  let base: string;
  let plainBase: string;
  let ca: string;
  /** GET (or `method`) through the proxy's HTTPS port, trusting the test certificate. */
  const get = (url: string, init: { headers?: Record<string, string>; method?: string } = {}) => request(url, ca, init.headers, init.method);

  /** HAProxy's stats CSV (of the proxy whose stats page is on `statsPort`) as backend/server → field → value. */
  async function stats(statsPort = ports.stats): Promise<Record<string, Record<string, string>>> {
    const r = await fetch(`http://127.0.0.1:${statsPort}/stats;csv`);
    const [head, ...lines] = (await r.text()).split('\n');
    const names = head.replace(/^# /, '').split(',');
    const out: Record<string, Record<string, string>> = {};
    for (const l of lines) {
      const f = l.split(',');
      if (f.length < names.length - 1) continue;
      out[`${f[0]}/${f[1]}`] = Object.fromEntries(names.map((n, i) => [n, f[i]]));
    }
    return out;
  }
  const status = async (key: string) => (await stats())[key]?.status;
  /** 2xx responses each gateway server has sent so far (through the proxy of `statsPort`). */
  const served = async (statsPort?: number) => {
    const s = await stats(statsPort);
    return [Number(s['gateway/gw1'].hrsp_2xx), Number(s['gateway/gw2'].hrsp_2xx)];
  };

  /**
   * HAProxy on docker/haproxy/haproxy.cfg mapped to loopback ports `p`, with `env` added to its
   * environment (the variables compose gives it); ready when its stats page shows both gateway servers
   * and THREDDS UP.
   */
  async function startProxy(p: Ports, env: Record<string, string> = {}): Promise<{ proc: ChildProcess; log: () => string }> {
    const cfgFile = path.join(dir, `haproxy-${p.https}.cfg`);
    fs.writeFileSync(cfgFile, loopbackVariant(fs.readFileSync(path.join(ROOT, 'docker/haproxy/haproxy.cfg'), 'utf8'), p, pem));
    // Only the variables given here: none of the test runner's own.
    const { RATE_LIMIT_PER_MINUTE: _l, RATE_LIMIT_CLIENT: _c, CORS_ORIGIN: _o, ...inherited } = process.env;
    const proc = spawn('haproxy', ['-db', '-f', cfgFile], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...inherited, ...env } });
    let log = '';
    proc.stdout!.on('data', (d) => (log += d));
    proc.stderr!.on('data', (d) => (log += d));
    const deadline = Date.now() + 120_000; // a cap against a hang, not a speed check
    for (;;) {
      try {
        const s = await stats(p.stats);
        if (s['gateway/gw1']?.status === 'UP' && s['gateway/gw2']?.status === 'UP' && s['thredds/thredds']?.status === 'UP') break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`HAProxy did not become ready:\n${log}`);
      await sleep(200);
    }
    return { proc, log: () => log };
  }

  /** Fresh loopback ports for the proxy's own listeners, in front of the same backends. */
  const proxyPorts = async (): Promise<Ports> => ({ ...ports, http: await freePort(), https: await freePort(), stats: await freePort() });

  beforeAll(async () => {
    t = await createTestApp({ trustProxy: true, publicUrl: undefined });
    if (usingPostgres()) {
      // Two real `reefgate serve` processes over the test database, like two replicas.
      cli = bundleCli();
      for (let i = 0; i < 2; i++) gateways.push(await startProcessGateway(cli, t.db.url!));
    } else {
      // The embedded database lives in this process: two app instances over it instead.
      for (let i = 0; i < 2; i++) gateways.push(await startInProcessGateway(i === 0 ? t.app : createApp({ config: t.config, store: t.db.store, log: createLogger('silent') })));
    }
    thredds = await standIn('thredds');
    geonetwork = await standIn('geonetwork');
    ports = { http: await freePort(), https: await freePort(), stats: await freePort(), gateways: gateways.map((g) => g.port), thredds: portOf(thredds), geonetwork: portOf(geonetwork) };
    base = `https://127.0.0.1:${ports.https}`;
    plainBase = `http://127.0.0.1:${ports.http}`;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-haproxy-'));
    [pem, ca] = selfSignedPem(dir);
    // Without RATE_LIMIT_PER_MINUTE, as compose's default (0): no limit in the proxy.
    proxy = (await startProxy(ports)).proc;
  });

  afterAll(async () => {
    proxy?.kill('SIGTERM');
    for (const g of gateways) await g.stop();
    for (const s of [thredds, geonetwork]) {
      if (!s) continue;
      s.closeAllConnections();
      await new Promise((r) => s.close(() => r(undefined)));
    }
    await t?.db.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (cli) fs.rmSync(cli, { force: true });
  });

  test('the loopback variant changes only bind and server lines', () => {
    const orig = fs.readFileSync(path.join(ROOT, 'docker/haproxy/haproxy.cfg'), 'utf8').split('\n');
    const variant = fs.readFileSync(path.join(dir, `haproxy-${ports.https}.cfg`), 'utf8').split('\n');
    const changed = orig.filter((l) => !variant.includes(l));
    expect(changed.length).toBe(6);
    for (const l of changed) expect(l).toMatch(/^\s*(bind :(80|8404)|bind :443 ssl crt |server(-template)? )/);
  });

  test('/ows, /wfs and /sos are routed to the gateways; capabilities advertise the proxy URL', async () => {
    const cases: [string, RegExp][] = [
      ['/ows?SERVICE=WFS&REQUEST=GetCapabilities', /<wfs:WFS_Capabilities/],
      ['/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=1.1.0', /<wfs:WFS_Capabilities/],
      ['/sos?SERVICE=SOS&REQUEST=GetCapabilities&ACCEPTVERSIONS=2.0.0', /<sos:Capabilities/],
      ['/sos?SERVICE=SOS&REQUEST=GetCapabilities&ACCEPTVERSIONS=1.0.0', /<sos:Capabilities/],
    ];
    for (const [p, root] of cases) {
      // Spoofed forwarding headers from the client are replaced by the proxy's own.
      const r = await get(base + p, { headers: { 'X-Forwarded-Proto': 'http', 'X-Forwarded-Prefix': '/evil' } });
      const body = await r.text();
      expect([p, r.status]).toEqual([p, 200]);
      expect(body).toMatch(root);
      const endpoint = p.slice(0, 4);
      expect(body).toContain(`"${base}${endpoint}`);
      const hrefs = [...body.matchAll(/(?:href|xlink:href)="(https?:\/\/[^"]+)"/g)].map((m) => m[1]).filter((u) => u.includes('127.0.0.1'));
      expect(hrefs.length).toBeGreaterThan(0);
      for (const h of hrefs) expect([p, h.startsWith(`${base}/`)]).toEqual([p, true]);
      for (const port of ports.gateways) expect(body).not.toContain(`127.0.0.1:${port}`);
      expect(body).not.toContain('/evil');
      expect(body).not.toContain('http://127.0.0.1');
    }
  });

  test('the GeoNetwork harvester URLs (WFS 1.1.0, SOS 1.0.0) answer through the proxy with what the harvester reads', async () => {
    const wfs = await (await get(`${base}/wfs?SERVICE=WFS&VERSION=1.1.0&REQUEST=GetCapabilities`)).text();
    expect(wfs).toMatch(/<wfs:WFS_Capabilities[^>]*xmlns:wfs="http:\/\/www\.opengis\.net\/wfs"/);
    expect((wfs.match(/<wfs:FeatureType\b/g) ?? []).length).toBe(3);
    const sos = await (await get(`${base}/sos?SERVICE=SOS&VERSION=1.0.0&REQUEST=GetCapabilities`)).text();
    expect(sos).toMatch(/xmlns:sos="http:\/\/www\.opengis\.net\/sos\/1\.0"/);
    const offerings = sos.match(/<sos:ObservationOffering\b[\s\S]*?<\/sos:ObservationOffering>/g) ?? [];
    expect(offerings.length).toBeGreaterThan(50);
    for (const o of offerings) expect(o).toMatch(/<gml:name>[^<]+<\/gml:name>/);
  });

  test('the proxy sets X-Forwarded-For/Proto/Host (seen by an in-process gateway, and by every backend)', async () => {
    const g = gateways[0];
    if (g.headers) {
      g.headers.length = 0;
      for (let i = 0; i < 2; i++) expect((await get(`${base}/healthz`, { headers: { 'X-Forwarded-Proto': 'http' } })).status).toBe(200);
      const h = g.headers.find((x) => x['x-forwarded-host']);
      expect(h).toMatchObject({ 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'https', 'x-forwarded-host': `127.0.0.1:${ports.https}` });
    }
    // The headers are set in the frontend, before the backend is chosen: the stand-in sees the same.
    const th = await (await get(`${base}/thredds/x`, { headers: { 'X-Forwarded-Proto': 'http', 'X-Forwarded-Host': 'evil.example' } })).json();
    expect(th).toMatchObject({ xff: '127.0.0.1', xfp: 'https', xfh: `127.0.0.1:${ports.https}` });
  });

  test('round-robin: both gateways serve requests', async () => {
    const [a0, b0] = await served();
    for (let i = 0; i < 10; i++) expect((await get(`${base}/healthz`)).status).toBe(200);
    const [a1, b1] = await served();
    expect(a1 - a0).toBeGreaterThanOrEqual(4);
    expect(b1 - b0).toBeGreaterThanOrEqual(4);
    expect(a1 - a0 + (b1 - b0)).toBe(10);
  });

  test('XML is gzip-compressed for clients that accept it', async () => {
    const res = await get(`${base}/wfs?SERVICE=WFS&REQUEST=GetCapabilities`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('gzip');
    const xml = require('node:zlib').gunzipSync(Buffer.from(await res.arrayBuffer())).toString('utf8');
    expect(xml).toContain('<wfs:WFS_Capabilities');
  });

  test('capabilities are served from HAProxy\'s cache: a repeat reaches no gateway, carries Age, and revalidates to 304', async () => {
    const p = `${base}/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0&cachetest=1`;
    const first = await get(p);
    const body = await first.text();
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toMatch(/^"/);
    const [a0, b0] = await served();
    const again = await get(p);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(body);
    expect(again.headers.get('age')).toMatch(/^\d+$/);
    const [a1, b1] = await served();
    expect(a1 + b1).toBe(a0 + b0);
    // A revalidation passes to either gateway: both give the representation the same tag.
    const cond = await get(p, { headers: { 'If-None-Match': first.headers.get('etag')! } });
    expect(cond.status).toBe(304);
    // A data request is never taken from the cache.
    const obs = `${base}/sos?service=SOS&version=2.0.0&request=GetObservation&offering=OUVEA01_TEMP_0A_SBE56&temporalFilter=om:phenomenonTime,2024-03-01T00:00:00Z/2024-03-02T00:00:00Z&responseFormat=text/csv`;
    for (let i = 0; i < 2; i++) expect((await get(obs)).status).toBe(200);
    const [a2, b2] = await served();
    expect(a2 + b2).toBe(a1 + b1 + 2);
  });

  test('OGC API through the cache: the answer Accept chose is never stored; an f= URL is, and HTML never gets JSON', async () => {
    // Negotiated by Accept (Vary: Accept): HAProxy does not store it, so the next client's Accept is honoured.
    const p = `${base}/ogcapi/collections`;
    const [a0, b0] = await served();
    const json = await get(p, { headers: { Accept: 'application/json' } });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(json.headers.get('vary')).toMatch(/(^|, )Accept(,|$)/);
    await json.text();
    const html = await get(p, { headers: { Accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await html.text()).toMatch(/^<!doctype html>/);
    const again = await get(p, { headers: { Accept: 'application/json' } });
    expect(again.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(await again.text())).toHaveProperty('collections');
    const [a1, b1] = await served();
    expect(a1 + b1).toBe(a0 + b0 + 3); // every one answered by a gateway
    // The format in the URL: one representation, stored and served to any Accept.
    const f = `${base}/ogcapi/collections?f=json`;
    const first = await get(f, { headers: { Accept: 'text/html' } });
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    expect(first.headers.get('vary') ?? '').not.toMatch(/(^|, )Accept(,|$)/);
    const body = await first.text();
    const [a2, b2] = await served();
    const cached = await get(f, { headers: { Accept: 'application/json' } });
    expect(cached.headers.get('age')).toMatch(/^\d+$/);
    expect(await cached.text()).toBe(body);
    const [a3, b3] = await served();
    expect(a3 + b3).toBe(a2 + b2);
    const page = await get(`${base}/ogcapi/collections?f=html`, { headers: { Accept: 'application/json' } });
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    await page.text();
  });

  test('TLS: HTTPS with the mounted certificate and HSTS; plain HTTP is redirected to the same URL over HTTPS', async () => {
    const r = await get(`${base}/wfs?SERVICE=WFS&REQUEST=GetCapabilities`);
    expect(r.status).toBe(200);
    expect(r.headers.get('strict-transport-security')).toBe('max-age=31536000');
    await r.text();
    // Not trusted without the certificate: the proxy really speaks TLS with it.
    await expect(request(`${base}/healthz`, '')).rejects.toThrow(/self[- ]signed|certificate/i);
    const [a0, b0] = await served();
    for (const p of ['/wfs?SERVICE=WFS&REQUEST=GetCapabilities', '/ogcapi/collections?f=json', '/thredds/catalog.xml', '/']) {
      const plain = await request(`${plainBase}${p}`, ca, { Host: 'data.example.org' });
      expect([p, plain.status]).toEqual([p, 308]);
      expect([p, plain.headers.get('location')]).toEqual([p, `https://data.example.org${p}`]);
      expect(plain.headers.get('strict-transport-security')).toBeNull();
    }
    // Answered by the proxy alone.
    const [a1, b1] = await served();
    expect(a1 + b1).toBe(a0 + b0);
  });

  test('ISO 19139 records through the proxy link to the proxy URL', async () => {
    const r = await get(`${base}/metadata/OUVEA01_TEMP_0A_SBE56.xml`);
    expect(r.status).toBe(200);
    const xml = await r.text();
    expect(xml).toContain(`<gco:CharacterString>${base}/metadata/OUVEA01_TEMP_0A_SBE56.xml</gco:CharacterString>`);
    expect(xml).toContain(`<gmd:URL>${base}/sos?service=SOS`);
  });

  test('/thredds and /geonetwork reach their backends with the forwarded headers; look-alike paths do not', async () => {
    const th = await (await get(`${base}/thredds/dodsC/reefgate/X.nc.das`)).json();
    expect(th).toMatchObject({ name: 'thredds', url: '/thredds/dodsC/reefgate/X.nc.das', xff: '127.0.0.1', xfp: 'https', xfh: `127.0.0.1:${ports.https}` });
    const gn = await (await get(`${base}/geonetwork/srv/eng/catalog.search`)).json();
    expect(gn).toMatchObject({ name: 'geonetwork', url: '/geonetwork/srv/eng/catalog.search' });
    expect(await (await get(`${base}/thredds`)).json()).toMatchObject({ name: 'thredds', url: '/thredds' });
    // A look-alike path is the gateway's: its 404, not the stand-in's echo.
    const other = await get(`${base}/threddsX`);
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain('"name":"thredds"');
  });

  test('/metrics is not exposed publicly; the stats page is on its own port', async () => {
    expect((await get(`${base}/metrics`)).status).toBe(404);
    const s = await fetch(`http://127.0.0.1:${ports.stats}/stats`);
    expect(s.status).toBe(200);
    expect(await s.text()).toContain('gateway');
    expect((await fetch(`http://127.0.0.1:${ports.stats}/healthz`)).status).toBe(200);
  });

  describe('RATE_LIMIT_PER_MINUTE in the proxy: one count per client for the whole stack', () => {
    const LIMIT = 6;
    let limited: { proc: ChildProcess; log: () => string } | undefined;
    let lp: Ports;
    let lbase: string;
    afterEach(() => {
      limited?.proc.kill('SIGTERM');
      limited = undefined;
    });
    /** Starts the proxy with this limit (and the other variables of `env`: RATE_LIMIT_CLIENT, CORS_ORIGIN), as compose does. */
    async function startLimited(env: Record<string, string> = {}) {
      limited?.proc.kill('SIGTERM');
      lp = await proxyPorts();
      lbase = `https://127.0.0.1:${lp.https}`;
      limited = await startProxy(lp, { RATE_LIMIT_PER_MINUTE: String(LIMIT), ...env });
    }
    /** Responses sent by the gateway servers of the limited proxy, by class. */
    const fromGateways = async () => {
      const s = await stats(lp.stats);
      return { ok: [Number(s['gateway/gw1'].hrsp_2xx), Number(s['gateway/gw2'].hrsp_2xx)], refused: Number(s['gateway/gw1'].hrsp_4xx) + Number(s['gateway/gw2'].hrsp_4xx) };
    };
    // no-cache: past HAProxy's cache, so every request served reaches a gateway.
    const data = (b: string, headers: Record<string, string> = {}) =>
      get(`${b}/sos?SERVICE=SOS&REQUEST=GetCapabilities&ACCEPTVERSIONS=2.0.0&SECTIONS=ServiceIdentification`, { headers: { 'Cache-Control': 'no-cache', ...headers } });

    test('more requests than the limit, spread over both gateways: the limit in total is served, the rest get 429 from the proxy', async () => {
      await startLimited();
      const before = await fromGateways();
      const statuses: number[] = [];
      let refused: Response | undefined;
      for (let i = 0; i < 2 * LIMIT + 3; i++) {
        const r = await data(lbase);
        statuses.push(r.status);
        if (r.status === 429) refused ??= r;
        else await r.text();
      }
      expect(statuses).toEqual([...Array(LIMIT).fill(200), ...Array(LIMIT + 3).fill(429)]);
      const after = await fromGateways();
      // Both gateways served (each alone would have let this client have its own LIMIT), LIMIT in all.
      const perGateway = after.ok.map((n, i) => n - before.ok[i]);
      expect(perGateway[0]).toBeGreaterThan(0);
      expect(perGateway[1]).toBeGreaterThan(0);
      expect(perGateway[0] + perGateway[1]).toBe(LIMIT);
      // The refusals never reached a gateway.
      expect(after.refused).toBe(before.refused);

      // An OWS path: an ExceptionReport, as the gateway's own 429.
      expect(refused!.headers.get('retry-after')).toBe('60');
      expect(refused!.headers.get('cache-control')).toBe('no-store');
      expect(refused!.headers.get('content-type')).toBe('application/xml; charset=utf-8');
      const xml = await refused!.text();
      expectValidXml(xml, 'ows11');
      expect(xml).toContain(`<ows:Exception exceptionCode="NoApplicableCode" locator="request"><ows:ExceptionText>Too many requests from this client (limit ${LIMIT} per minute); retry in 60 s</ows:ExceptionText>`);
      // The OGC API: its JSON error body.
      const api = await get(`${lbase}/ogcapi/collections?f=json`, { headers: { 'Cache-Control': 'no-cache' } });
      expect(api.status).toBe(429);
      expect(api.headers.get('retry-after')).toBe('60');
      expect(api.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await api.json()).toEqual({ code: 'NoApplicableCode', description: `Too many requests from this client (limit ${LIMIT} per minute); retry in 60 s` });
      // A request from the cache is counted too: the limit is on the client, not on the gateways' work.
      expect((await get(`${lbase}/wfs?SERVICE=WFS&REQUEST=GetCapabilities`)).status).toBe(429);
      // An API key does not lift the limit (the gateway does not exempt its holders; HAProxy cannot check a key).
      expect((await data(lbase, { 'X-API-Key': 'any-key' })).status).toBe(429);
      expect((await data(lbase, { Authorization: 'Bearer any-key' })).status).toBe(429);
      // Probes are exempt, as in the gateway; THREDDS and GeoNetwork are not the gateway's limit.
      expect((await get(`${lbase}/healthz`)).status).toBe(200);
      expect((await get(`${lbase}/readyz`)).status).toBe(200);
      expect((await get(`${lbase}/thredds/x`)).status).toBe(200);
      // The same configuration without the variable (the proxy of the tests above): no limit.
      const free = await data(base);
      expect(free.status).toBe(200);
      await free.text();
    });

    test('RATE_LIMIT_CLIENT=xff (behind another proxy): the client is the address that proxy appended last to X-Forwarded-For', async () => {
      await startLimited({ RATE_LIMIT_CLIENT: 'xff' });
      // Entries before the last are whatever the client claimed: changing them does not make a new client.
      const a = (i: number) => data(lbase, { 'X-Forwarded-For': `10.9.9.${i}, 203.0.113.7` });
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT + 2; i++) {
        const r = await a(i);
        statuses.push(r.status);
        await r.text();
      }
      expect(statuses).toEqual([...Array(LIMIT).fill(200), 429, 429]);
      // Another client behind the same front proxy (one connection address) has its own count.
      const b = await data(lbase, { 'X-Forwarded-For': '203.0.113.8' });
      expect(b.status).toBe(200);
      await b.text();
      // A request that did not come through the front proxy is counted by its connection address.
      for (let i = 0; i < LIMIT; i++) {
        const r = await data(lbase);
        expect([i, r.status]).toEqual([i, 200]);
        await r.text();
      }
      expect((await data(lbase)).status).toBe(429);
      // The gateways get the header as the front proxy sent it, so their own count sees the same client
      // (appended, HAProxy's connection address would be the one client of every gateway).
      const echo = await (await get(`${lbase}/thredds/x`, { headers: { 'X-Forwarded-For': '10.9.9.1, 203.0.113.7' } })).json();
      expect(echo.xff).toBe('10.9.9.1, 203.0.113.7');
      expect((await (await get(`${lbase}/thredds/x`)).json()).xff).toBe('127.0.0.1');
    });

    /** The CORS headers of an answer (Vary: only whether it names Origin). */
    const corsOf = (h: Headers) => ({
      allowOrigin: h.get('access-control-allow-origin'),
      exposeHeaders: h.get('access-control-expose-headers'),
      varyOrigin: /(^|,\s*)Origin(\s*,|$)/i.test(h.get('vary') ?? ''),
    });
    /** The CORS headers of the gateway's own 429 under CORS_ORIGIN `spec`, for a request from each of `origins` (none: no Origin header). */
    async function gateway429Cors(spec: string, origins: (string | undefined)[]) {
      const app = createApp({ config: { ...t.config, corsOrigin: spec, rateLimitPerMinute: 1 }, store: t.db.store, log: createLogger('silent') });
      const path = '/sos?SERVICE=SOS&REQUEST=GetCapabilities&ACCEPTVERSIONS=2.0.0&SECTIONS=ServiceIdentification';
      expect((await supertest(app).get(path)).status).toBe(200);
      const out = [];
      for (const origin of origins) {
        const r = await supertest(app).get(path).set(origin ? { Origin: origin } : {});
        expect(r.status).toBe(429);
        out.push(corsOf(new Headers(r.headers as Record<string, string>)));
      }
      return out;
    }

    test('CORS_ORIGIN: the proxy\'s 429 carries the CORS headers of the gateway\'s own 429 for that setting', async () => {
      const origins = [undefined, 'https://a.example', 'https://b.example', 'https://evil.example'];
      const EXPOSE = 'Retry-After, Content-Disposition, Content-Length';
      const none = { allowOrigin: null, exposeHeaders: null, varyOrigin: false };
      const cases: { env: Record<string, string>; spec: string; want: ReturnType<typeof corsOf>[] }[] = [
        // Unset: "*", compose's and the gateway's default.
        { env: {}, spec: '*', want: origins.map(() => ({ allowOrigin: '*', exposeHeaders: EXPOSE, varyOrigin: false })) },
        // A list (spaces and a trailing slash trimmed as the gateway trims them): a listed Origin echoed, Vary: Origin always.
        {
          env: { CORS_ORIGIN: 'https://a.example, https://b.example/' },
          spec: 'https://a.example, https://b.example/',
          want: [{ ...none, varyOrigin: true }, { allowOrigin: 'https://a.example', exposeHeaders: EXPOSE, varyOrigin: true }, { allowOrigin: 'https://b.example', exposeHeaders: EXPOSE, varyOrigin: true }, { ...none, varyOrigin: true }],
        },
        // Empty (CORS_ORIGIN= in .env): no CORS headers.
        { env: { CORS_ORIGIN: '' }, spec: '', want: origins.map(() => none) },
      ];
      for (const c of cases) {
        await startLimited(c.env);
        for (let i = 0; i < LIMIT; i++) {
          const r = await data(lbase, { Origin: 'https://a.example' });
          expect([c.spec, i, r.status]).toEqual([c.spec, i, 200]);
          await r.text();
        }
        const got = [];
        for (const origin of origins) {
          const r = await data(lbase, origin ? { Origin: origin } : {});
          expect([c.spec, origin, r.status]).toEqual([c.spec, origin, 429]);
          expect(r.headers.get('retry-after')).toBe('60');
          await r.text();
          got.push(corsOf(r.headers));
        }
        expect({ spec: c.spec, got }).toEqual({ spec: c.spec, got: c.want });
        expect({ spec: c.spec, gateway: await gateway429Cors(c.spec, origins) }).toEqual({ spec: c.spec, gateway: c.want });
      }
    });

    test('with CORS on, a preflight (OPTIONS) is neither counted nor refused, as in the gateway; with CORS off it is a request like any other', async () => {
      const preflight = () => get(`${lbase}/sos`, { method: 'OPTIONS', headers: { Origin: 'https://a.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' } });
      await startLimited({ CORS_ORIGIN: 'https://a.example' });
      // The browser's XML POST: a preflight before each request, and still the limit's worth of requests.
      for (let i = 0; i < LIMIT; i++) {
        expect([i, (await preflight()).status]).toEqual([i, 204]);
        const r = await data(lbase, { Origin: 'https://a.example' });
        expect([i, r.status]).toEqual([i, 200]);
        await r.text();
      }
      expect((await data(lbase, { Origin: 'https://a.example' })).status).toBe(429);
      // Over the limit the preflight still reaches a gateway: a 429 would fail the browser's request with
      // a network error whatever its headers, where after a passed preflight it sees the 429.
      expect((await preflight()).status).toBe(204);
      await startLimited({ CORS_ORIGIN: '' });
      for (let i = 0; i < LIMIT; i++) expect([i, (await preflight()).status]).toEqual([i, 204]);
      expect((await preflight()).status).toBe(429);
    });
  });

  test('with one gateway stopped, requests still succeed', async () => {
    await gateways[1].stop();
    const [a0, b0] = await served();
    // Immediately (before the health check notices): refused connections are redispatched.
    for (let i = 0; i < 12; i++) {
      // no-cache: past HAProxy's cache, so every request reaches a gateway.
      const r = await get(`${base}/sos?SERVICE=SOS&REQUEST=GetCapabilities&ACCEPTVERSIONS=2.0.0&SECTIONS=ServiceIdentification`, { headers: { 'Cache-Control': 'no-cache' } });
      expect([i, r.status]).toEqual([i, 200]);
      await r.text();
    }
    const [a1, b1] = await served();
    expect([a1 - a0, b1 - b0]).toEqual([12, 0]);
    // And the health check takes it out of rotation.
    const deadline = Date.now() + 120_000; // a cap against a hang, not a speed check
    while ((await status('gateway/gw2')) !== 'DOWN' && Date.now() < deadline) await sleep(300);
    expect(await status('gateway/gw2')).toBe('DOWN');
    expect((await get(`${base}/wfs?SERVICE=WFS&REQUEST=GetCapabilities`)).status).toBe(200);
  });
});
