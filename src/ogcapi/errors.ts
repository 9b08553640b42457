/**
 * The one error renderer of OGC API – Features: any thrown value becomes `{"code","description"}`
 * (the OGC API examples' exception body) with the OwsError's status, mapped exactly as WFS and SOS map
 * it (server.ts toOwsError), so a database fault is a 503 and user input never a 5xx.
 */
import type { OwsError } from '../ows/errors';

/** The JSON exception body of an error. */
export function exceptionBody(err: OwsError): { code: string; description: string } {
  return { code: err.code, description: err.message };
}

/** Content-Type of error bodies. */
export const EXCEPTION_CONTENT_TYPE = 'application/json; charset=utf-8';
