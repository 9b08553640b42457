/** Result of a query: rows as objects keyed by column name. */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface QueryOptions {
  /**
   * Keep the statement parsed and planned on each connection (PostgreSQL prepared statement), for hot
   * queries whose text comes from a small fixed set: every distinct text stays in every backend.
   */
  prepare?: boolean;
  /**
   * Aborting cancels the statement on the server (PostgreSQL: CancelRequest; PGlite: a statement still
   * queued is skipped) and rejects with QueryAbortedError.
   */
  signal?: AbortSignal;
}

/** Anything that runs one parameterized statement. */
export interface Queryable {
  query<R = Record<string, unknown>>(text: string, values?: unknown[], opts?: QueryOptions): Promise<QueryResult<R>>;
}

/** A connection inside a transaction: queries plus bulk load. */
export interface Session extends Queryable {
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `COPY ... FROM STDIN` (text or csv, as the statement says), feeding it the given chunks. */
  copyIn(copySql: string, chunks: AsyncIterable<string>): Promise<void>;
  /**
   * Runs a parameterless script ending in COMMIT in one round trip, which ends the transaction (the
   * store commits nothing more). Stores whose engine serialises transactions anyway may lack it.
   */
  commitWith?(script: string): Promise<void>;
}

export interface StreamOptions {
  /** Aborting stops the query on the server and ends the iteration. */
  signal?: AbortSignal;
  /** Rows per fetch. */
  batchSize?: number;
  /** 'array' returns each row as an array of column values (faster for wide streams). */
  rowMode?: 'object' | 'array';
  /**
   * false: no JIT compilation for this statement (PostgreSQL only). A statement whose estimated cost
   * passes jit_above_cost only because it scans a long series more than once gains nothing from it and
   * pays the compilation (tens of ms) before its first row.
   */
  jit?: boolean;
}

/** The one data access interface; hides the difference between PostgreSQL (pg Pool) and embedded PGlite. */
export interface Store extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Streams the rows of a query from a server-side cursor, a batch at a time. */
  stream<R = Record<string, unknown>>(text: string, values: unknown[], opts?: StreamOptions): AsyncIterable<R[]>;
  /** Runs fn inside BEGIN/COMMIT; any throw rolls everything back. */
  transaction<T>(fn: (s: Session) => Promise<T>): Promise<T>;
  /** Pool figures for metrics; embedded store reports one connection. */
  poolStats(): { total: number; idle: number; waiting: number };
  /**
   * Bytes of the embedded database's WebAssembly memory (PGlite only): it grows with what PostgreSQL
   * needs and never shrinks, and no Node heap limit bounds it, so it is reported apart.
   */
  wasmMemoryBytes?(): number;
  /**
   * Listens for notifications on a channel over a connection of its own, re-established when lost
   * (PostgreSQL only: the embedded store has a single process, which needs no notification).
   */
  listen?(channel: string, handlers: ListenHandlers): { close(): Promise<void> };
  /** Where reads went, for metrics (a store with read replicas only: routedStore.ts). */
  routingStats?(): RoutingStats;
  /**
   * The store as an operation that writes needs it (a store with read replicas only): every statement
   * on the primary, since a standby refuses writes and the operation's look-ups must see the latest
   * ones; transactions as this store runs them. Absent: this store is the primary.
   */
  forWrites?(): Store;
  close(): Promise<void>;
}

/** Read replicas and the reads they took (routedStore.ts). */
export interface RoutingStats {
  /** In READ_DATABASE_URLS order; lagMs is the staleness bound of the last check (undefined = unknown). */
  replicas: { index: number; up: boolean; inRotation: boolean; lagMs: number | undefined }[];
  /** Reads run, by where they ran. */
  reads: { primary: number; replica: number };
  /** Reads that failed on a replica and were run again on the primary. */
  retried: number;
}

/** Callbacks of Store.listen. */
export interface ListenHandlers {
  notification(payload: string | undefined): void;
  /** After each (re)connection, once LISTEN is in force; again = notifications may have been missed. */
  connected(again: boolean): void;
  /** The connection failed or was lost; a new attempt follows. */
  failed(err: unknown): void;
}

/** Raised by a store call whose signal aborted: the request it served is gone or past its deadline. */
export class QueryAbortedError extends Error {
  constructor(reason?: unknown) {
    super('Database call cancelled: ' + (reason instanceof Error ? reason.message : 'aborted'), { cause: reason });
    this.name = 'QueryAbortedError';
  }
}

/** Raised by a store when the database cannot be reached or dropped the connection. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004', '53300']);

/** True when an error means the database is down or the connection was lost (as opposed to a bad query). */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return true;
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.code && CONNECTION_CODES.has(e.code)) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(e.message ?? '');
}
