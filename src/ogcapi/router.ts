/**
 * OGC API – Features on Express: one GET handler per row of the route table, dispatched by path
 * (dispatch.ts) under the configured base path, behind the same request deadline, KVP limits, rate
 * limit and heavy-request slots as WFS and SOS. Every error goes to the one JSON renderer the app
 * passes in.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config/config';
import { requestStore } from '../data/requestStore';
import type { Store } from '../data/store';
import type { Hardening } from '../http/middleware/hardening';
import { requestAbortController } from '../http/middleware/requestDeadline';
import { publicBaseUrl } from '../http/publicUrl';
import { cachedAnswer, ResourceId } from '../http/caching';
import { sendOwsResponse } from '../http/send';
import type { Logger } from '../log';
import type { RequestLabels } from '../metrics/metrics';
import { OwsError } from '../ows/errors';
import type { OwsResponse } from '../ows/types';
import { loadCatalogue } from '../query/catalogue';
import { Collection, COLLECTIONS, findCollection } from './collections';
import type { ApiContext } from './context';
import { matchPath, pathTable } from './dispatch';
import { collectionDoc, collectionsDoc, conformanceDoc, DocContext, landingDoc } from './documents';
import { edrResources } from './edr/handlers';
import { Format, negotiate } from './formats';
import { htmlDocument } from './html/documents';
import { itemHandler, itemsHandler } from './items';
import { propertyParameterNames } from './itemsQuery';
import { apiRoot, seg } from './links';
import { openapiDocument } from './openapi';
import { openapiHtml } from './openapiHtml';
import { apiStylesheet } from './html/page';
import { queryablesSchema } from './queryables';
import { allowedParameters, checkParameters, parseQuery } from './request';
import { ogcapiRoutes, RouteDef, routeDef, RouteId } from './routes';
import { parseDatetime } from './datetime';
import type { QueryParams } from './request';

export interface OgcapiDeps {
  config: Config;
  store: Store;
  log: Logger;
  hardening: Hardening;
  /** The app's JSON error renderer for this protocol. */
  sendError: (res: Response, err: unknown) => void;
}

/** Longest query string read (the hardening layer refuses longer values per parameter already). */
const MAX_QUERY_CHARS = 64 * 1024;

/** A JSON document response in the negotiated format. */
function jsonResponse(format: Format, doc: unknown): OwsResponse {
  return { kind: 'body', contentType: format.contentType, headers: { Vary: 'Accept' }, body: JSON.stringify(doc) };
}

type Resource = (ctx: ApiContext, collection: Collection | undefined) => Promise<OwsResponse>;

/** The document context of a JSON resource, with its negotiated format. */
function docContext(route: RouteDef, ctx: ApiContext): { format: Format; doc: DocContext } {
  const format = negotiate(route.formats, ctx.query.get('f'), ctx.accept);
  return { format, doc: { config: ctx.config, baseUrl: ctx.baseUrl, root: ctx.root, format: format.id, query: ctx.query.entries } };
}

/** What answers each route of the table. */
function resources(config: Config): Record<RouteId, Resource> {
  const doc = (id: RouteId, build: (d: DocContext, ctx: ApiContext, c: Collection | undefined) => Promise<unknown> | unknown): Resource => async (ctx, c) => {
    const { format, doc: d } = docContext(ogcapiRoutes(config).find((r) => r.id === id)!, ctx);
    const body = await build(d, ctx, c);
    return format.id === 'html' ? htmlDocument(id, body, d, c) : jsonResponse(format, body);
  };
  return {
    landing: doc('landing', (d) => landingDoc(d)),
    api: async (ctx) => {
      const format = negotiate(routeDef(config, 'api').formats, ctx.query.get('f'), ctx.accept);
      const api = openapiDocument(config, ctx.root);
      if (format.id !== 'openapiHtml') return jsonResponse(format, api);
      return { kind: 'body', contentType: format.contentType, headers: { Vary: 'Accept' }, body: openapiHtml(api, `${ctx.root}/api?f=json`, apiStylesheet(ctx.baseUrl)) };
    },
    conformance: doc('conformance', (d) => conformanceDoc(d)),
    collections: doc('collections', async (d, ctx) => collectionsDoc(await loadCatalogue(ctx.store), d)),
    collection: doc('collection', async (d, ctx, c) => collectionDoc(c!, await loadCatalogue(ctx.store), d, true)),
    queryables: doc('queryables', (d, _ctx, c) => queryablesSchema(c!, `${d.root}/collections/${seg(c!.id)}/queryables`)),
    items: (ctx, c) => itemsHandler(c!, ctx),
    item: (ctx, c) => itemHandler(c!, ctx),
    ...edrResources(),
  };
}

/**
 * The cached resource a route answers (src/http/caching.ts): the metadata documents always; items of
 * the catalogue collections (stations, datasets) and the EDR locations; observations and EDR data only
 * in a datetime window closed before now (later observations cannot enter it, and a write to any
 * dataset changes the catalogue).
 */
function cachedResource(route: RouteId, collection: Collection | undefined, query: QueryParams): ResourceId | undefined {
  if (route === 'item') return undefined;
  if (route === 'edrLocations') return 'OGCAPI EDR locations';
  if (route === 'edrPosition' || route === 'edrRadius' || route === 'edrArea' || route === 'edrCube' || route === 'edrLocation') return inClosedWindow(query, 'OGCAPI EDR closed-window data');
  if (route !== 'items') return `OGCAPI ${route}`;
  if (collection?.type.name !== 'Observation') return 'OGCAPI catalogue items';
  return inClosedWindow(query, 'OGCAPI closed-window items');
}

