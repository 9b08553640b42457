import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../../config/config';
import type { Store } from '../../data/store';
import { AppMetrics, createAppMetrics, RequestLabels } from '../../metrics/metrics';
import type { OwsError } from '../../ows/errors';
import type { OwsRequest, ServiceDefinition } from '../../ows/types';
import { ApiKey, authorizeOperation } from '../../security/apiKey';
import { checkKvpLimits } from '../../security/kvpLimits';
import { parseKvp } from '../kvp';
import { cors } from './cors';
import { HeavyLimiter, isHeavyOperation } from './heavyLimiter';
import { RateCounter, rateLimit } from './rateLimit';
import { requestDeadline } from './requestDeadline';
import { securityHeaders } from './securityHeaders';

/** Query strings beyond this are refused as a whole (414) by toOwsRequest; no need to parse more here. */
const MAX_QUERY_CHARS = 64 * 1024;

/** Paths never rate-limited: probes and the metrics scrape. */
const PROBE_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** The HTTP push endpoints (src/ingest/route.ts). */
const INGEST_PATHS = new Set(['/ingest', '/ingest/stations', '/ingest/datasets', '/ingest/observations']);

/** Fixed labels for non-OGC paths; anything else is 'other' so scanners cannot blow up label cardinality. */
function pathLabels(path: string): RequestLabels {
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/ows' || p === '/wfs' || p === '/sos') return { service: p.slice(1).toUpperCase(), operation: 'none' };
  if (PROBE_PATHS.has(p)) return { service: 'none', operation: p.slice(1) };
  if (p === '/') return { service: 'none', operation: 'landing' };
  if (INGEST_PATHS.has(p)) return { service: 'none', operation: 'ingest' };
  return { service: 'none', operation: 'other' };
}

/** Origin of the portal's basemap tile template, which the CSP must allow as an image source. */
function originOf(urlTemplate: string | undefined): string[] {
  if (!urlTemplate) return [];
  try {
    const u = new URL(urlTemplate);
    return u.protocol === 'http:' || u.protocol === 'https:' ? [u.origin] : [];
  } catch {
    return [];
  }
}

export interface HardeningDeps {
  config: Config;
  store: Store;
  /** The app's one error renderer (server.ts sendError). */
  sendError: (res: Response, err: OwsError) => void;
  /** /metrics text when it covers more than this app (a cluster's workers added up); default: this app's. */
  metricsText?: () => Promise<string>;
  /** Where RATE_LIMIT_PER_MINUTE is counted when not in this process (a cluster worker asks the primary); default: here. */
  rateCounter?: RateCounter;
}

/** The cross-cutting protections of the HTTP layer, built once per app. */
export interface Hardening {
  /** Mount first, on every path: metrics, security headers, CORS (with preflight), rate limit. */
  before: RequestHandler[];
  /** Mount on the OGC endpoints before the body parser: request deadline (REQUEST_TIMEOUT_MS), then KVP limits. */
  entry: RequestHandler[];
  /** GET /metrics (Prometheus text format). */
  metricsHandler: RequestHandler;
  metrics: AppMetrics;
  heavy: HeavyLimiter;
  /**
   * Runs one selected OGC operation under the request limits: the API-key hook of write operations,
   * and a heavy-request slot held until the response has been written. fn gets the key a write was
   * authorised with.
   */
  run(req: Request, res: Response, owsReq: OwsRequest, def: ServiceDefinition, signal: AbortSignal, fn: (apiKey: ApiKey | undefined) => Promise<void>): Promise<void>;
  /**
   * Runs a request of a front-end that is not an OWS service (OGC API) under the same limits: its
   * metric labels (a closed set), and a heavy-request slot when it reads data.
   */
  guard(res: Response, labels: RequestLabels, heavy: boolean, signal: AbortSignal, fn: () => Promise<void>): Promise<void>;
}

/** Builds the middleware and guards from the configuration (all limits documented in docs/security.md). */
export function createHardening({ config, store, sendError, metricsText, rateCounter }: HardeningDeps): Hardening {
  const metrics = createAppMetrics(store);
  const heavy = new HeavyLimiter(config.maxHeavyRequests, config.heavyQueueSize, () => metrics.rejected('queue_full'));
  metrics.setHeavySource(() => heavy.stats());

  const observe: RequestHandler = (req, res, next) => {
    const t0 = process.hrtime.bigint();
    metrics.inflight.inc();
    res.once('close', () => {
      metrics.inflight.dec();
      const labels = (res.locals.metricLabels as RequestLabels | undefined) ?? pathLabels(req.path);
      const status = res.writableFinished ? String(res.statusCode) : 'aborted';
      metrics.observeRequest(labels, status, Number(process.hrtime.bigint() - t0) / 1e9);
    });
    next();
  };

  const limiter = rateLimit({
    perMinute: config.rateLimitPerMinute,
    trustProxy: config.trustProxy,
    counter: rateCounter,
    exempt: (p) => PROBE_PATHS.has(p),
    reject: (res, err) => {
      metrics.rejected('rate_limited');
      sendError(res, err);
    },
  });

  const deadline = requestDeadline(config.requestTimeoutMs, (res, err) => {
    metrics.rejected('timeout');
    sendError(res, err);
  });

  const metricsHandler: RequestHandler = async (_req, res) => {
    let text: string;
    try {
      text = metricsText ? await metricsText() : await metrics.render();
    } catch {
      // A cluster's primary that did not answer: a partial sum would read as a drop in every counter.
      res.status(503).setHeader('Retry-After', '5').type('text/plain').send('metrics unavailable: the primary process did not answer\n');
      return;
    }
    res.setHeader('Content-Type', metrics.contentType);
    res.send(text);
  };

  const kvpLimits = { maxValueLength: config.maxKvpValueLength, maxParameters: 100, maxNameLength: 128 };
  // Checked before dispatch so an over-long value gets its own locator whatever the operation.
  const kvpGuard: RequestHandler = (req, res, next) => {
    const q = req.originalUrl.indexOf('?');
    if (q < 0) return next();
    try {
      checkKvpLimits(parseKvp(req.originalUrl.slice(q + 1, q + 1 + MAX_QUERY_CHARS)), kvpLimits);
    } catch (err) {
      sendError(res, err as OwsError);
      return;
    }
    next();
  };

  return {
    before: [observe, securityHeaders([...config.cspImgSrc, ...originOf(config.portalBasemapUrl)]), cors(config.corsOrigin), limiter],
    entry: [deadline, kvpGuard],
    metricsHandler,
    metrics,
    heavy,
    async run(req, res, owsReq, def, signal, fn) {
      const operation = Object.keys(def.operations).find((k) => k.toLowerCase() === owsReq.request?.trim().toLowerCase()) ?? 'none';
      const apiKey = authorizeOperation(operation, req.headers, config.apiKeys);
      return this.guard(res, { service: def.name, operation }, isHeavyOperation(operation), signal, () => fn(apiKey));
    },
    async guard(res, labels, isHeavy, signal, fn) {
      res.locals.metricLabels = labels;
      if (!isHeavy) return fn();
      const release = await heavy.acquire(signal);
      try {
        await fn();
      } finally {
        release();
      }
    },
  };
}
