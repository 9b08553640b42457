import type { Logger } from '../log';
import { Replica, ReplicaMonitor } from './replicaMonitor';
import { isConnectionError, ListenHandlers, QueryAbortedError, QueryOptions, QueryResult, RoutingStats, Session, Store, StreamOptions } from './store';

/*
 * Reads on hot standbys, everything else on the primary (READ_DATABASE_URLS, docs/deployment.md):
 * - query() and stream() are reads (requests never write: see requestStore.ts); they go to the least
 *   busy replica in rotation (ReplicaMonitor), or to the primary when none is;
 * - transaction() is a write (imports, ingest, migrations) and listen() a session of the primary's;
 *   an operation that writes (SOS-T) runs all its statements on the primary through forWrites();
 * - a read that fails on a replica because of the replica (connection refused or lost, a query
 *   cancelled by a recovery conflict) is run again on the primary, provided nothing of it has reached
 *   the caller: always for query(), before the first batch for stream(). The replica leaves the
 *   rotation until a check finds it back;
 * - read-your-writes: after a commit here, or a change announced by another process (NOTIFY through
 *   listen()), reads stay on the primary until a replica has replayed it (ReplicaMonitor.pinToPrimary).
 */

/** A standby cancels a query whose rows replay must remove (conflict with recovery): the primary has no such conflict. */
const RECOVERY_CONFLICT = '40001';

/** A Store over a primary and its read replicas. */
export class RoutedStore implements Store {
  readonly kind = 'postgres' as const;
  private rr = 0;
  private readonly counts = { primary: 0, replica: 0, retried: 0 };
  readonly listen?: Store['listen'];

  constructor(
    private readonly primary: Store,
    private readonly replicas: Replica[],
    private readonly monitor: ReplicaMonitor,
    private readonly log?: Logger,
  ) {
    const listen = primary.listen?.bind(primary);
    if (listen) {
      // A change another process committed: this process's caches are dropped by the handler, and the
      // reads that refill them must not come from a replica that has not replayed it yet.
      this.listen = (channel: string, handlers: ListenHandlers) =>
        listen(channel, {
          notification: (payload) => {
            void this.monitor.pinToPrimary();
            handlers.notification(payload);
          },
          connected: (again) => {
            // Notifications may have been missed while the listener was away: as if one had come.
            if (again) void this.monitor.pinToPrimary();
            handlers.connected(again);
          },
          failed: (err) => handlers.failed(err),
        });
    }
  }

  async query<R>(text: string, values?: unknown[], opts?: QueryOptions): Promise<QueryResult<R>> {
    const r = this.pick();
    if (r) {
      r.inflight++;
      try {
        const out = await r.store.query<R>(text, values, opts);
        this.counts.replica++;
        return out;
      } catch (err) {
        if (!this.replicaFault(r, err, opts?.signal)) throw err;
      } finally {
        r.inflight--;
      }
    }
    this.counts.primary++;
    return this.primary.query<R>(text, values, opts);
  }

  async *stream<R>(text: string, values: unknown[], opts: StreamOptions = {}): AsyncIterable<R[]> {
    const r = this.pick();
    if (r) {
      let started = false;
      r.inflight++;
      try {
        for await (const rows of r.store.stream<R>(text, values, opts)) {
          if (!started) this.counts.replica++;
          started = true;
          yield rows;
        }
        if (!started) this.counts.replica++;
        return;
      } catch (err) {
        // Rows already handed on may already be on their way to a client: too late to start again.
        if (started || !this.replicaFault(r, err, opts.signal)) throw err;
      } finally {
        r.inflight--;
      }
    }
    this.counts.primary++;
    yield* this.primary.stream<R>(text, values, opts);
  }

  /** Statements on the primary, transactions through this store (so their commits pin the reads): see Store.forWrites. */
  forWrites(): Store {
    return this.writes;
  }

  private readonly writes: Store = {
    kind: 'postgres',
    query: <R>(text: string, values?: unknown[], opts?: QueryOptions) => this.primary.query<R>(text, values, opts),
    stream: <R>(text: string, values: unknown[], opts?: StreamOptions) => this.primary.stream<R>(text, values, opts),
    transaction: <T>(fn: (s: Session) => Promise<T>) => this.transaction(fn),
    poolStats: () => this.poolStats(),
    close: async () => undefined,
  };

  async transaction<T>(fn: (s: Session) => Promise<T>): Promise<T> {
    const out = await this.primary.transaction(fn);
    // Before the caller learns of the commit: every read it (or anyone in this process) makes next sees it.
    await this.monitor.pinToPrimary();
    return out;
  }

  poolStats() {
    const all = [this.primary.poolStats(), ...this.replicas.map((r) => r.store.poolStats())];
    return { total: sum(all, 'total'), idle: sum(all, 'idle'), waiting: sum(all, 'waiting') };
  }

  routingStats(): RoutingStats {
    const inRotation = new Set(this.monitor.eligible());
    return {
      replicas: this.replicas.map((r) => ({ index: r.index, up: r.up, inRotation: inRotation.has(r), lagMs: r.lagMs })),
      reads: { primary: this.counts.primary, replica: this.counts.replica },
      retried: this.counts.retried,
    };
  }

  async close(): Promise<void> {
    await this.monitor.close();
    await Promise.all([this.primary.close(), ...this.replicas.map((r) => r.store.close())]);
  }

  /** The least busy replica in rotation (ties taken in turn), or undefined: read on the primary. */
  private pick(): Replica | undefined {
    const candidates = this.monitor.eligible();
    if (!candidates.length) return undefined;
    const start = this.rr++ % candidates.length;
    let best = candidates[start];
    for (let i = 1; i < candidates.length; i++) {
      const c = candidates[(start + i) % candidates.length];
      if (c.inflight < best.inflight) best = c;
    }
    return best;
  }

  /**
   * True when a read failed because of the replica, so the primary should run it: the replica is taken
   * out of rotation (a lost connection) and the retry counted. A cancelled request, or an error of the
   * query itself (it would fail on the primary too), is the caller's.
   */
  private replicaFault(r: Replica, err: unknown, signal: AbortSignal | undefined): boolean {
    if (err instanceof QueryAbortedError || signal?.aborted) return false;
    const conflict = (err as { code?: string })?.code === RECOVERY_CONFLICT;
    if (!conflict && !isConnectionError(err)) return false;
    if (!conflict) this.monitor.markDown(r, `read failed: ${(err as Error).message}`);
    this.counts.retried++;
    this.log?.debug({ replica: r.index, err: (err as Error).message }, 'read failed on a replica; running it on the primary');
    return true;
  }
}

function sum<K extends string>(xs: Record<K, number>[], k: K): number {
  return xs.reduce((n, x) => n + x[k], 0);
}
