import { Client, Pool, PoolClient, QueryConfig, types } from 'pg';
import Cursor from 'pg-cursor';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { cancelBackend } from './pgCancel';
import { DatabaseUnavailableError, isConnectionError, ListenHandlers, QueryAbortedError, QueryOptions, QueryResult, Session, Store, StreamOptions } from './store';

// int8 (counts, sums) as JS numbers: our counts stay far below 2^53.
types.setTypeParser(20, (v) => Number(v));
// numeric as number (extents, averages).
types.setTypeParser(1700, (v) => Number(v));

export interface PgStoreOptions {
  connectionString: string;
  max?: number;
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
  applicationName?: string;
}

/** Store over a real PostgreSQL/PostGIS through a pg Pool. */
export class PgStore implements Store {
  readonly kind = 'postgres' as const;
  private readonly pool: Pool;
  /**
   * Client-side limit of a plain query: the server's statement_timeout plus slack, so only a silent
   * connection reaches it. None when statements have no limit (the CLI's imports and VACUUM).
   */
  private readonly queryTimeoutMs: number | undefined;
  /** For the fallback cancel connection (pg_cancel_backend). */
  private readonly connectionString: string;
  /** statement_timeout of plain queries; a stream applies it to each read instead (0 = none). */
  private readonly statementTimeoutMs: number;

  constructor(opts: PgStoreOptions) {
    this.connectionString = opts.connectionString;
    const statementTimeoutMs = opts.statementTimeoutMs ?? 30_000;
    this.statementTimeoutMs = statementTimeoutMs;
    this.queryTimeoutMs = statementTimeoutMs > 0 ? statementTimeoutMs + 5000 : undefined;
    this.pool = new Pool({
      connectionString: opts.connectionString,
      max: opts.max ?? 10,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
      statement_timeout: statementTimeoutMs,
      application_name: opts.applicationName ?? 'reefgate',
      // Observation times are written from the timestamp's text output (TIME_PLAIN), which is ISO only under this style.
      options: '-c DateStyle=ISO',
    });
    // An idle client that loses its connection must not crash the process.
    this.pool.on('error', () => undefined);
    // Nor may a checked-out client (a cursor between reads, a transaction between statements): pg emits
    // 'error' on the client when its socket dies, and with no listener that is an uncaught exception.
    // The failure still reaches the caller through its query, and release() discards the dead client.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  async query<R>(text: string, values: unknown[] = [], opts: QueryOptions = {}): Promise<QueryResult<R>> {
    // query_timeout: a query on a connection that went silent (no reset) would otherwise hold its pool slot forever.
    const config: QueryConfig & { query_timeout?: number } = { text, values, query_timeout: this.queryTimeoutMs };
    if (opts.prepare) config.name = statementName(text);
    try {
      const r = opts.signal ? await this.cancellableQuery(config, opts.signal) : await this.pool.query(config);
      return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
    } catch (err) {
      if (err instanceof QueryAbortedError) throw err;
      if ((err as Error)?.message === 'Query read timeout') throw new DatabaseUnavailableError('Database did not answer in time', err);
      throw wrap(err);
    }
  }

