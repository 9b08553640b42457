import type { ServiceDefinition } from './ows/types';
import { wfsService } from './wfs/service';
import { sosService } from './sos/service';

/**
 * The OWS services this gateway offers, in the order the landing page lists them. It sits beside
 * server.ts, which composes the front-ends, rather than in src/ows: the shared OWS layer (request
 * types, dispatch, errors) must not import the front-ends built on it.
 */
export function allServices(): ServiceDefinition[] {
  return [wfsService, sosService];
}
