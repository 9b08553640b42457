import type { Kvp } from '../http/kvp';
import { OwsError } from '../ows/errors';

/** Parameters whose values may legitimately be long (an encoded FES filter); bounded by the whole query limit. */
const LONG_VALUE_PARAMETERS = new Set(['filter', 'constraint']);

export interface KvpLimits {
  /** Largest value of an ordinary parameter, in characters. */
  maxValueLength: number;
  /** Most distinct parameters in one request. */
  maxParameters: number;
  /** Longest parameter name. */
  maxNameLength: number;
}

/** Refuses over-long KVP input with the offending parameter as locator (the whole query string is bounded earlier). */
export function checkKvpLimits(kvp: Kvp, limits: KvpLimits): void {
  if (kvp.size > limits.maxParameters) {
    throw new OwsError('InvalidRequest', 'request', `More than ${limits.maxParameters} parameters in one request`);
  }
  for (const [name, value] of kvp) {
    if (name.length > limits.maxNameLength) {
      throw new OwsError('InvalidRequest', 'request', `A parameter name is longer than ${limits.maxNameLength} characters`);
    }
    if (!LONG_VALUE_PARAMETERS.has(name) && value.length > limits.maxValueLength) {
      throw new OwsError('InvalidParameterValue', name, `Parameter ${name.toUpperCase()} is longer than ${limits.maxValueLength} characters`);
    }
  }
}
