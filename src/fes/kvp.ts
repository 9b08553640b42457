import { CrsRef, requireCrs } from '../crs/crs';
import { parseXml } from '../http/xml';
import { invalidParam, OwsError } from '../ows/errors';
import { Filter } from './ast';
import { envelopeOperand, toXY } from './geometry';
import { parseFilterXml } from './parseFes20';
import { parseFilter110 } from './parseFilter110';
import { NS } from '../xml/namespaces';

/**
 * KVP BBOX `minx,miny,maxx,maxy[,crs]` → a BBOX filter on the default geometry. Coordinates are in the
 * axis order of the CRS spelling (R6: lat,lon for the URN/http forms of 4326); without a CRS the given
 * default applies. A west edge greater than the east edge selects across the antimeridian.
 */
export function parseBboxKvp(value: string, defaultCrs: CrsRef, locator = 'bbox'): Filter {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.length !== 4 && parts.length !== 5) {
    throw invalidParam(locator, 'BBOX must be minx,miny,maxx,maxy with an optional CRS');
  }
  const nums = parts.slice(0, 4).map((s) => {
    if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s)) throw invalidParam(locator, `BBOX value "${s.slice(0, 40)}" is not a number`);
    return Number(s);
  });
  const crs = parts.length === 5 && parts[4] !== '' ? requireCrs(parts[4], locator) : defaultCrs;
  const geometry = envelopeOperand(toXY(nums[0], nums[1], crs), toXY(nums[2], nums[3], crs), crs, locator);
  return { op: 'BBOX', geometry };
}

/** KVP RESOURCEID `id1,id2,...` → the list of identifiers (gml:id form, `Type.id`); empty → InvalidParameterValue. */
export function parseResourceIdKvp(value: string, locator = 'resourceId'): string[] {
  const ids = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (ids.length === 0) throw invalidParam(locator, 'RESOURCEID needs at least one identifier');
  return ids;
}

/** Prefixes clients use without declaring them, by filter dialect. */
function knownPrefixes(fes20: boolean): Record<string, string> {
  return fes20
    ? { fes: NS.fes, gml: NS.gml, xsi: NS.xsi, xlink: NS.xlink, ogc: NS.ogc }
    : { ogc: NS.ogc, gml: NS.gml311, xsi: NS.xsi, xlink: NS.xlink, fes: NS.fes };
}

/** Declares well-known prefixes that the text uses but never declares, on its root element. */
function addMissingNamespaces(xml: string, fes20: boolean): string {
  const declared = new Set([...xml.matchAll(/xmlns:([A-Za-z_][\w.-]*)\s*=/g)].map((m) => m[1]));
  const used = new Set<string>();
  for (const m of xml.matchAll(/<\/?([A-Za-z_][\w.-]*):[A-Za-z_]/g)) used.add(m[1]);
  for (const m of xml.matchAll(/\s([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*\s*=\s*["']/g)) used.add(m[1]);
  const known = knownPrefixes(fes20);
  const missing = [...used].filter((p) => !declared.has(p) && p !== 'xmlns' && p !== 'xml' && known[p]);
  if (!missing.length) return xml;
  const root = /<([A-Za-z_][\w.:-]*)/.exec(xml.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, (s) => ' '.repeat(s.length)));
  if (!root) return xml;
  const at = root.index + root[0].length;
  const decls = missing.map((p) => ` xmlns:${p}="${known[p]}"`).join('');
  return xml.slice(0, at) + decls + xml.slice(at);
}

/** Splits `(<Filter/>)(<Filter/>)` (one filter per query of a multi-query GetFeature) into its parts. */
function splitParenthesised(text: string): string[] {
  const t = text.trim();
  if (!t.startsWith('(')) return [t];
  if (!t.endsWith(')')) throw new OwsError('OperationParsingFailed', 'filter', 'Unbalanced parentheses around FILTER');
  return t.slice(1, -1).split(/(?<=>)\s*\)\s*\(\s*(?=<)/).map((s) => s.trim());
}

/**
 * Parses the KVP FILTER parameter: XML text (FES 2.0, or OGC Filter for WFS 1.1/1.0), possibly several
 * filters in parentheses, with common client slips tolerated (undeclared fes:/gml:/ogc: prefixes).
 * Returns one filter per query.
 */
export function parseFilterKvp(text: string, version: '2.0.0' | '1.1.0' | '1.0.0' = '2.0.0'): Filter[] {
  if (text.trim() === '') throw invalidParam('filter', 'FILTER is empty');
  return splitParenthesised(text).map((part) => {
    const fes20 = part.includes(NS.fes) || (!part.includes(NS.ogc) && !/<\/?ogc:/.test(part) && version === '2.0.0') || /<\/?fes:/.test(part);
    let root;
    try {
      root = parseXml(addMissingNamespaces(part, fes20));
    } catch (e) {
      if (e instanceof OwsError) throw new OwsError(e.code, 'filter', e.message);
      throw e;
    }
    if (root.ns === NS.fes || (root.ns === '' && fes20)) return parseFilterXml(root);
    return parseFilter110(root, version === '1.0.0' ? '1.0.0' : '1.1.0');
  });
}
