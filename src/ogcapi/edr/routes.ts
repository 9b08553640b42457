/**
 * The OGC API – EDR resources as rows of the API's one route table (src/ogcapi/routes.ts): the data
 * queries of an EDR collection and its locations, with their parameters and formats. The router mounts
 * them, request validation refuses any other parameter, and the OpenAPI document reads the same rows.
 * The EDR `items` query is the collection's items route (its features are the datasets).
 */
import type { Config } from '../../config/config';
import { MAX_COLUMN_DOWNSAMPLE } from '../../encoders/series/columns';
import { EDR_COLLECTIONS } from '../collections';
import type { FormatId } from '../formats';
import { crsParam, fParam, ParamDef, ResponseHeader } from '../routeParams';
import { EDR_CRS } from './crs';
import { WITHIN_UNITS } from './spatial';

export type EdrRouteId = 'edrPosition' | 'edrRadius' | 'edrArea' | 'edrCube' | 'edrLocations' | 'edrLocation';

/** An EDR row: a RouteDef of routes.ts (written out here so this module need not import the table it is part of). */
export interface EdrRouteDef {
  id: EdrRouteId;
  path: string;
  summary: string;
  description: string;
  formats: FormatId[];
  parameters: ParamDef[];
  queryableParameters: false;
  responseSchema: string;
  responseHeaders: ResponseHeader[];
  heavy?: true;
}

/** The formats of the data queries, the default (CoverageJSON) first. */
export const EDR_DATA_FORMATS: FormatId[] = ['covjson', 'geojson', 'csv'];
/** The locations list is GeoJSON. */
export const EDR_LOCATIONS_FORMATS: FormatId[] = ['geojson'];

/** Name of the OpenAPI component schema of the data queries' JSON answers (openapi.ts). */
export const EDR_DATA_SCHEMA = 'edrData';

/** Position queries answer the nearest station within this distance of each point (metres, great circle). */
export const POSITION_TOLERANCE_M = 1000;

const EXAMPLE_POINT = 'POINT(166.4675 -22.4775)';

function q(name: string, description: string, schema: ParamDef['schema'], extra: Partial<ParamDef> = {}): ParamDef {
  return { name, in: 'query', required: false, description, schema, ...extra };
}

/** The parameters every data query takes besides its geometry. */
function dataParameters(): ParamDef[] {
  return [
    q('z', 'Station depths (metres below mean sea level, EPSG:5715): `z=5/15` (range, ends included), `z=12`, `z=4,8,12` (list) or `z=R3/4/4` (4, 8, 12). Absent: every depth.', { type: 'string' }, { example: '0/15' }),
    q(
      'parameter-name',
      'Comma-separated parameters (keys of the collection\'s parameter_names: observed property codes such as TEMP, PSAL). Absent: all. Each comes with its quality flags as <code>_QC.',
      { type: 'array', items: { type: 'string' } },
      { style: 'form', explode: false, example: 'TEMP' },
    ),
    q('datetime', 'An RFC 3339 instant, a date (its whole UTC day) or an interval `start/end` with `..` (or nothing) for an open end; ends included.', { type: 'string' }, { example: '2024-03-01T00:00:00Z/2024-04-01T00:00:00Z' }),
    {
      ...crsParam('crs', `CRS of \`coords\`/\`bbox\` and of the answer's coordinates.`),
      schema: { type: 'string', format: 'uri', enum: EDR_CRS.map((c) => c.crs), default: EDR_CRS[0].crs },
    },
    q('qualityFlag', 'Only observations with these quality flags (OceanSITES 0-9), comma-separated (as SOS GetObservation).', { type: 'array', items: { type: 'integer', minimum: 0, maximum: 9 } }, { style: 'form', explode: false, example: '1,2' }),
    q(
      'downsample',
      `CoverageJSON and GeoJSON: at most about this many points per series, each of floor(N/2) equal time buckets keeping its minimum and maximum, plus the first and last points (as SOS JSON). At most ${MAX_COLUMN_DOWNSAMPLE}.`,
      { type: 'integer', minimum: 2, maximum: MAX_COLUMN_DOWNSAMPLE },
    ),
    fParam(EDR_DATA_FORMATS),
  ];
}

