import express, { NextFunction, Request, Response } from 'express';
import http, { type Server } from 'node:http';
import type { Config } from './config/config';
import { isMigrated } from './data/migrate';
import { requestStore } from './data/requestStore';
import { isWriteOperation } from './security/apiKey';
import { DatabaseUnavailableError, isConnectionError, QueryAbortedError, Store } from './data/store';
import { toOwsRequest } from './http/owsRequest';
import { appPrototypesOf } from './http/appPrototypes';
import { publicBaseUrl } from './http/publicUrl';
import { sendOwsResponse } from './http/send';
import type { Logger } from './log';
import { operationName, selectOperation, selectService } from './ows/dispatch';
import { cachedAnswer, owsResource, uncacheable } from './http/caching';
import { OwsError } from './ows/errors';
import { renderExceptionReport } from './ows/exceptionReport';
import { allServices } from './services';
import type { OwsContext, OwsRequest, ServiceDefinition } from './ows/types';
import { portalRouter } from './portal/routes';
import { createHardening } from './http/middleware/hardening';
import type { RateCounter } from './http/middleware/rateLimit';
import { requestAbortController } from './http/middleware/requestDeadline';
import { metadataHandler } from './metadata/route';
import { datasetDownloadHandler } from './export/route';
import { methodNotAllowed, sendNotFound, unknownServicePath } from './http/fallback';
import { EXCEPTION_CONTENT_TYPE, exceptionBody } from './ogcapi/errors';
import { ogcapiRouter } from './ogcapi/router';
import { ingestRouter } from './ingest/route';

export interface AppDeps {
  config: Config;
  store: Store;
  log: Logger;
  services?: ServiceDefinition[];
  /** /metrics text for more than this process (a cluster worker asks the primary for every worker's); default: this app's. */
  metricsText?: () => Promise<string>;
  /** Where RATE_LIMIT_PER_MINUTE is counted (a cluster worker: the primary, for the whole gateway); default: this app. */
  rateCounter?: RateCounter;
}

