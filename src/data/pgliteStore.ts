import type { PGlite } from '@electric-sql/pglite';
import { postgisExtension } from './postgisBundle';
import { QueryAbortedError, QueryOptions, QueryResult, Session, Store, StreamOptions } from './store';

/** Bytes of CSV handed to one embedded COPY; bounds memory while keeping COPY's speed. */
const COPY_CHUNK_BYTES = 8 * 1024 * 1024;

export interface PgliteStoreOptions {
  /** Directory to persist to; undefined = in memory. */
  dataDir?: string;
  /** A tarball from dumpDataDir() to start from (tests use a migrated template). */
  loadDataDir?: Blob | File;
  statementTimeoutMs?: number;
}

/**
 * Server settings for the embedded PostgreSQL. Its buffers live in the WebAssembly memory, which grows
 * and never shrinks: PGlite's defaults (shared_buffers 128MB, maintenance_work_mem 64MB) let one start
 * plus a bulk import grow it past 190 MiB on top of ~550 MiB of compiled WebAssembly code. These bound
 * it; a single-connection database with the OS page cache behind it does not need bigger buffers.
 */
export const PGLITE_SETTINGS = ['shared_buffers=16MB', 'work_mem=4MB', 'maintenance_work_mem=16MB', 'temp_buffers=4MB', 'wal_buffers=1MB'];

/** Store over embedded PostGIS in WebAssembly (PGlite): one connection, queries serialized. */
export class PgliteStore implements Store {
  readonly kind = 'pglite' as const;
  private cursorSeq = 0;
  private active = 0;
  /** Our statements wait here rather than in PGlite's own queue, so one whose request was abandoned is skipped. */
  private readonly queue = new StatementQueue();

  private constructor(
    readonly db: PGlite,
    /** Which PostGIS bundle was loaded: the trimmed one (see postgisBundle.ts) or the package's full one. */
    readonly postgisBundle: 'trimmed' | 'full',
  ) {}

  /** Opens (and creates if needed) the embedded database with the PostGIS extension loaded. */
  static async open(opts: PgliteStoreOptions = {}): Promise<PgliteStore> {
    const { PGlite } = await import('@electric-sql/pglite');
    const postgis = await postgisExtension();
    const db = await PGlite.create(opts.dataDir ? `file://${opts.dataDir}` : undefined, {
      extensions: { postgis: postgis.extension },
      // PGlite's own start parameters (single-user mode, no parallel workers...) plus ours.
      startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((kv) => ['-c', kv])],
      loadDataDir: opts.loadDataDir,
      parsers: { 20: (v: string) => Number(v), 1700: (v: string) => Number(v) },
    });
    if (opts.statementTimeoutMs) await db.exec(`SET statement_timeout = ${Math.floor(opts.statementTimeoutMs)}`);
    // Observation times are written from the timestamp's text output (TIME_PLAIN), which is ISO only under this style.
    await db.exec('SET DateStyle = ISO');
    return new PgliteStore(db, postgis.bundle);
  }

  /**
   * PGlite runs one statement at a time on the event loop's thread, so a running statement cannot be
   * interrupted (statement_timeout bounds it); what an abort does is skip the statement if it is still queued.
   */
  async query<R>(text: string, values: unknown[] = [], opts: QueryOptions = {}): Promise<QueryResult<R>> {
    const r = await this.queue.run(() => this.db.query<R>(text, values), opts.signal);
    return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
  }

  async *stream<R>(text: string, values: unknown[], opts: StreamOptions = {}): AsyncIterable<R[]> {
    const batch = opts.batchSize ?? 2000;
    // A WITH HOLD cursor lives outside a transaction, so other requests can run between fetches
    // on the single embedded connection instead of waiting for the whole stream.
    const name = `rg_cursor_${++this.cursorSeq}`;
    await this.queue.run(() => this.db.query(`DECLARE ${name} NO SCROLL CURSOR WITH HOLD FOR ${text}`, values), opts.signal);
    this.active++;
    try {
      for (;;) {
        if (opts.signal?.aborted) return;
        const r = await this.queue
          .run(() => this.db.query<R>(`FETCH ${batch} FROM ${name}`, [], opts.rowMode === 'array' ? { rowMode: 'array' } : undefined), opts.signal)
          .catch((err) => {
            if (err instanceof QueryAbortedError) return null;
            throw err;
          });
        if (!r) return;
        if (r.rows.length === 0) return;
        yield r.rows;
        if (r.rows.length < batch) return;
      }
    } finally {
      this.active--;
      await this.db.query(`CLOSE ${name}`).catch(() => undefined);
    }
  }

  async transaction<T>(fn: (s: Session) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      const session: Session = {
        query: async <R>(text: string, values: unknown[] = []) => {
          const r = await tx.query<R>(text, values);
          return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
        },
        exec: async (sql: string) => {
          await tx.exec(sql);
        },
        copyIn: async (copySql: string, chunks: AsyncIterable<string>) => {
          const sql = copySql.replace(/FROM\s+STDIN/i, "FROM '/dev/blob'");
          let parts: string[] = [];
          let size = 0;
          const flush = async () => {
            if (size === 0) return;
            await tx.query(sql, [], { blob: new Blob(parts) });
            parts = [];
            size = 0;
          };
          for await (const c of chunks) {
            parts.push(c);
            size += c.length;
            if (size >= COPY_CHUNK_BYTES) await flush();
          }
          await flush();
        },
      };
      return fn(session);
    });
  }

  poolStats() {
    return { total: 1, idle: this.active === 0 ? 1 : 0, waiting: 0 };
  }

  wasmMemoryBytes(): number {
    // PGlite has no public accessor for it: `mod` (protected) is its Emscripten module, whose HEAP8
    // views the whole linear memory. test/hardening/metrics.test.ts notices if that changes.
    const mod = (this.db as unknown as { mod?: { HEAP8?: Int8Array } }).mod;
    return mod?.HEAP8?.buffer.byteLength ?? 0;
  }

  /** Tarball of the data directory, used to clone a migrated template quickly. */
  async dump(): Promise<Blob> {
    return (await this.db.dumpDataDir('none')) as Blob;
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/**
 * Hands statements to PGlite one at a time, in arrival order. A statement whose signal aborts while it
 * waits leaves the queue at once (rejecting with QueryAbortedError) and never runs.
 */
class StatementQueue {
  private tail: Promise<void> = Promise.resolve();

  /** Runs fn when every earlier statement has finished, unless the signal aborts first. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw new QueryAbortedError(signal.reason);
    const before = this.tail;
    let done!: () => void;
    this.tail = new Promise<void>((resolve) => (done = resolve));
    if (signal) {
      let onAbort = (): void => undefined;
      const aborted = new Promise<'aborted'>((resolve) => {
        onAbort = () => resolve('aborted');
        signal.addEventListener('abort', onAbort, { once: true });
      });
      const first = await Promise.race([before.then(() => 'ready' as const), aborted]);
      signal.removeEventListener('abort', onAbort);
      if (first === 'aborted') {
        // Our turn still passes on in order once the statements ahead of us are done.
        void before.then(done);
        throw new QueryAbortedError(signal.reason);
      }
    } else {
      await before;
    }
    try {
      return await fn();
    } finally {
      done();
    }
  }
}
