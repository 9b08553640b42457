import type { ServiceDefinition } from './types';
import { wfsService } from '../wfs/service';
import { sosService } from '../sos/service';

/** The services this gateway offers, in the order the landing page lists them. */
export function allServices(): ServiceDefinition[] {
  return [wfsService, sosService];
}
