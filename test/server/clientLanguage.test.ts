import net from 'node:net';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import supertest from 'supertest';
import { loadConfig } from '../../src/config/config';
import { createApp, listen } from '../../src/server';
import { createTestDb, TestDb } from '../helpers/testStore';
import { expectValidXml } from '../helpers/xmllint';

/**
 * Every answer is in the client's language: OGC endpoints answer unknown methods and paths with an
 * ExceptionReport (405 + Allow, 404), JSON endpoints with JSON, browsers get the portal's 404 page;
 * never Express's "Cannot PUT /wfs". A client that aborts mid-body is no error in the server log.
 */
let db: TestDb;
let server: Server;
let base: string;
let http: supertest.Agent;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  db = await createTestDb();
  const config = loadConfig({ LOG_LEVEL: 'debug' });
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logLines.push(JSON.parse(line));
      cb();
    },
  });
  const app = createApp({ config, store: db.store, log: pino({ level: 'debug' }, sink) });
  http = supertest.agent(app);
  server = await listen(app, 0, '127.0.0.1');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(() => r(undefined)));
  await db?.drop();
});

function expectReport(r: { status: number; text: string; headers: Record<string, string> }, status: number, code: string): void {
  expect(r.status).toBe(status);
  expect(r.headers['content-type']).toMatch(/^application\/xml/);
  expect(r.text).not.toMatch(/Cannot (PUT|DELETE|GET|PATCH)/);
  expect(r.text).toContain(`exceptionCode="${code}"`);
  expectValidXml(r.text, 'ows11');
}

describe('OGC endpoints', () => {
  it.each(['wfs', 'sos', 'ows'])('PUT, DELETE and PATCH on /%s are a 405 ExceptionReport with Allow', async (ep) => {
    for (const method of ['put', 'delete', 'patch'] as const) {
      const r = await http[method](`/${ep}`).set('Content-Type', 'application/xml').send('<x/>');
      expectReport(r, 405, 'OperationNotSupported');
      expect(r.headers.allow).toBe('GET, POST');
    }
  });

  it.each(['/wfs/foo', '/sos/x/y', '/ows/a', '/wfs/collections'])('%s is a 404 ExceptionReport', async (path) => {
    expectReport(await http.get(path), 404, 'NotFound');
    expectReport(await http.post(path).set('Content-Type', 'application/xml').send('<x/>'), 404, 'NotFound');
  });

  it('/metadata: another method is a 405, a bare path a 404 ExceptionReport', async () => {
    const r = await http.delete('/metadata/x.xml');
    expectReport(r, 405, 'OperationNotSupported');
    expect(r.headers.allow).toBe('GET');
    expectReport(await http.get('/metadata/'), 404, 'InvalidParameterValue');
  });

  it('GET on the endpoints still works', async () => {
    expect((await http.get('/wfs?service=WFS&request=GetCapabilities')).status).toBe(200);
  });
});

describe('JSON endpoints and unknown paths', () => {
  it('POST /healthz and DELETE /readyz are a JSON 405 with Allow', async () => {
    for (const r of [await http.post('/healthz'), await http.delete('/readyz')]) {
      expect(r.status).toBe(405);
      expect(r.headers.allow).toBe('GET, HEAD');
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(r.body.status).toBe(405);
    }
  });

  it('an unknown path is JSON for a script', async () => {
    const r = await http.get('/no/such/thing').set('Accept', '*/*');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.body).toEqual({ error: 'not found', status: 404 });
  });

  it("an unknown path is the portal's own page for a browser", async () => {
    const r = await http.get('/no/such/page').set('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.text).toContain('Page not found');
    expect(r.text).not.toContain('Cannot GET');
    // The security headers (CSP) apply to it as to every page.
    expect(r.headers['content-security-policy']).toBeDefined();
  });
});

describe('a client aborting mid-body', () => {
  it('is not logged at error level ("request failed")', async () => {
    const before = logLines.length;
    const { port } = new URL(base);
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(Number(port), '127.0.0.1', () => {
        s.write(`POST /wfs HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nContent-Length: 100000\r\n\r\n<wfs:GetFeature service="WFS"`);
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 200);
      });
      s.on('error', reject);
    });
    // Wait until the server has logged the request's end (its 'close').
    for (let i = 0; i < 100 && !logLines.slice(before).some((l) => l.msg === 'request'); i++) await new Promise((r) => setTimeout(r, 50));
    const mine = logLines.slice(before);
    expect(mine.some((l) => l.msg === 'request' && l.aborted === true)).toBe(true);
    expect(mine.filter((l) => (l.level as number) >= 50)).toEqual([]);
    expect(mine.some((l) => l.msg === 'request failed')).toBe(false);
    expect(mine.some((l) => l.msg === 'client aborted the request body' && l.level === 20)).toBe(true);
  });
});
