/**
 * Requests and responses born with the Express app's prototypes (src/http/appPrototypes.ts): the
 * listener sees them on arrival (so Express's Object.setPrototypeOf changes nothing), a later app
 * adopted by the same server gives its own to the requests after it, and the objects stay Node's
 * IncomingMessage / ServerResponse with Express's helpers working.
 */
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { AppPrototypes } from '../../src/http/appPrototypes';
import { listen } from '../../src/server';

/** An app that reports whether the request and response had its prototypes before Express handled them. */
function reportingApp(name: string) {
  const app = express();
  app.get('/who', (req, res) => {
    res.json({ app: name, instances: req instanceof http.IncomingMessage && res instanceof http.ServerResponse, query: req.query });
  });
  const seen: { req: boolean; res: boolean }[] = [];
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    seen.push({ req: Object.getPrototypeOf(req) === app.request, res: Object.getPrototypeOf(res) === app.response });
    app(req, res);
  };
  return { app, listener, seen };
}

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

async function get(server: Server, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const { port } = server.address() as AddressInfo;
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

test('an Express app given to listen() gets requests and responses born with its prototypes', async () => {
  const a = reportingApp('a');
  // listen() recognises the app itself; the reporting wrapper hands it the same objects.
  const server = await listen(a.listener, 0, '127.0.0.1', new AppPrototypes(a.app));
  servers.push(server);
  const r = await get(server, '/who?x=1');
  expect(r).toEqual({ status: 200, body: { app: 'a', instances: true, query: { x: '1' } } });
  expect(a.seen).toEqual([{ req: true, res: true }]);

  const direct = await listen(a.app, 0, '127.0.0.1');
  servers.push(direct);
  expect((await get(direct, '/who')).body).toMatchObject({ app: 'a', instances: true });
});

test('a plain listener keeps Node’s own classes', async () => {
  let proto: unknown;
  const server = await listen(
    (req, res) => {
      proto = Object.getPrototypeOf(req);
      res.end('{}');
    },
    0,
    '127.0.0.1',
  );
  servers.push(server);
  await get(server, '/');
  expect(proto).toBe(http.IncomingMessage.prototype);
});

test('after adopt(), requests are born as the new app’s while the old app still answers its own', async () => {
  const first = reportingApp('first');
  const second = reportingApp('second');
  const prototypes = new AppPrototypes(first.app);
  let handler = first.listener;
  const server = await listen((req, res) => handler(req, res), 0, '127.0.0.1', prototypes);
  servers.push(server);
  expect((await get(server, '/who')).body).toMatchObject({ app: 'first' });
  prototypes.adopt(second.app);
  handler = second.listener;
  expect((await get(server, '/who')).body).toMatchObject({ app: 'second', instances: true });
  expect(first.seen).toEqual([{ req: true, res: true }]);
  expect(second.seen).toEqual([{ req: true, res: true }]);
});
