import { commaList } from '../http/kvp';
import type { XmlElement } from '../http/xml';
import { missingParam, OwsError } from '../ows/errors';
import type { OwsRequest } from '../ows/types';

/** Binding-neutral access to SOS request parameters (KVP names case-insensitive; XML children by local name). */
export interface SosParams {
  /** Values of a list parameter: undefined when absent, [] when present but empty. */
  list(name: string): string[] | undefined;
  /** Raw value of a single-valued parameter: undefined when absent. */
  single(name: string): string | undefined;
  /** The XML request element, for structured parameters (filters); undefined for KVP. */
  xml?: XmlElement;
}

/** Builds the parameter view of a request; vendor parameters of a POST may also come in its query string. */
export function sosParams(req: OwsRequest): SosParams {
  const kvp = req.kvp;
  const xml = req.xml;
  if (!xml) {
    return {
      list: (name) => (kvp.has(name.toLowerCase()) ? commaList(kvp.get(name.toLowerCase())) : undefined),
      single: (name) => kvp.get(name.toLowerCase()),
    };
  }
  const texts = (name: string) => xml.children.filter((c) => c.local === name).map((c) => c.text.trim());
  return {
    xml,
    list: (name) => {
      const t = texts(name);
      if (t.length) return t.filter((s) => s !== '');
      return kvp.has(name.toLowerCase()) ? commaList(kvp.get(name.toLowerCase())) : undefined;
    },
    single: (name) => texts(name)[0] ?? kvp.get(name.toLowerCase()),
  };
}

/** A list parameter that, when given, must not be empty (→ MissingParameterValue with its name). */
export function optionalList(p: SosParams, name: string): string[] | undefined {
  const v = p.list(name);
  if (v !== undefined && v.length === 0) throw missingParam(name, `Parameter ${name} is empty`);
  return v;
}

/** A required single parameter (absent or empty → MissingParameterValue with its name). */
export function requiredSingle(p: SosParams, name: string): string {
  const v = p.single(name)?.trim();
  if (!v) throw missingParam(name);
  return v;
}

/** Checks the request's version for an operation other than GetCapabilities. */
export function requireVersion(req: OwsRequest, supported: string[]): string {
  const v = req.version?.trim();
  if (!v) throw missingParam('version', 'Parameter VERSION is required');
  if (!supported.includes(v)) throw new OwsError('InvalidParameterValue', 'version', `Version "${v}" is not supported; supported: ${supported.join(', ')}`);
  return v;
}
