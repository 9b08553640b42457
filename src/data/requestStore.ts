import type { Queryable, QueryOptions, QueryResult, Session, Store, StreamOptions } from './store';

/** Request-scoped store → the shared store it wraps. */
const bases = new WeakMap<Queryable, Store>();

/**
 * The store as one request sees it: every query and stream carries the request's signal (aborted when
 * the client disconnects or the request deadline passes), so no database call of an abandoned request
 * runs on. Operations get this as their context's store and need not pass the signal themselves.
 */
export function requestStore(store: Store, signal: AbortSignal, opts: { writes?: boolean } = {}): Store {
  // An operation that writes runs every statement on the primary (read replicas: see Store.forWrites);
  // caches stay keyed by the shared store (bases below), which changes invalidate.
  const db = opts.writes ? (store.forWrites?.() ?? store) : store;
  const scoped: Store = {
    kind: store.kind,
    query<R>(text: string, values?: unknown[], opts: QueryOptions = {}): Promise<QueryResult<R>> {
      return db.query<R>(text, values, { ...opts, signal: both(signal, opts.signal) });
    },
    stream<R>(text: string, values: unknown[], opts: StreamOptions = {}): AsyncIterable<R[]> {
      return db.stream<R>(text, values, { ...opts, signal: both(signal, opts.signal) });
    },
    // A transaction runs to its end (COMMIT or ROLLBACK) as the store runs it, whatever the request does.
    transaction<T>(fn: (s: Session) => Promise<T>): Promise<T> {
      return db.transaction(fn);
    },
    poolStats: () => store.poolStats(),
    // The request does not own the shared store.
    close: async () => undefined,
  };
  bases.set(scoped, store);
  return scoped;
}

/**
 * The process-wide store behind a request's store (or the argument itself): for work whose result is
 * shared between requests (caches), which one request leaving must not cancel under the others.
 */
export function sharedStore<Q extends Queryable>(db: Q): Q | Store {
  return bases.get(db) ?? db;
}

/** The request's signal, or one that aborts with either when a call brings its own. */
function both(request: AbortSignal, own: AbortSignal | undefined): AbortSignal {
  if (!own || own === request) return request;
  return AbortSignal.any([request, own]);
}