/** The resource when `datetime` ends before now, else undefined (live data). */
function inClosedWindow(query: QueryParams, resource: ResourceId): ResourceId | undefined {
  const dt = query.get('datetime');
  if (dt === undefined) return undefined;
  try {
    const end = parseDatetime(dt).end;
    return end !== undefined && end < Date.now() ? resource : undefined;
  } catch {
    return undefined; // the handler reports the bad value
  }
}

/** The answer without Accept in its Vary header: for a request whose format the URL names (`f`). */
function withoutVaryAccept(out: OwsResponse): OwsResponse {
  const vary = out.headers?.Vary;
  if (vary === undefined) return out;
  // Most answers vary on Accept alone: no list to split then.
  const rest = vary === 'Accept' ? [] : vary.split(',').map((s) => s.trim()).filter((n) => n !== '' && n.toLowerCase() !== 'accept');
  const headers: Record<string, string> = {};
  for (const k in out.headers) if (k !== 'Vary') headers[k] = out.headers[k];
  if (rest.length) headers.Vary = rest.join(', ');
  return { ...out, headers };
}

/**
 * The API's request handler, to mount at OGCAPI_BASE_PATH: the path is matched against the route table
 * once (dispatch.ts); a GET or HEAD of a row's path runs the shared entry middleware (deadline, KVP
 * limits) and the row's resource, another method on it is a 405 with Allow, any other path a 404.
 */
export function ogcapiRouter(deps: OgcapiDeps): RequestHandler {
  const { config, store, log, hardening } = deps;
  const answer = resources(config);
  const handlers = new Map<RouteDef, (req: Request, res: Response, params: Record<string, string>) => Promise<void>>();
  for (const route of ogcapiRoutes(config)) {
    const labels: RequestLabels = { service: 'OGCAPI', operation: route.id };
    // The parameters the route takes, per collection: built on its first request, not on every one.
    const allowed = new Map<Collection | undefined, ReadonlySet<string>>();
    const allowedFor = (c: Collection | undefined): ReadonlySet<string> => {
      let set = allowed.get(c);
      if (!set) {
        set = allowedParameters(route, route.queryableParameters && c ? propertyParameterNames(c) : []);
        allowed.set(c, set);
      }
      return set;
    };
    handlers.set(route, async (req: Request, res: Response, params: Record<string, string>) => {
      // Aborted when the client goes away or REQUEST_TIMEOUT_MS passes: cancels the database work.
      const ac = requestAbortController(res);
      res.locals.metricLabels = labels;
      try {
        const q = req.originalUrl.indexOf('?');
        const raw = q < 0 ? '' : req.originalUrl.slice(q + 1);
        if (raw.length > MAX_QUERY_CHARS) throw new OwsError('InvalidRequest', 'request', `Query string longer than ${MAX_QUERY_CHARS} characters`, { status: 414 });
        const query = parseQuery(raw);
        let collection: Collection | undefined;
        if (params.collectionId !== undefined) {
          collection = findCollection(config, params.collectionId);
          if (!collection) throw new OwsError('NotFound', 'collectionId', `No collection "${params.collectionId.slice(0, 100)}"; collections: ${COLLECTIONS.map((c) => c.id).join(', ')}`, { status: 404 });
        }
        checkParameters(query, allowedFor(collection));
        const baseUrl = publicBaseUrl(req, config);
        const ctx: ApiContext = {
          config,
          store: requestStore(store, ac.signal),
          log,
          baseUrl,
          root: apiRoot(baseUrl, config.ogcapiBasePath),
          signal: ac.signal,
          query,
          accept: req.get('accept'),
          path: params,
        };
        // `f` in the URL decides the format and Accept is not read (formats.ts negotiate): the answer
        // then does not vary on Accept, and saying so lets a shared cache that keys on the URL alone
        // (HAProxy's, which refuses to store an answer varying on Accept) keep it (docs/caching.md).
        const byUrl = query.get('f') !== undefined;
        const cache = { resource: cachedResource(route.id, collection, query), key: { url: req.originalUrl, baseUrl, negotiated: byUrl ? [] : [ctx.accept] }, config, store: ctx.store, vary: byUrl ? [] : ['Accept'] };
        await hardening.guard(res, labels, route.id === 'items' || route.heavy === true, ac.signal, async () => {
          const out = await cachedAnswer(req, res, cache, async () => {
            const answered = await answer[route.id](ctx, collection);
            return byUrl ? withoutVaryAccept(answered) : answered;
          });
          if (out) await sendOwsResponse(res, out, ac.signal, log, { compression: config.compression });
        });
      } catch (err) {
        deps.sendError(res, err);
      }
    });
  }
  const table = pathTable(ogcapiRoutes(config));
  const entry = hardening.entry;
  return (req, res) => {
    let match;
    try {
      // req.url is below the mount point here, as received (not decoded).
      const q = req.url.indexOf('?');
      match = matchPath(table, q < 0 ? req.url : req.url.slice(0, q));
    } catch (err) {
      deps.sendError(res, err);
      return;
    }
    if (!match) {
      deps.sendError(res, new OwsError('NotFound', 'path', `No such resource; the API's landing page is ${config.ogcapiBasePath}`, { status: 404 }));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      deps.sendError(res, new OwsError('OperationNotSupported', 'request', `HTTP method ${req.method.slice(0, 20)} is not supported here; use GET`, { status: 405, headers: { Allow: 'GET, HEAD' } }));
      return;
    }
    const handle = handlers.get(match.route)!;
    const params = match.params;
    // The entry middleware in order, then the resource (a middleware that answers does not call next).
    let i = 0;
    const next = (err?: unknown): void => {
      if (err !== undefined) return deps.sendError(res, err);
      const mw = entry[i++];
      if (mw) return void mw(req, res, next);
      void handle(req, res, params);
    };
    next();
  };
}