  /**
   * One query on a connection of its own, so that an abort can cancel it on the server: the caller is
   * answered at once with QueryAbortedError, the backend gets a CancelRequest, and the connection goes
   * back to the pool only after its query has returned (then discarded: a late cancel could otherwise
   * hit the next query run on it).
   */
  private async cancellableQuery(config: QueryConfig, signal: AbortSignal): Promise<{ rows: unknown[]; rowCount: number | null }> {
    if (signal.aborted) throw new QueryAbortedError(signal.reason);
    const connecting = this.pool.connect();
    let client: PoolClient;
    try {
      client = await untilAborted(connecting, signal);
    } catch (err) {
      if (!signal.aborted) throw err;
      // pg-pool cannot withdraw a waiting connect: hand the connection back as soon as it comes.
      connecting.then((c) => c.release(), () => undefined);
      throw new QueryAbortedError(signal.reason);
    }
    if (signal.aborted) {
      client.release();
      throw new QueryAbortedError(signal.reason);
    }
    const running = client.query(config);
    let cancelled = false;
    const onAbort = () => {
      cancelled = true;
      void cancelBackend(client, this.connectionString);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    running.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        client.release(cancelled ? true : undefined);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        // Like pool.query: a connection whose query failed is not reused.
        client.release(err instanceof Error ? err : true);
      },
    );
    try {
      return await untilAborted(running, signal);
    } catch (err) {
      if (signal.aborted) throw new QueryAbortedError(signal.reason);
      throw err;
    }
  }

  async *stream<R>(text: string, values: unknown[], opts: StreamOptions = {}): AsyncIterable<R[]> {
    const batch = opts.batchSize ?? 2000;
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw wrap(err);
    }
    try {
      // A stream is read as it is produced, so it needs a plan whose first rows come at once. A portal is
      // planned for its total cost, and with costly output columns (ST_Transform, to_char) PostgreSQL
      // chose a parallel scan + sort of every row: a COUNT=10000000 page of 7.6M observations sent no
      // byte before statement_timeout. Without parallel workers it reads the primary key in order.
      // statement_timeout would bound the whole portal (a 1 GB page was cut at 30 s): each read is
      // bounded instead (readBatch), so a stream that keeps producing rows runs as long as its client reads.
      await client.query(opts.jit === false ? `${STREAM_SETTINGS}; SET jit = off` : STREAM_SETTINGS);
    } catch (err) {
      client.release(true);
      throw wrap(err);
    }
    // A checked-out client whose backend dies emits 'error'; without a listener that crashes the
    // process. The failure still reaches the reader through the cursor's rejected read (readBatch).
    let dead = false;
    const onClientError = (): void => {
      dead = true;
    };
    client.on('error', onClientError);
    // pg-cursor writes each protocol message (parse, bind, describe, execute, flush, close, sync) on
    // its own; corking the socket around each step sends them as one packet, so PostgreSQL wakes once.
    const socket = (client as unknown as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection?.stream;
    const corked = <T>(fn: () => T): T => {
      socket?.cork?.();
      try {
        return fn();
      } finally {
        socket?.uncork?.();
      }
    };
    const cursor = corked(() => client.query(new Cursor(text, values, { rowMode: opts.rowMode === 'array' ? 'array' : undefined })));
    let finished = false;
    let broken: unknown;
    const onAbort = () => {
      if (finished) return;
      // A CancelRequest on a socket of its own: the cursor's connection is busy, and the pool may be
      // full of the very queries to stop.
      void cancelBackend(client, this.connectionString);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (opts.signal?.aborted) onAbort();
      for (;;) {
        if (opts.signal?.aborted) break;
        if (dead) throw new DatabaseUnavailableError('Database connection lost during a stream');
        const rows = await readBatch(client, () => corked(() => cursor.read(batch)), opts.signal, this.statementTimeoutMs, () => void cancelBackend(client, this.connectionString));
        if (rows.length === 0) break;
        yield rows as R[];
        if (rows.length < batch) break;
      }
      // Left because of an abort: a pg_cancel_backend is in flight, so this connection must not be
      // reused (the late cancel would hit whatever query ran on it next).
      finished = !opts.signal?.aborted;
    } catch (err) {
      broken = err;
      if (opts.signal?.aborted) return;
      throw wrap(err);
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      const unfinished = !finished;
      if (unfinished && !broken) onAbort();
      // Closing waits for the server's answer, which a dead or silent connection never sends; an
      // unfinished cursor's client is discarded below anyway, which ends its connection.
      let reusable = !unfinished && !broken && !dead;
      if (reusable) await corked(() => cursor.close()).catch(() => undefined);
      // Plain queries on this connection may use parallel workers again.
      if (reusable) await client.query(PLAIN_SETTINGS).catch(() => (reusable = false));
      client.off('error', onClientError);
      // A connection that was cancelled mid-stream (or whose backend died) is discarded rather than reused.
      client.release(reusable ? undefined : true);
    }
  }

  async transaction<T>(fn: (s: Session) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw wrap(err);
    }
    let committed = false;
    const session: Session = {
      query: async <R>(text: string, values: unknown[] = []) => {
        const r = await client.query(text, values);
        return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
      },
      exec: async (sql: string) => {
        await client.query(sql);
      },
      copyIn: async (copySql: string, chunks: AsyncIterable<string>) => {
        const sink = client.query(copyFrom(copySql));
        await pipeline(Readable.from(chunks), sink);
      },
      commitWith: async (script: string) => {
        if (!/;\s*COMMIT\s*$/i.test(script)) throw new Error('commitWith: the script must end in COMMIT');
        await client.query(script);
        committed = true;
      },
    };
    let ok = false;
    try {
      await client.query('BEGIN');
      const out = await fn(session);
      if (!committed) await client.query('COMMIT');
      ok = true;
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw isConnectionError(err) ? wrap(err) : err;
    } finally {
      client.release(ok ? undefined : true);
    }
  }

  /**
   * LISTEN on a dedicated client outside the pool (a pooled connection is shared, and LISTEN belongs to
   * one session). A heartbeat notices a connection that went silent; any failure ends the client and a
   * new one is tried after a growing pause (1 s doubling to 30 s).
   */
  listen(channel: string, handlers: ListenHandlers): { close(): Promise<void> } {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
    let closed = false;
    let client: Client | undefined;
    let heartbeat: NodeJS.Timeout | undefined;
    let retry: NodeJS.Timeout | undefined;
    let pause = 1000;
    let connections = 0;
    const drop = (err: unknown) => {
      clearInterval(heartbeat);
      const c = client;
      client = undefined;
      if (c) void c.end().catch(() => undefined);
      if (closed) return;
      handlers.failed(err);
      retry = setTimeout(connect, pause);
      retry.unref();
      pause = Math.min(pause * 2, 30_000);
    };
    const connect = async () => {
      if (closed) return;
      const c = new Client({ connectionString: this.connectionString, connectionTimeoutMillis: 5000, application_name: 'reefgate-listen', keepAlive: true });
      client = c;
      c.on('error', (err) => client === c && drop(err));
      c.on('end', () => client === c && drop(new Error('connection ended')));
      c.on('notification', (m) => m.channel === channel && handlers.notification(m.payload));
      try {
        await c.connect();
        await c.query(`LISTEN ${channel}`);
      } catch (err) {
        if (client === c) drop(err);
        return;
      }
      if (closed || client !== c) return;
      pause = 1000;
      handlers.connected(connections++ > 0);
      heartbeat = setInterval(() => {
        c.query({ text: 'SELECT 1', query_timeout: 10_000 } as QueryConfig).catch((err: unknown) => client === c && drop(err));
      }, 30_000);
      heartbeat.unref();
    };
    void connect();
    return {
      close: async () => {
        closed = true;
        clearTimeout(retry);
        clearInterval(heartbeat);
        const c = client;
        client = undefined;
        if (c) await c.end().catch(() => undefined);
      },
    };
  }

  poolStats() {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** A stream's session settings, and the way back to the pool's (RESET returns to the connection's start-up values). */
const STREAM_SETTINGS = 'SET max_parallel_workers_per_gather = 0; SET statement_timeout = 0';
const PLAIN_SETTINGS = 'RESET max_parallel_workers_per_gather; RESET statement_timeout; RESET jit';

/**
 * One cursor read that also settles when the signal aborts or the connection dies: on a silent
 * connection (network black hole) or a backend terminated mid-read, the read alone can never settle
 * (seen with pg 8.23 / pg-cursor 2.22).
 *
 * Every listener lives only as long as this read. A page used to race each read against one
 * long-lived "connection died" promise; Promise.race leaves a reaction on that never-settling promise
 * per call, and each reaction keeps its race's result — a whole batch of rows — reachable until the
 * stream ends, so a COUNT=1000000 page held every row it had sent and exhausted the heap.
 */
function readBatch<T>(client: PoolClient, read: () => Promise<T>, signal: AbortSignal | undefined, timeoutMs: number, cancel: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    // The statement's limit, per read: the server cancels the statement (57014, the same answer as
    // statement_timeout) and the read rejects with it.
    const timer = timeoutMs > 0 ? setTimeout(cancel, timeoutMs) : undefined;
    const cleanup = () => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      client.off('error', onDied);
    };
    const onAbort = () => {
      if (settled) return;
      cleanup();
      reject(signal?.reason ?? new Error('aborted'));
    };
    const onDied = () => {
      if (settled) return;
      cleanup();
      reject(new DatabaseUnavailableError('Database connection lost during a stream'));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    client.on('error', onDied);
    let pending: Promise<T>;
    try {
      pending = read();
    } catch (err) {
      cleanup();
      return reject(err);
    }
    pending.then(
      (v) => {
        if (settled) return;
        cleanup();
        resolve(v);
      },
      (e) => {
        if (settled) return;
        cleanup();
        reject(e);
      },
    );
  });
}

/** Settles like p, or rejects with the signal's reason as soon as it aborts (p itself runs on). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function wrap(err: unknown): unknown {
  if (isConnectionError(err)) return new DatabaseUnavailableError('Database unavailable: ' + (err as Error).message, err);
  return err;
}

const statementNames = new Map<string, string>();

/** A stable prepared-statement name for a query text (pg re-parses only when a connection has not seen it). */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `rg_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    // The texts are ours and few (QueryOptions.prepare); the bound only guards against misuse.
    if (statementNames.size < 1000) statementNames.set(text, name);
  }
  return name;
}
