import { Client } from 'pg';
import { PgStore } from '../../src/data/pgStore';
import { createTestDb, TestDb } from './testStore';

/*
 * Watching PostgreSQL backends from outside (pg_stat_activity), to see that a statement really
 * stopped. PostgreSQL only: the embedded store has no second session to look from.
 */

/** Generous bound on waiting for pg_stat_activity to change (a loaded CI machine), not a speed claim. */
export const POLL_MS = 30_000;

/** Polls `cond` every 50 ms until it holds or `ms` pass; the last answer decides. */
export async function waitFor(cond: () => Promise<boolean>, ms = POLL_MS): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

/** A connection to the server's own database (DATABASE_URL), outside the test database it watches. */
export async function adminClient(): Promise<Client> {
  const admin = new Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  return admin;
}

/** Backends of database `name` running a pg_sleep statement now. */
export async function sleepingBackends(admin: Client, name: string): Promise<number> {
  const r = await admin.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()`,
    [name],
  );
  return r.rows[0].n;
}

export interface WatchedStore {
  db: TestDb;
  store: PgStore;
  admin: Client;
  /** Backends of the test database running pg_sleep now. */
  sleeping(): Promise<number>;
  close(): Promise<void>;
}

/** A fresh empty database with a PgStore of its own (these pool options), watched by an admin connection. */
export async function watchedPgStore(opts: { max: number; statementTimeoutMs: number; applicationName: string }): Promise<WatchedStore> {
  const db = await createTestDb('empty');
  const store = new PgStore({ connectionString: db.url!, ...opts });
  const admin = await adminClient();
  return {
    db,
    store,
    admin,
    sleeping: () => sleepingBackends(admin, db.name!),
    async close() {
      await admin.end();
      await store.close();
      await db.drop();
    },
  };
}
