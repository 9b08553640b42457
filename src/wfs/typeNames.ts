import type { Config } from '../config/config';
import { findFeatureType } from '../catalog/featureTypes';
import type { FeatureTypeDef } from '../catalog/types';
import { invalidParam } from '../ows/errors';

/** Prefix → namespace URI declared by a NAMESPACES parameter. */
export type NamespaceMap = Map<string, string>;

/**
 * Parses NAMESPACES: WFS 2.0 `xmlns(p,uri),xmlns(q,uri)` and the WFS 1.1 `xmlns(p=uri)` form;
 * `xmlns(uri)` sets the default namespace (key '').
 */
export function parseNamespaces(value: string | undefined): NamespaceMap {
  const out: NamespaceMap = new Map();
  if (value === undefined || value.trim() === '') return out;
  const re = /xmlns\(([^)]*)\)/g;
  let m: RegExpExecArray | null;
  let matched = '';
  while ((m = re.exec(value)) !== null) {
    matched += m[0];
    const body = m[1];
    const sep = body.search(/[,=]/);
    if (sep < 0) out.set('', body.trim());
    else out.set(body.slice(0, sep).trim(), body.slice(sep + 1).trim());
  }
  if (matched.length === 0 || value.replace(/xmlns\([^)]*\)/g, '').replace(/[\s,]/g, '') !== '') {
    throw invalidParam('namespaces', 'NAMESPACES must be a list of xmlns(prefix,uri)');
  }
  return out;
}

/**
 * Resolves one type name (`reef:Station`, `ns47:Station` with NAMESPACES, `Station`, `{uri}Station`) to our type.
 * A prefix bound to another namespace than ours does not match; an unbound prefix is tolerated (many clients
 * send `reef:` without NAMESPACES).
 */
export function resolveTypeName(raw: string, ns: NamespaceMap, types: FeatureTypeDef[], config: Config, locator: string): FeatureTypeDef {
  const name = raw.trim();
  let uri: string | undefined;
  let local = name;
  const clark = /^\{([^}]*)\}(.+)$/.exec(name);
  if (clark) {
    uri = clark[1];
    local = clark[2];
  } else {
    const c = name.indexOf(':');
    if (c >= 0) {
      const prefix = name.slice(0, c);
      local = name.slice(c + 1);
      uri = ns.get(prefix) ?? (prefix === config.namespacePrefix ? config.namespaceUri : undefined);
    } else if (ns.has('')) {
      uri = ns.get('');
    }
  }
  const type = uri === undefined || uri === config.namespaceUri ? findFeatureType(types, local) : undefined;
  if (!type) throw invalidParam(locator, `Unknown feature type "${raw}"; served: ${types.map((t) => `${config.namespacePrefix}:${t.name}`).join(', ')}`);
  return type;
}

/** Splits a TYPENAMES value: a comma list, or WFS 2.0 parenthesised query groups `(a)(b)`. */
export function splitTypeNames(value: string): string[][] {
  const v = value.trim();
  if (v.startsWith('(')) {
    const groups = v.match(/\(([^)]*)\)/g) ?? [];
    return groups.map((g) => g.slice(1, -1).split(',').map((s) => s.trim()).filter(Boolean));
  }
  return [v.split(',').map((s) => s.trim()).filter(Boolean)];
}
