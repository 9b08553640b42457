/**
 * The OpenAPI 3.0 document of the API (`/api`), generated from the tables and from nothing else: one
 * path per row of routes.ts with that row's parameters, its served formats (formats.ts) as response
 * media types carrying the component schema the row names, the error responses the server sends; and
 * for a row whose queryables are parameters, one concrete path per collection that lists them too
 * (GDAL's OAPIF driver reads `/collections/<name>/items` there to send a `-where` equality to the
 * server). The component schemas are the OGC's own files (ogcSchemas.ts) plus the few ReefGate adds.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config';
import { packageRoot } from '../paths';
import { collections } from './collections';
import { Format, servedFormats } from './formats';
import { ogcSchemas } from './ogcSchemas';
import { queryableParameters } from './queryables';
import { ogcapiRoutes, ParamDef, ResponseHeader, RouteDef, Schema } from './routes';

/** The OpenAPI version written (3.0.x: what OGC API – Features /conf/oas30 and GDAL 3.6 read). */
export const OPENAPI_VERSION = '3.0.3';

export interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  servers: { url: string; description: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, unknown> };
}

/** Schemas of answers the OGC files do not describe: the queryables (Part 3) and this document itself. */
const REEFGATE_SCHEMAS: Record<string, Schema> = {
  queryables: {
    description: 'The queryables of a collection (OGC API – Features – Part 3): a JSON Schema (draft 2020-12) of the properties that `filter`, `sortby` and the property parameters may name.',
    type: 'object',
    required: ['type', 'properties'],
    properties: {
      $schema: { type: 'string', format: 'uri' },
      $id: { type: 'string', format: 'uri' },
      type: { type: 'string', enum: ['object'] },
      title: { type: 'string' },
      description: { type: 'string' },
      properties: { type: 'object', additionalProperties: { type: 'object' } },
      additionalProperties: { type: 'boolean' },
    },
  },
  // OGC API – EDR data queries (src/ogcapi/edr): their JSON answers, by format (docs/ogcapi.md).
  edrData: {
    description: 'The answer of an EDR data query: a CoverageJSON Coverage (one series) or CoverageCollection (several; OGC CoverageJSON 1.0), or with f=GeoJSON a FeatureCollection of one feature per series whose properties hold the time, value and qc arrays.',
    type: 'object',
    required: ['type'],
    properties: {
      type: { type: 'string', enum: ['Coverage', 'CoverageCollection', 'FeatureCollection'] },
      domain: { type: 'object' },
      parameters: { type: 'object' },
      ranges: { type: 'object' },
      coverages: { type: 'array', items: { type: 'object' } },
      features: { type: 'array', items: { type: 'object' } },
      links: { type: 'array', items: { type: 'object' } },
    },
  },
  openapiDocument: {
    description: 'An OpenAPI 3.0 document (this one).',
    type: 'object',
    required: ['openapi', 'info', 'paths'],
    properties: {
      openapi: { type: 'string', pattern: '^3\\.0\\.\\d+$' },
      info: { type: 'object' },
      servers: { type: 'array', items: { type: 'object' } },
      paths: { type: 'object' },
      components: { type: 'object' },
    },
  },
};

/** Error answers, as components/responses: each is the OGC `exception` body (`{"code","description"}`). */
const ERRORS: Record<string, { status: string; description: string }> = {
  BadRequest: { status: '400', description: 'A query parameter is unknown, given twice, or has a value that cannot be read.' },
  NotFound: { status: '404', description: 'No such collection or feature.' },
  NotAcceptable: { status: '406', description: 'Neither `f` nor the Accept header names a format this resource has.' },
  UriTooLong: { status: '414', description: 'The query string is longer than 64 KiB.' },
  TooManyRequests: { status: '429', description: 'More requests from this client than RATE_LIMIT_PER_MINUTE.' },
  ServerError: { status: '500', description: 'An internal error (never caused by the request).' },
  Unavailable: { status: '503', description: 'The database is unavailable, the request outlived REQUEST_TIMEOUT_MS, or the heavy-request queue is full; see Retry-After.' },
};

const HEADERS: Record<ResponseHeader, Record<string, unknown>> = {
  'Content-Crs': { description: 'CRS of the coordinates in the response, as `<uri>` (OGC API – Features – Part 2).', schema: { type: 'string' } },
  Link: { description: 'The `next` and `prev` pages (RFC 8288), on pages read whole (up to 1000 features); the GeoJSON links carry them too.', schema: { type: 'string' } },
};

