import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { Config, loadConfig } from '../../src/config/config';
import { createLogger, Logger } from '../../src/log';
import { createApp, listen } from '../../src/server';
import { createTestDb, TestDb } from './testStore';

export interface TestApp {
  db: TestDb;
  config: Config;
  app: ReturnType<typeof createApp>;
  /** supertest agent bound to the app (no port). */
  http: supertest.Agent;
  /** Starts a real listening server (for real clients: ogrinfo, OWSLib, browsers); returns its base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** An app over a fresh demo database, with configuration overrides for the test (and a logger of its own, to read the request log). */
export async function createTestApp(overrides: Partial<Config> = {}, dbKind: 'demo' | 'empty' = 'demo', opts: { log?: Logger } = {}): Promise<TestApp> {
  const db = await createTestDb(dbKind);
  const config = { ...loadConfig({ LOG_LEVEL: 'silent' }), ...overrides };
  const log = opts.log ?? createLogger(config.logLevel);
  const app = createApp({ config, store: db.store, log });
  let server: Server | undefined;
  return {
    db,
    config,
    app,
    http: supertest.agent(app),
    async listen() {
      server = await listen(app, 0, '127.0.0.1');
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async close() {
      if (server) {
        server.closeAllConnections();
        await new Promise((r) => server!.close(() => r(undefined)));
      }
      await db.drop();
    },
  };
}

/** The response a supertest stream parser receives (supertest's other parser form takes a string). */
type StreamedResponse = Parameters<Exclude<Parameters<supertest.Test['parse']>[0], (str: string) => unknown>>[0];

/**
 * A supertest body parser that keeps any response as text (`res.body` is a string, whatever the
 * content type), decoding UTF-8 across chunk boundaries: `.buffer(true).parse(textBody)`.
 */
export function textBody(res: StreamedResponse, cb: (err: Error | null, body: string) => void): void {
  let s = '';
  res.setEncoding('utf8');
  res.on('data', (c: string) => (s += c));
  res.on('end', () => cb(null, s));
}

/**
 * A gateway listening on a real port for the tests around it (clients that need a URL: GDAL,
 * OWSLib, fetch), started before them and closed after; `app` and `base` are read once started. Over
 * the demo database, or an empty one (`dbKind`) that `prepare` can fill before the port opens; `log`
 * is the gateway's logger, for a test that reads its request log.
 */
export function listeningApp(
  overrides: Partial<Config> = {},
  opts: { dbKind?: 'demo' | 'empty'; prepare?: (app: TestApp) => Promise<void>; log?: Logger } = {},
): { readonly app: TestApp; readonly base: string } {
  let app: TestApp | undefined;
  let base = '';
  beforeAll(async () => {
    app = await createTestApp(overrides, opts.dbKind, { log: opts.log });
    await opts.prepare?.(app);
    base = await app.listen();
  });
  afterAll(async () => {
    await app?.close();
  });
  return {
    get app() {
      if (!app) throw new Error('listeningApp: read before it started (use it inside a test or a hook)');
      return app;
    },
    get base() {
      return base;
    },
  };
}