/** Builds the Express application: health, landing page, OGC endpoints and the one error renderer. */
export function createApp(deps: AppDeps): express.Express {
  const { config, store, log } = deps;
  const services = deps.services ?? allServices();
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.locals.inflight = 0;
  // Errors raised outside a protocol's own handlers (deadline, rate limit, body parser) in the language of the path.
  const underOgcapi = (res: Response) => {
    // originalUrl: inside a mounted router req.path is relative to the mount point.
    const p = res.req.originalUrl.split('?')[0];
    return p === config.ogcapiBasePath || p.startsWith(`${config.ogcapiBasePath}/`);
  };
  const fail = (res: Response, err: unknown) => (underOgcapi(res) ? sendOgcapiError(res, err, log) : sendError(res, err, undefined, services, log));
  const hardening = createHardening({ config, store, sendError: fail, metricsText: deps.metricsText, rateCounter: deps.rateCounter });
  app.locals.hardening = hardening;
  app.use(hardening.before);

  app.use((req, res, next) => {
    const t0 = process.hrtime.bigint();
    app.locals.inflight++;
    res.on('close', () => {
      app.locals.inflight--;
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      log.info({ method: req.method, url: req.originalUrl.slice(0, 2000), status: res.statusCode, ms: Math.round(ms * 10) / 10, bytes: res.getHeader('content-length') ?? (res as unknown as { bytesWritten?: number }).bytesWritten, aborted: !res.writableFinished }, 'request');
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    try {
      await store.query('SELECT 1');
      if (!(await isMigrated(store))) {
        res.status(503).json({ status: 'not ready', reason: 'database not migrated' });
        return;
      }
      // With read replicas the check above ran on one of them (or on the primary when none is in
      // rotation): ready means reads can be answered; how many replicas take them is said here.
      const routing = store.routingStats?.();
      const readReplicas = routing && { inRotation: routing.replicas.filter((r) => r.inRotation).length, configured: routing.replicas.length };
      res.json({ status: 'ready', store: store.kind, ...(readReplicas ? { readReplicas } : {}) });
    } catch (err) {
      res.status(503).json({ status: 'not ready', reason: 'database unreachable' });
    }
  });

  app.get('/metrics', hardening.metricsHandler);

  // ISO 19139 record per dataset (GeoNetwork, MetadataURL links): GET /metadata/{datasetCode}.xml
  app.get('/metadata/:file', metadataHandler({ config, store, sendError: (res, err) => sendError(res, err, undefined, services, log) }));

  // A dataset as a file (the portal's downloads): GET /datasets/{datasetCode}.nc (OceanSITES NetCDF), .csv (readable CSV)
  app.get('/datasets/:file', datasetDownloadHandler({ config, store, log, sendError: (res, err) => sendError(res, err, undefined, services, log) }));
  app.use(portalRouter(config, services));

  // OGC API – Features: its own paths, JSON errors ({"code","description"}).
  app.use(config.ogcapiBasePath, ogcapiRouter({ config, store, log, hardening, sendError: (res, err) => sendOgcapiError(res, err, log) }));

  // HTTP push of the import layout (docs/ingest.md): authenticated, streamed, answered in JSON.
  app.use('/ingest', ingestRouter({ config, store, log }));

  const xmlBody = express.text({ type: () => true, limit: config.maxXmlBodyBytes });
  for (const endpoint of ['ows', 'wfs', 'sos'] as const) {
    const handler = async (req: Request, res: Response) => {
      // Aborted when the client goes away or REQUEST_TIMEOUT_MS passes: cancels the database work.
      const ac = requestAbortController(res);
      let owsReq: OwsRequest | undefined;
      try {
        owsReq = toOwsRequest(req, endpoint, { maxKvpLength: 64 * 1024, maxXmlDepth: 64 });
        const def = selectService(owsReq, services);
        const op = selectOperation(owsReq, def);
        // Write operations (SOS-T) on the primary, look-ups included; reads may go to a replica.
        const ctx: OwsContext = { config, store: requestStore(store, ac.signal, { writes: isWriteOperation(owsReq.request) }), log, baseUrl: publicBaseUrl(req, config), signal: ac.signal };
        const cache = { resource: owsResource(def.name, operationName(owsReq, def)), key: { url: req.originalUrl, baseUrl: ctx.baseUrl }, config, store: ctx.store };
        await hardening.run(req, res, owsReq, def, ac.signal, async (apiKey) => {
          const out = await cachedAnswer(req, res, cache, () => op(owsReq!, apiKey ? { ...ctx, apiKey } : ctx));
          if (out) await sendOwsResponse(res, out, ac.signal, log, { compression: config.compression });
        });
      } catch (err) {
        sendError(res, err, owsReq, services, log);
      }
    };
    app.get(`/${endpoint}`, hardening.entry, handler);
    app.post(`/${endpoint}`, hardening.entry, xmlBody, handler);
    // Not Express's HTML 404: an OGC client gets an ExceptionReport (405 with Allow, or 404 below the endpoint).
    app.all(`/${endpoint}`, (req, res) => sendError(res, methodNotAllowed(req.method, ['GET', 'POST']), undefined, services, log));
    app.use(`/${endpoint}/`, (_req, res) => sendError(res, unknownServicePath(endpoint), undefined, services, log));
  }
  app.all('/metadata/:file', (req, res) => sendError(res, methodNotAllowed(req.method, ['GET']), undefined, services, log));
  app.use('/metadata', (_req, res) => sendError(res, new OwsError('InvalidParameterValue', 'datasetCode', 'Metadata records are served as /metadata/{datasetCode}.xml', { status: 404 }), undefined, services, log));
  app.all(['/healthz', '/readyz'], (req, res) => {
    res.status(405).setHeader('Allow', 'GET, HEAD').json({ error: `HTTP method ${req.method.slice(0, 20)} is not supported; use GET`, status: 405 });
  });
  app.use((req, res) => sendNotFound(req, res, config));

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    fail(res, err);
  });
  return app;
}

/**
 * What every error response does first: nothing when the response is already over (e.g. the request
 * deadline sent its 503, or the client is gone: whatever the handler throws now is moot, and no server
 * fault), a cut connection when a stream had started, else the OwsError to render, status and headers set.
 */
function errorToSend(res: Response, err: unknown, log: Logger): OwsError | undefined {
  if (res.writableEnded || res.destroyed) return undefined;
  const ows = toOwsError(err);
  if (ows.status >= 500) log.error({ err }, 'request failed');
  // A client that hangs up mid-body is routine (a cancelled upload, a proxy timeout), not a server fault.
  else if ((err as { type?: string })?.type === 'request.aborted') log.debug('client aborted the request body');
  if (res.headersSent) {
    res.destroy();
    return undefined;
  }
  res.status(ows.status);
  uncacheable(res);
  for (const [k, v] of Object.entries(ows.headers)) res.setHeader(k, v);
  return ows;
}

