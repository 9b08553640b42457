import type { Logger } from '../log';
import type { Queryable, Store } from '../data/store';
import { forgetCatalogue } from '../query/catalogue';

/*
 * Committed writes reach every cache of every gateway at once. The writer (writer.ts) sends a NOTIFY on
 * CHANGES_CHANNEL inside its transaction, which PostgreSQL delivers at commit to every replica listening
 * (listenForChanges, one dedicated connection each); the writing process also applies the change itself
 * right after its commit, which is all the embedded store (one process) needs.
 */

/** The PostgreSQL notification channel of data changes. */
export const CHANGES_CHANNEL = 'reefgate_data_changed';

/** What a committed run changed (the NOTIFY payload, as JSON). */
export interface DataChange {
  /** The import_run id; 0 when unknown (a lost listener connection: anything may have changed). */
  runId: number;
  /** Ids of the datasets whose observations changed; 'all' when unknown or too many to list. */
  datasets: number[] | 'all';
  /** Stations, datasets or observed properties were created or changed (not only observations). */
  catalogue: boolean;
}

/** A cache that must drop what a change makes stale; gets the shared store the change happened on. */
export type ChangeListener = (store: Queryable, change: DataChange) => void;

const listeners = new Set<ChangeListener>();

/** Registers a cache to invalidate on every data change, local or announced by another replica; returns its removal. */
export function onDataChange(fn: ChangeListener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Drops this process's caches of a store for a change: the catalogue (extents, counts), then every registered listener. */
export function applyChange(store: Queryable, change: DataChange): void {
  forgetCatalogue(store);
  for (const fn of listeners) fn(store, change);
}

/** NOTIFY payloads are limited to 8000 bytes: beyond this many ids the change says 'all'. */
const MAX_IDS = 500;

/** The NOTIFY payload of a change. */
export function changePayload(change: DataChange): string {
  const datasets = change.datasets !== 'all' && change.datasets.length > MAX_IDS ? 'all' : change.datasets;
  return JSON.stringify({ ...change, datasets });
}

/** Parses a payload; anything unexpected counts as "everything may have changed". */
export function parseChange(payload: string | undefined): DataChange {
  try {
    const v = JSON.parse(payload ?? '') as Partial<DataChange>;
    const datasets = Array.isArray(v.datasets) && v.datasets.every((x) => Number.isInteger(x)) ? v.datasets : 'all';
    return { runId: Number.isInteger(v.runId) ? Number(v.runId) : 0, datasets, catalogue: v.catalogue !== false };
  } catch {
    return EVERYTHING;
  }
}

const EVERYTHING: DataChange = { runId: 0, datasets: 'all', catalogue: true };

/** A running listener; close() ends its connection. */
export interface ChangeSubscription {
  /** Notifications applied so far (tests and metrics). */
  readonly received: number;
  /** Settles once LISTEN is first in force. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Listens for other replicas' changes and applies them to this process's caches. PostgreSQL only (the
 * embedded store has one process, which applies its own changes); undefined on PGlite. A lost
 * connection is re-established, and every cache dropped then, since notifications sent meanwhile are lost.
 */
export function listenForChanges(store: Store, log: Logger): ChangeSubscription | undefined {
  if (!store.listen) return undefined;
  let received = 0;
  let listening!: () => void;
  const ready = new Promise<void>((resolve) => (listening = resolve));
  const sub = store.listen(CHANGES_CHANNEL, {
    notification: (payload) => {
      received++;
      applyChange(store, parseChange(payload));
    },
    connected: (again) => {
      listening();
      if (!again) return;
      log.info('change listener reconnected; caches dropped');
      applyChange(store, EVERYTHING);
    },
    failed: (err) => log.warn({ err: (err as Error)?.message }, 'change listener lost its connection; reconnecting'),
  });
  return {
    get received() {
      return received;
    },
    ready,
    close: () => sub.close(),
  };
}