/** Media types whose bodies are JSON (`…/json`, `…+json`, with or without parameters). */
function isJson(format: Format): boolean {
  return /[/+]json(;|$)/.test(format.mediaType);
}

/** A parameter object of the table row's parameter. */
function parameterObject(p: ParamDef): Record<string, unknown> {
  return {
    name: p.name,
    in: p.in,
    required: p.required,
    description: p.description,
    schema: p.schema,
    ...(p.style ? { style: p.style } : {}),
    ...(p.explode !== undefined ? { explode: p.explode } : {}),
  };
}

/** The responses of a route: 200 in each served format, then the errors it can answer. */
function responses(route: RouteDef): Record<string, unknown> {
  const content: Record<string, unknown> = {};
  for (const f of servedFormats(route.formats)) {
    content[f.mediaType] = { schema: isJson(f) ? { $ref: `#/components/schemas/${route.responseSchema}` } : { type: 'string' } };
  }
  const headers = route.responseHeaders?.length ? { headers: Object.fromEntries(route.responseHeaders.map((h) => [h, HEADERS[h]])) } : {};
  const out: Record<string, unknown> = { '200': { description: route.summary, ...headers, content } };
  const hasPathParams = route.parameters.some((p) => p.in === 'path');
  for (const [name, e] of Object.entries(ERRORS)) {
    if (e.status === '404' && !hasPathParams) continue;
    out[e.status] = { $ref: `#/components/responses/${name}` };
  }
  return out;
}

/** One GET operation. */
function operation(route: RouteDef, operationId: string, summary: string, description: string, params: ParamDef[]): Record<string, unknown> {
  return { summary, description, operationId, parameters: params.map(parameterObject), responses: responses(route) };
}

/** The paths of the table: each row as written, plus a concrete path per collection for rows whose queryables are parameters. */
function paths(config: Config): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const route of ogcapiRoutes(config)) {
    out[route.path || '/'] = { get: operation(route, route.id, route.summary, route.description, route.parameters) };
    if (!route.queryableParameters || !route.path.includes('{collectionId}')) continue;
    for (const c of collections(config)) {
      const params = [...route.parameters.filter((p) => p.name !== 'collectionId'), ...queryableParameters(c)];
      const description = `${route.description} Collection \`${c.id}\` (${c.type.title}): each of its queryables is also an equality parameter.`;
      out[route.path.replace('{collectionId}', c.id)] = { get: operation(route, `${route.id}-${c.id}`, `${route.summary}: ${c.type.title}`, description, params) };
    }
  }
  return out;
}

/** components/responses: the error answers. */
function errorResponses(): Record<string, unknown> {
  const content = { 'application/json': { schema: { $ref: '#/components/schemas/exception' } } };
  return Object.fromEntries(Object.entries(ERRORS).map(([name, e]) => [name, { description: e.description, content }]));
}

let packageVersion: string | undefined;

/** The package version (info.version). */
function version(): string {
  packageVersion ??= String(JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version);
  return packageVersion;
}

const built = new WeakMap<Config, Omit<OpenApiDocument, 'servers'>>();

/** The document for a configuration, served from `root` (the API root URL: public base URL + base path). */
export function openapiDocument(config: Config, root: string): OpenApiDocument {
  let doc = built.get(config);
  if (!doc) {
    const ogc = ogcSchemas();
    const clash = Object.keys(REEFGATE_SCHEMAS).filter((k) => k in ogc);
    if (clash.length) throw new Error(`Schema names used by both the OGC files and openapi.ts: ${clash.join(', ')}`);
    doc = {
      openapi: OPENAPI_VERSION,
      info: {
        title: config.serviceTitle,
        description: `${config.serviceAbstract}\n\nOGC API – Features (Parts 1, 2 and 3) over the stations, datasets and observations that WFS also serves.`,
        version: version(),
        contact: { name: config.providerName, email: config.contactEmail },
      },
      paths: paths(config),
      components: { schemas: { ...ogc, ...REEFGATE_SCHEMAS }, responses: errorResponses() },
    };
    built.set(config, doc);
  }
  return { openapi: doc.openapi, info: doc.info, servers: [{ url: root, description: 'This gateway' }], paths: doc.paths, components: doc.components };
}
