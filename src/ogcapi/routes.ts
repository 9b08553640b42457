/**
 * Every OGC API – Features resource as data, in one table: its path under the base path, its
 * parameters (name, where, JSON schema, description), the formats it answers in and the schema of its
 * JSON answer. The router mounts these paths, request validation refuses any query parameter not
 * listed here (400), and the OpenAPI document is generated from the same rows, so the three cannot
 * disagree.
 */
import type { Config } from '../config/config';
import { COLLECTIONS } from './collections';
import { edrRoutes, EdrRouteId } from './edr/routes';
import type { FormatId } from './formats';
import { crsParam, fParam, ParamDef, ResponseHeader } from './routeParams';

// The parameter definitions live in routeParams.ts (the EDR rows build theirs with them too).
export type { ParamDef, ResponseHeader, Schema } from './routeParams';

export type RouteId = 'landing' | 'api' | 'conformance' | 'collections' | 'collection' | 'queryables' | 'items' | 'item' | EdrRouteId;

export interface RouteDef {
  id: RouteId;
  /** OpenAPI path template relative to the base path (`/collections/{collectionId}/items`); '' is the landing page. */
  path: string;
  summary: string;
  description: string;
  /** Formats offered, the default first (see formats.ts). */
  formats: FormatId[];
  parameters: ParamDef[];
  /** True when each queryable of the collection is also a query parameter (`?stationId=NCL_AMEDEE`). */
  queryableParameters: boolean;
  /** Name of the OpenAPI component schema (components/schemas, see openapi.ts) of its JSON answers. */
  responseSchema: string;
  responseHeaders?: ResponseHeader[];
  /** True when it reads observations: it takes a heavy-request slot (items always do). */
  heavy?: boolean;
}

const collectionId: ParamDef = {
  name: 'collectionId',
  in: 'path',
  required: true,
  description: 'Collection identifier.',
  schema: { type: 'string', enum: COLLECTIONS.map((c) => c.id) },
};

const featureId: ParamDef = {
  name: 'featureId',
  in: 'path',
  required: true,
  description: 'Feature identifier (stations: station code; datasets: dataset code; observations: `<datasetCode>.<epoch seconds>`).',
  schema: { type: 'string' },
};

/** The query parameters of the items resource, config-dependent only through the limits. */
function itemsParameters(config: Config): ParamDef[] {
  return [
    {
      name: 'limit',
      in: 'query',
      required: false,
      description: `Number of features per page (default ${config.ogcapiLimitDefault}; a value above ${config.ogcapiLimitMax} is served as ${config.ogcapiLimitMax}).`,
      schema: { type: 'integer', minimum: 1, maximum: config.ogcapiLimitMax, default: config.ogcapiLimitDefault },
      style: 'form',
      explode: false,
    },
    {
      name: 'offset',
      in: 'query',
      required: false,
      description: 'Number of matching features to skip (the `next` and `prev` links carry it). Stations and datasets are small; the unfiltered observations seek to any offset at about the cost of the first page, and filtered ones page by `after`.',
      schema: { type: 'integer', minimum: 0, default: 0 },
    },
    {
      name: 'after',
      in: 'query',
      required: false,
      description: 'Position the `next` links of filtered observation queries carry (`<n>.<time>`): the page starts after that observation, so a deep page costs what the first one does. Not for writing by hand.',
      schema: { type: 'string', pattern: '^\\d{1,10}\\.\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,6})?Z$' },
    },
    {
      name: 'bbox',
      in: 'query',
      required: false,
      description: 'Features intersecting this box: minx,miny,maxx,maxy (or 6 numbers with heights, ignored), in `bbox-crs` axis order; west > east crosses the antimeridian.',
      schema: { type: 'array', minItems: 4, maxItems: 6, items: { type: 'number' } },
      style: 'form',
      explode: false,
    },
    crsParam('bbox-crs', 'CRS of `bbox`.'),
    {
      name: 'datetime',
      in: 'query',
      required: false,
      description: 'An RFC 3339 instant or an interval `start/end` with `..` (or nothing) for an open end. Observations: their time; stations and datasets: their first to last observation overlaps it.',
      schema: { type: 'string' },
    },
    crsParam('crs', 'CRS of the response geometries (Content-Crs header).'),
    {
      name: 'properties',
      in: 'query',
      required: false,
      description: 'Comma-separated properties to return (default: all).',
      schema: { type: 'array', items: { type: 'string' } },
      style: 'form',
      explode: false,
    },
    {
      name: 'skipGeometry',
      in: 'query',
      required: false,
      description: 'true: features without geometry.',
      schema: { type: 'boolean', default: false },
    },
    {
      name: 'sortby',
      in: 'query',
      required: false,
      description: 'Comma-separated queryables, each with an optional + (ascending, default) or - (descending) prefix.',
      schema: { type: 'array', items: { type: 'string', pattern: '^[+-]?[A-Za-z_][A-Za-z0-9_]*$' } },
      style: 'form',
      explode: false,
    },
    {
      name: 'filter',
      in: 'query',
      required: false,
      description: 'A CQL2 expression over the queryables (see `filter-lang`).',
      schema: { type: 'string' },
    },
    {
      name: 'filter-lang',
      in: 'query',
      required: false,
      description: 'Language of `filter`.',
      schema: { type: 'string', enum: ['cql2-text', 'cql2-json'], default: 'cql2-text' },
    },
    crsParam('filter-crs', 'CRS of the geometries in `filter`.'),
  ];
}

