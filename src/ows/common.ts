import type { Config } from '../config/config';
import type { XMLBuilder } from '../xml/document';

/**
 * The OWS Common sections every capabilities document shares (WFS 2.0/1.1, SOS 2.0/1.0). Elements are
 * written by prefixed name, so the ows: prefix resolves to whichever OWS version the root declares
 * (1.1, or 1.0 for WFS 1.1.0).
 */

/** What the ows:ServiceIdentification of one service says besides the configured title and abstract. */
export interface ServiceType {
  /** ows:ServiceType text, and its codeSpace where the version's documents carry one. */
  type: string;
  codeSpace?: string;
  /** ows:Keywords (none: no element). */
  keywords?: readonly string[];
  versions: readonly string[];
  /** ows:Profile values (conformance classes). */
  profiles?: readonly string[];
}

/** ows:ServiceIdentification from configuration. */
export function serviceIdentification(parent: XMLBuilder, cfg: Config, s: ServiceType): void {
  const si = parent.ele('ows:ServiceIdentification');
  si.ele('ows:Title').txt(cfg.serviceTitle);
  si.ele('ows:Abstract').txt(cfg.serviceAbstract);
  if (s.keywords) owsKeywords(si, s.keywords);
  si.ele('ows:ServiceType', s.codeSpace ? { codeSpace: s.codeSpace } : {}).txt(s.type);
  for (const v of s.versions) si.ele('ows:ServiceTypeVersion').txt(v);
  for (const p of s.profiles ?? []) si.ele('ows:Profile').txt(p);
  si.ele('ows:Fees').txt('NONE');
  si.ele('ows:AccessConstraints').txt('NONE');
}

/** ows:Keywords, one ows:Keyword element per word (OWS 1.0 and 1.1). */
export function owsKeywords(parent: XMLBuilder, words: readonly string[]): void {
  const kw = parent.ele('ows:Keywords');
  for (const w of words) kw.ele('ows:Keyword').txt(w);
}

/** ows:ServiceProvider from configuration. */
export function serviceProvider(parent: XMLBuilder, cfg: Config): void {
  const sp = parent.ele('ows:ServiceProvider');
  sp.ele('ows:ProviderName').txt(cfg.providerName);
  sp.ele('ows:ProviderSite', { 'xlink:href': cfg.providerSite });
  const sc = sp.ele('ows:ServiceContact');
  sc.ele('ows:IndividualName').txt(cfg.providerName);
  const ci = sc.ele('ows:ContactInfo');
  ci.ele('ows:Address').ele('ows:ElectronicMailAddress').txt(cfg.contactEmail);
}

/** One ows:Operation with Get and Post bindings on the endpoint and its parameters (OWS 1.1 AllowedValues). */
export function operation(parent: XMLBuilder, name: string, href: string, params: Record<string, readonly string[] | 'any'> = {}, opts: { kvp?: boolean } = {}): XMLBuilder {
  const op = parent.ele('ows:Operation', { name });
  const http = op.ele('ows:DCP').ele('ows:HTTP');
  // Operations without a KVP binding (SOS inserts) advertise POST only.
  if (opts.kvp !== false) http.ele('ows:Get', { 'xlink:href': href });
  http.ele('ows:Post', { 'xlink:href': href });
  for (const [pname, values] of Object.entries(params)) parameter(op, pname, values);
  return op;
}

/** An ows:Parameter with its AllowedValues (or AnyValue). */
export function parameter(parent: XMLBuilder, name: string, values: readonly string[] | 'any'): void {
  const p = parent.ele('ows:Parameter', { name });
  if (values === 'any' || values.length === 0) {
    p.ele('ows:AnyValue');
    return;
  }
  const av = p.ele('ows:AllowedValues');
  for (const v of values) av.ele('ows:Value').txt(v);
}
