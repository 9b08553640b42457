import { OwsError } from './errors';
import { OperationHandler, OwsRequest, ServiceDefinition } from './types';

/** Picks the service definition for a request, enforcing R2-style errors for a missing or wrong SERVICE. */
export function selectService(req: OwsRequest, services: ServiceDefinition[]): ServiceDefinition {
  const allowed = req.endpoint === 'ows' ? services : services.filter((s) => s.name.toLowerCase() === req.endpoint);
  let service = req.service;
  if (service === undefined && req.xml) {
    // XML requests name their service by their root namespace when the attribute is left out.
    service = allowed.find((s) => s.xmlNamespaces.includes(req.xml!.ns))?.name;
  }
  if (service === undefined || service.trim() === '') {
    throw new OwsError('MissingParameterValue', 'service', 'Parameter SERVICE is required');
  }
  const def = allowed.find((s) => s.name.toLowerCase() === service!.trim().toLowerCase());
  if (!def) {
    throw new OwsError('InvalidParameterValue', 'service', `Service "${service}" is not offered here; expected ${allowed.map((s) => s.name).join(' or ')}`);
  }
  return def;
}

/** The operation's name as the service spells it (case-insensitive match); unknown → OperationNotSupported. */
export function operationName(req: OwsRequest, def: ServiceDefinition): string {
  const name = req.request?.trim();
  if (!name) throw new OwsError('MissingParameterValue', 'request', 'Parameter REQUEST is required');
  const key = Object.keys(def.operations).find((k) => k.toLowerCase() === name.toLowerCase());
  if (!key) throw new OwsError('OperationNotSupported', 'request', `Operation "${name}" is not supported by ${def.name}`);
  return key;
}

/** Finds the operation handler (case-insensitive name); unknown → OperationNotSupported. */
export function selectOperation(req: OwsRequest, def: ServiceDefinition): OperationHandler {
  return def.operations[operationName(req, def)];
}