const built = new WeakMap<Config, RouteDef[]>();

/** The resources of the API for a configuration, built once and shared (read-only). */
export function ogcapiRoutes(config: Config): RouteDef[] {
  let routes = built.get(config);
  if (routes) return routes;
  const doc: FormatId[] = ['json', 'html'];
  const items: FormatId[] = ['geojson', 'csv', 'html'];
  const api: FormatId[] = ['openapi', 'openapiHtml'];
  routes = [
    { id: 'landing', path: '', summary: 'Landing page', description: 'Links to the API definition, the conformance declaration and the collections.', formats: doc, parameters: [fParam(doc)], queryableParameters: false, responseSchema: 'landingPage' },
    { id: 'api', path: '/api', summary: 'API definition', description: 'This OpenAPI 3.0 document, generated from the route table; `f=html` is a readable page of it.', formats: api, parameters: [fParam(api)], queryableParameters: false, responseSchema: 'openapiDocument' },
    { id: 'conformance', path: '/conformance', summary: 'Conformance declaration', description: 'The conformance classes this API implements.', formats: doc, parameters: [fParam(doc)], queryableParameters: false, responseSchema: 'confClasses' },
    { id: 'collections', path: '/collections', summary: 'Collections', description: 'The feature collections: stations, datasets and observations.', formats: doc, parameters: [fParam(doc)], queryableParameters: false, responseSchema: 'collections' },
    { id: 'collection', path: '/collections/{collectionId}', summary: 'Collection', description: 'One collection: extent, CRSs and links.', formats: doc, parameters: [collectionId, fParam(doc)], queryableParameters: false, responseSchema: 'collection' },
    {
      id: 'queryables',
      path: '/collections/{collectionId}/queryables',
      summary: 'Queryables',
      description: 'The properties a filter, a property parameter or sortby may name, as a JSON Schema.',
      formats: ['schema', 'html'],
      parameters: [collectionId, fParam(['schema', 'html'])],
      queryableParameters: false,
      responseSchema: 'queryables',
    },
    {
      id: 'items',
      path: '/collections/{collectionId}/items',
      summary: 'Features',
      description: 'The features of a collection, a page at a time, filtered by bbox, datetime, properties and filter.',
      formats: items,
      parameters: [collectionId, ...itemsParameters(config), fParam(items)],
      queryableParameters: true,
      responseSchema: 'featureCollectionGeoJSON',
      responseHeaders: ['Content-Crs', 'Link'],
    },
    {
      id: 'item',
      path: '/collections/{collectionId}/items/{featureId}',
      summary: 'Feature',
      description: 'One feature by id (404 when there is none).',
      formats: items,
      parameters: [collectionId, featureId, crsParam('crs', 'CRS of the response geometry (Content-Crs header).'), fParam(items)],
      queryableParameters: false,
      responseSchema: 'featureGeoJSON',
      responseHeaders: ['Content-Crs'],
    },
    ...edrRoutes(config),
  ];
  built.set(config, routes);
  return routes;
}

/** The row of a route id. */
export function routeDef(config: Config, id: RouteId): RouteDef {
  return ogcapiRoutes(config).find((r) => r.id === id)!;
}