const collectionId: ParamDef = {
  name: 'collectionId',
  in: 'path',
  required: true,
  description: 'EDR collection identifier.',
  schema: { type: 'string', enum: [...EDR_COLLECTIONS] },
  example: EDR_COLLECTIONS[0],
};

const coords = (what: string, example: string): ParamDef => q('coords', `${what} Well-known text, in the axis order of \`crs\` (CRS84: longitude latitude).`, { type: 'string' }, { required: true, example });

const bbox = (required: boolean): ParamDef =>
  q('bbox', 'minx,miny,maxx,maxy (or 6 numbers with heights, ignored: use `z`) in the axis order of `crs`; west > east crosses the antimeridian.', { type: 'array', minItems: 4, maxItems: 6, items: { type: 'number' } }, {
    required,
    style: 'form',
    explode: false,
    example: '166,-23,167,-22',
  });

/** The EDR rows of the route table (nothing in them depends on the configuration yet). */
export function edrRoutes(_config: Config): EdrRouteDef[] {
  const data = dataParameters();
  const row = (id: EdrRouteId, path: string, summary: string, description: string, parameters: ParamDef[]): EdrRouteDef => ({
    id,
    path: `/collections/{collectionId}${path}`,
    summary,
    description,
    formats: EDR_DATA_FORMATS,
    parameters: [collectionId, ...parameters, ...data],
    queryableParameters: false,
    heavy: true,
    responseSchema: EDR_DATA_SCHEMA,
    responseHeaders: ['Content-Crs'],
  });
  return [
    row('edrPosition', '/position', 'EDR position query', `The series of the station nearest each point (POINT or MULTIPOINT) within ${POSITION_TOLERANCE_M} m; 204 when none is that close.`, [
      coords('POINT(x y) or MULTIPOINT((x y),(x y)).', EXAMPLE_POINT),
    ]),
    row('edrRadius', '/radius', 'EDR radius query', 'The series of every station within `within` `within-units` of the point(s) (geodesic distance); 204 when there is none.', [
      coords('POINT(x y) or MULTIPOINT((x y),…): the centre(s).', EXAMPLE_POINT),
      q('within', 'Radius around coords, in within-units.', { type: 'number', minimum: 0, exclusiveMinimum: true }, { required: true, example: '50' }),
      q('within-units', 'Unit of within.', { type: 'string', enum: [...WITHIN_UNITS] }, { required: true, example: 'km' }),
    ]),
    row('edrArea', '/area', 'EDR area query', 'The series of every station inside the polygon(s); 204 when there is none.', [
      coords('POLYGON((x y,…)) or MULTIPOLYGON(((x y,…)),…).', 'POLYGON((166 -23,167 -23,167 -22,166 -22,166 -23))'),
    ]),
    row('edrCube', '/cube', 'EDR cube query', 'The series of every station inside the box (and depth range `z`); 204 when there is none.', [bbox(true)]),
    {
      id: 'edrLocations',
      path: '/collections/{collectionId}/locations',
      summary: 'EDR locations',
      description: 'The stations as GeoJSON features (id = station code), with the parameters they observe, their time span and their EDR URL.',
      formats: EDR_LOCATIONS_FORMATS,
      parameters: [
        collectionId,
        bbox(false),
        q('datetime', 'Stations whose first to last observation overlaps this instant or interval.', { type: 'string' }),
        q('parameter-name', 'Stations observing at least one of these parameters.', { type: 'array', items: { type: 'string' } }, { style: 'form', explode: false }),
        { ...crsParam('crs', 'CRS of `bbox` and of the answer.'), schema: { type: 'string', format: 'uri', enum: EDR_CRS.map((c) => c.crs), default: EDR_CRS[0].crs } },
        fParam(EDR_LOCATIONS_FORMATS),
      ],
      queryableParameters: false,
      responseSchema: 'featureCollectionGeoJSON',
      responseHeaders: ['Content-Crs'],
    },
    row('edrLocation', '/locations/{locationId}', 'EDR location query', 'The series of one station (404 for an unknown station code).', [
      { name: 'locationId', in: 'path', required: true, description: 'Station code (the id of a locations feature).', schema: { type: 'string' }, example: 'NCL_AMEDEE' },
    ]),
  ];
}