/** The one place that turns an error into an HTTP response for the OWS services (an ExceptionReport). */
export function sendError(res: Response, err: unknown, req: OwsRequest | undefined, services: ServiceDefinition[], log: Logger): void {
  const ows = errorToSend(res, err, log);
  if (!ows) return;
  const svc = req ? services.find((s) => s.name.toLowerCase() === (req.service ?? req.endpoint).toLowerCase()) : undefined;
  const version = svc && req ? svc.exceptionVersion(req) : '2.0.0';
  res.type('application/xml; charset=utf-8').send(renderExceptionReport(ows, version));
}

/** The same for OGC API – Features: `{"code","description"}` with the same status mapping. */
export function sendOgcapiError(res: Response, err: unknown, log: Logger): void {
  const ows = errorToSend(res, err, log);
  if (!ows) return;
  res.setHeader('Content-Type', EXCEPTION_CONTENT_TYPE);
  res.send(JSON.stringify(exceptionBody(ows)));
}

/** Maps any thrown value to an OwsError; database and internal details never reach the client. */
export function toOwsError(err: unknown): OwsError {
  if (err instanceof OwsError) return err;
  const e = err as { type?: string; status?: number; code?: string };
  if (e?.type === 'entity.too.large') return new OwsError('InvalidRequest', 'request', 'Request body too large', { status: 413 });
  if (e?.type === 'entity.parse.failed' || e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return new OwsError('OperationParsingFailed', 'request', 'The request body could not be read');
  }
  // A path segment whose escapes are not UTF-8 (e.g. a lone surrogate): Express's router refuses to decode it.
  if (err instanceof URIError && e.status === 400) return new OwsError('InvalidParameterValue', 'path', 'A path segment is not valid percent-encoded UTF-8');
  // Any other client error raised by Express or body-parser (aborted body, bad length) keeps its 4xx.
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new OwsError('InvalidRequest', 'request', 'The request could not be read', { status: e.status });
  if (err instanceof DatabaseUnavailableError || isConnectionError(err)) {
    return new OwsError('NoApplicableCode', 'database', 'The database is unavailable; try again shortly', { status: 503, headers: { 'Retry-After': '5' } });
  }
  // Only reachable when the request's signal aborted, i.e. its answer was sent already or the client left.
  if (err instanceof QueryAbortedError) {
    return new OwsError('NoApplicableCode', 'request', 'The request was cancelled', { status: 503, headers: { 'Retry-After': '5' } });
  }
  if (e?.code === '57014') {
    return new OwsError('NoApplicableCode', 'request', 'The query took too long and was cancelled', { status: 503, headers: { 'Retry-After': '5' } });
  }
  return new OwsError('NoApplicableCode', 'request', 'Internal server error', { status: 500, cause: err });
}

/**
 * Bytes a response socket queues before writers wait for 'drain' (per connection, so heavy streams
 * under MAX_HEAVY_REQUESTS hold at most that many MiB beyond the kernel's own buffers).
 */
export const SOCKET_HIGH_WATER_MARK = 1024 * 1024;

/**
 * Starts listening; resolves once the port is bound. Requests and responses are born with the
 * prototypes of `prototypes` (default: the listener's, when it is an Express app; see appPrototypes.ts).
 */
export function listen(app: http.RequestListener, port: number, host: string, prototypes = appPrototypesOf(app)): Promise<Server> {
  return new Promise((resolve, reject) => {
    // Room for the 64 KiB KVP limit (the request line counts as header; Node's default is 16 KiB).
    // Sockets buffer up to SOCKET_HIGH_WATER_MARK before a stream waits: with Node's 16 KiB every 64 KiB
    // output chunk waited for 'drain' and went out in its own writev, waking the client each time.
    const classes = prototypes ? { IncomingMessage: prototypes.IncomingMessage, ServerResponse: prototypes.ServerResponse } : {};
    const server = http.createServer({ maxHeaderSize: 80 * 1024, highWaterMark: SOCKET_HIGH_WATER_MARK, ...classes }, app);
    // Idle keep-alive connections outlive the proxy's (HAProxy reuses them): with Node's 5 s default the
    // server may close one just as a request is sent on it, and that request fails with a reset.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
