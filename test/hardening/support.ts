import net from 'node:net';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { Config, loadConfig } from '../../src/config/config';
import type { Store } from '../../src/data/store';
import { createLogger } from '../../src/log';
import { OwsError } from '../../src/ows/errors';
import { OwsResponse, ServiceDefinition, xmlResponse } from '../../src/ows/types';
import { createApp, listen } from '../../src/server';

/** Waits ms, or rejects as soon as the signal aborts (like a well-behaved database call). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason ?? new Error('aborted'));
    }, { once: true });
  });
}

/**
 * A probe service standing in for WFS so the plumbing (deadline, limiter, cancellation, faults)
 * is tested with exactly controlled work, independent of the real operations:
 *   GetFeature?mode=sleep&ms=N     waits N ms (abortable)
 *   GetFeature?mode=pgsleep&s=N    streams SELECT pg_sleep(N) through a server-side cursor
 *   GetFeature?mode=query&s=N      runs SELECT pg_sleep(N) as a plain query (no cancellation but statement_timeout)
 *   GetFeature?mode=count          counts stations (any database round trip)
 *   Transaction                    a write operation behind the API-key hook
 */
export function probeService(): ServiceDefinition {
  return {
    name: 'WFS',
    versions: ['2.0.0'],
    xmlNamespaces: ['http://www.opengis.net/wfs/2.0'],
    exceptionVersion: () => '2.0.0',
    operations: {
      GetCapabilities: async () => xmlResponse('<probe/>'),
      Transaction: async () => xmlResponse('<written/>'),
      GetFeature: async (req, ctx): Promise<OwsResponse> => {
        const mode = req.kvp.get('mode') ?? 'count';
        if (mode === 'sleep') {
          await sleep(Number(req.kvp.get('ms') ?? '1000'), ctx.signal);
          return xmlResponse('<slept/>');
        }
        if (mode === 'query') {
          await ctx.store.query('SELECT pg_sleep($1::float8)', [Number(req.kvp.get('s') ?? '1')]);
          return xmlResponse('<slept/>');
        }
        if (mode === 'pgsleep') {
          return {
            kind: 'stream',
            contentType: 'application/xml',
            produce: async (sink) => {
              for await (const rows of ctx.store.stream('SELECT pg_sleep($1::float8) AS slept', [Number(req.kvp.get('s') ?? '1')], { signal: ctx.signal })) {
                await sink.write(`<rows n="${rows.length}"/>`);
              }
            },
          };
        }
        if (mode === 'count') {
          const r = await ctx.store.query<{ n: number }>('SELECT count(*)::int AS n FROM station');
          return xmlResponse(`<count>${r.rows[0].n}</count>`);
        }
        throw new OwsError('InvalidParameterValue', 'mode', 'unknown mode');
      },
    },
  };
}

export interface ProbeApp {
  http: supertest.Agent;
  app: ReturnType<typeof createApp>;
  config: Config;
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** An app over the given store with the probe service (or the given services). */
export function createProbeApp(store: Store, overrides: Partial<Config> = {}, services: ServiceDefinition[] = [probeService()]): ProbeApp {
  const config = { ...loadConfig({ LOG_LEVEL: 'silent' }), ...overrides };
  const app = createApp({ config, store, log: createLogger(config.logLevel), services });
  let server: Server | undefined;
  return {
    http: supertest.agent(app),
    app,
    config,
    async listen() {
      server ??= await listen(app, 0, '127.0.0.1');
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async close() {
      if (!server) return;
      server.closeAllConnections();
      await new Promise((r) => server!.close(() => r(undefined)));
    },
  };
}

/**
 * A TCP proxy between the gateway and PostgreSQL that a test can take down, bring back, cut, or turn
 * into a black hole (accepts connections, forwards nothing) — database faults without touching the
 * shared server.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  mode: 'forward' | 'blackhole' = 'forward';
  port = 0;

  constructor(private readonly upstreamHost: string, private readonly upstreamPort: number) {}

  /** Listens (again) on the same port. */
  async start(): Promise<void> {
    const server = net.createServer((c) => this.accept(c));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and cuts every connection: the database looks down (connection refused). */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    this.cutAll();
    if (s) await new Promise((r) => s.close(() => r(undefined)));
  }

  /** Destroys every open connection (both directions): like a network cut or a database crash. */
  cutAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Silences every open connection (bytes are swallowed, nothing is reset) and ignores new ones until mode is 'forward' again. */
  blackholeAll(): void {
    this.mode = 'blackhole';
    for (const s of this.sockets) {
      s.unpipe();
      s.removeAllListeners('data');
      s.on('data', () => undefined);
    }
  }

  private track(s: net.Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => undefined);
  }

  private accept(c: net.Socket): void {
    this.track(c);
    if (this.mode === 'blackhole') return;
    const up = net.connect(this.upstreamPort, this.upstreamHost);
    this.track(up);
    c.pipe(up);
    up.pipe(c);
    c.on('close', () => up.destroy());
    up.on('close', () => c.destroy());
  }
}

/** Parses the exception of an ExceptionReport body (code, locator, text). */
export function exceptionOf(body: string): { code: string; locator: string; text: string } | undefined {
  const m = /<ows:Exception exceptionCode="([^"]*)" locator="([^"]*)"[^>]*>\s*<ows:ExceptionText>([\s\S]*?)<\/ows:ExceptionText>/.exec(body);
  return m ? { code: m[1], locator: m[2], text: m[3] } : undefined;
}

/** Text of a supertest response whatever its content type. */
export function bodyText(res: { text?: string; body?: unknown }): string {
  if (typeof res.text === 'string') return res.text;
  if (Buffer.isBuffer(res.body)) return res.body.toString('utf8');
  return String(res.body ?? '');
}
