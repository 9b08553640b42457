/**
 * The query string of an OGC API request, read against the route table: names keep their case (they
 * name properties), a name the route does not list is refused (400), as is a parameter given twice.
 */
import { invalidParam, OwsError } from '../ows/errors';
import { assertSafeText } from '../util/text';
import type { RouteDef } from './routes';

/** Query parameters in arrival order, by exact name. */
export interface QueryParams {
  /** Value by name. */
  get(name: string): string | undefined;
  /** Every parameter in arrival order (next/prev links repeat them). */
  readonly entries: [string, string][];
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new OwsError('InvalidParameterValue', 'request', 'The query string is not valid percent-encoded UTF-8');
  }
}

/** Parses a raw query string: values decoded once (`+` is a space), NUL and lone surrogates refused, repeats refused. */
export function parseQuery(raw: string): QueryParams {
  const entries: [string, string][] = [];
  const byName = new Map<string, string>();
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = assertSafeText(decode(eq < 0 ? part : part.slice(0, eq)), 'request');
    const value = assertSafeText(decode(eq < 0 ? '' : part.slice(eq + 1)), name.slice(0, 100));
    if (!name) continue;
    if (byName.has(name)) throw invalidParam(name.slice(0, 100), `Parameter ${name.slice(0, 100)} is given more than once`);
    byName.set(name, value);
    entries.push([name, value]);
  }
  return { get: (n) => byName.get(n), entries };
}

/** The query parameters a route takes: its own and, on items, each queryable of the collection (`extra`). */
export function allowedParameters(route: RouteDef, extra: readonly string[] = []): ReadonlySet<string> {
  return new Set([...route.parameters.filter((p) => p.in === 'query').map((p) => p.name), ...extra]);
}

/**
 * Refuses any query parameter the route does not declare (`allowed`, from allowedParameters, built
 * once per route and collection). The standard asks for a 400 here rather than ignoring it.
 */
export function checkParameters(q: QueryParams, allowed: ReadonlySet<string>): void {
  for (const [name] of q.entries) {
    if (!allowed.has(name)) {
      const known = [...allowed].join(', ');
      throw invalidParam(name.slice(0, 100), `Unknown parameter "${name.slice(0, 100)}"; this resource takes ${known}`);
    }
  }
}
