/**
 * The API's paths matched against the route table in one step: the request path is split on '/' once
 * and compared with each row's segments (literal, case-sensitive; `{name}` takes one non-empty
 * segment, percent-decoded). It answers what Express's router answered with a GET layer and a 405
 * layer per row, which every request walked one regular expression at a time.
 */
import { OwsError } from '../ows/errors';

/** A row of the table as matched: its path template split into segments. */
interface Compiled<R> {
  route: R;
  /** Literal segments as written; a parameter's name in `names` at the same index. */
  literals: (string | undefined)[];
  names: (string | undefined)[];
}

/** The rows by number of segments. */
export type PathTable<R> = Map<number, Compiled<R>[]>;

/** What a path matched: its row and its parameters, decoded. */
export interface PathMatch<R> {
  route: R;
  params: Record<string, string>;
}

/** Segments of a path below the base path ('' and '/' are the landing page: no segment). */
function segments(path: string): string[] {
  return path === '' || path === '/' ? [] : path.slice(1).split('/');
}

/** The table of rows, each with its path template relative to the base path (`/collections/{collectionId}`, '' for the landing page). */
export function pathTable<R extends { path: string }>(routes: readonly R[]): PathTable<R> {
  const table: PathTable<R> = new Map();
  for (const route of routes) {
    const parts = segments(route.path);
    const names = parts.map((p) => /^\{(\w+)\}$/.exec(p)?.[1]);
    const row: Compiled<R> = { route, literals: parts.map((p, i) => (names[i] === undefined ? p : undefined)), names };
    const rows = table.get(parts.length) ?? [];
    rows.push(row);
    table.set(parts.length, rows);
  }
  return table;
}

/** A path parameter decoded; a malformed escape is the client's error (400), as Express's router had it. */
function decodeSegment(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    throw new OwsError('InvalidParameterValue', 'path', 'A path segment is not valid percent-encoded UTF-8');
  }
}

/**
 * The row a path (below the base path, without the query; as received, not decoded) matches, or
 * undefined. One trailing slash is allowed (`/collections/` is `/collections`; `/` the landing page),
 * as Express's non-strict routing allowed it. Throws a 400 for a parameter that is not valid
 * percent-encoded UTF-8.
 */
export function matchPath<R>(table: PathTable<R>, path: string): PathMatch<R> | undefined {
  const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const parts = segments(p);
  const rows = table.get(parts.length);
  if (!rows) return undefined;
  next: for (const row of rows) {
    for (let i = 0; i < parts.length; i++) {
      const lit = row.literals[i];
      if (lit === undefined ? parts[i] === '' : parts[i] !== lit) continue next;
    }
    const params: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const name = row.names[i];
      if (name !== undefined) params[name] = decodeSegment(parts[i]);
    }
    return { route: row.route, params };
  }
  return undefined;
}
