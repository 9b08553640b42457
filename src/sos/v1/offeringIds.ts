import type { Offering } from '../../catalog/offerings';
import { ncnamePart } from '../../xml/ncname';

/** An XML NCName within the characters dataset codes may hold (the importer allows letters, digits, _ . -). */
const NCNAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Prefix making a code a legal gml:id; every SOS 1.0 offering had the gml:id off_<code> before codes were used as such. */
const PREFIX = 'off_';

/** The SOS 1.0 gml:ids of a catalog's offerings, and what each id (or old alias) names. */
export interface OfferingIds {
  /** gml:id by offering code; unique over the catalog. */
  gmlId: Map<string, string>;
  /** Offering code by gml:id or by the old off_<code> form. */
  code: Map<string, string>;
}

const cache = new WeakMap<Offering[], OfferingIds>();

/**
 * gml:ids of the SOS 1.0 offerings. OWSLib keys the offerings of the capabilities by gml:id and users send
 * that id back as `offering`, so the id is the code itself wherever the code is an NCName. Other codes
 * (a leading digit, '.' or '-') get off_<code>, prefixed again while that is another offering's id, so ids
 * stay unique and each names one offering. Built once per catalog list (the list is cached, ordered by code).
 */
export function offeringIds(catalog: Offering[]): OfferingIds {
  const hit = cache.get(catalog);
  if (hit) return hit;
  const gmlId = new Map<string, string>();
  const code = new Map<string, string>();
  for (const o of catalog) if (NCNAME.test(o.code)) gmlId.set(o.code, o.code);
  const taken = new Set(gmlId.values());
  for (const o of catalog) {
    if (gmlId.has(o.code)) continue;
    let id = PREFIX + ncnamePart(o.code);
    while (taken.has(id)) id = PREFIX + id;
    gmlId.set(o.code, id);
    taken.add(id);
  }
  for (const [c, id] of gmlId) code.set(id, c);
  // The old off_<code> ids stay usable (saved requests, cached capabilities) unless they are now another offering's id.
  for (const c of gmlId.keys()) {
    const old = PREFIX + ncnamePart(c);
    if (!code.has(old)) code.set(old, c);
  }
  const ids = { gmlId, code };
  cache.set(catalog, ids);
  return ids;
}

/**
 * Maps the `offering` values of a SOS 1.0 request to offering codes: a code names itself (the identifier
 * of gml:name and of SOS 2.0), else a gml:id or old off_<code> names its offering. Unknown values pass
 * through unchanged, for the selection to reject with InvalidParameterValue.
 */
export function resolveOfferings(catalog: Offering[], values: string[]): string[] {
  const ids = offeringIds(catalog);
  return values.map((v) => (ids.gmlId.has(v) ? v : ids.code.get(v) ?? v));
}
