/**
 * The parts route rows are built of: a parameter definition (name, where, JSON schema, description)
 * and the builders of the parameters every kind of route shares (`f`, a CRS). The Features rows
 * (routes.ts) and the EDR rows (edr/routes.ts) both use them; the OpenAPI document writes them out.
 */
import { crsName } from '../crs/crs';
import { CRS84, CRS_URIS } from './crs';
import type { FormatId } from './formats';
import { FORMATS } from './formats';

/** A JSON Schema (the OpenAPI 3.0 subset used for parameters). */
export type Schema = Record<string, unknown>;

export interface ParamDef {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description: string;
  schema: Schema;
  /** How an array value is written (`bbox=1,2,3,4`: form, not exploded). */
  style?: 'form' | 'simple';
  explode?: boolean;
  /** A value that works against the demo network (OpenAPI `example`; the route table test sends it). */
  example?: string;
}

/** Response headers a route sends beyond Content-Type and Vary (described in openapi.ts). */
export type ResponseHeader = 'Content-Crs' | 'Link';

/** The `f` parameter of a route, listing the names of its formats. */
export function fParam(formats: FormatId[]): ParamDef {
  const names = [...new Set(formats.flatMap((id) => FORMATS[id].fNames))];
  return {
    name: 'f',
    in: 'query',
    required: false,
    description: `Response format, overriding the Accept header: ${formats.map((id) => `${FORMATS[id].fNames.join('/')} = ${FORMATS[id].mediaType}`).join(', ')}.`,
    schema: { type: 'string', enum: names },
  };
}

/** A CRS parameter taking the advertised URIs. */
export const crsParam = (name: string, what: string): ParamDef => ({
  name,
  in: 'query',
  required: false,
  description: `${what} Default ${CRS84} (longitude, latitude); ${crsName.uri(4326)} is latitude, longitude.`,
  schema: { type: 'string', format: 'uri', enum: [...CRS_URIS], default: CRS84 },
});
