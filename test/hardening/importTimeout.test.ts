import { Client } from 'pg';
import { migrate } from '../../src/data/migrate';
import { PgStore } from '../../src/data/pgStore';
import type { Session, Store } from '../../src/data/store';
import { importDirectory } from '../../src/ingest/importer';
import { DEMO_DIR, usingPostgres, withDatabase } from '../helpers/env';
import { createTestDb, TestDb } from '../helpers/testStore';

// STATEMENT_TIMEOUT_MS bounds request queries. Migrations and bulk imports run on the same store but may
// legitimately take longer (a 7.6M-row COPY was cut at 5.4M rows on a busy server): inside their
// transactions the timeout must be lifted. Observed deterministically: the store records the
// statement_timeout in force in the session each time a migration script or a COPY starts.
let db: TestDb | undefined;
afterAll(async () => {
  await db?.drop();
});

/** Wraps a store so every exec (migration script) and copyIn (bulk load) first records SHOW statement_timeout. */
function observing(store: Store, seen: string[]): Store {
  const wrapSession = (s: Session): Session => ({
    query: (text, values) => s.query(text, values),
    exec: async (sql) => {
      seen.push(`exec ${(await s.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0].statement_timeout}`);
      return s.exec(sql);
    },
    copyIn: async (sql, chunks) => {
      seen.push(`copy ${(await s.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0].statement_timeout}`);
      return s.copyIn(sql, chunks);
    },
  });
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'transaction') return <T>(fn: (s: Session) => Promise<T>) => target.transaction((s) => fn(wrapSession(s)));
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

test('an import lifts the statement timeout inside its own transaction only', async () => {
  db = await createTestDb('empty', { statementTimeoutMs: 1500 });
  const seen: string[] = [];
  const store = observing(db.store, seen);
  const timeout = async () => (await store.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0].statement_timeout;
  expect(await timeout()).toBe('1500ms');
  const s = await importDirectory(store, DEMO_DIR);
  expect(s.observations.written).toBe(190_923);
  // The one script the import execs is its own run settings (the statement that lifts the limit, so it
  // still sees 1500ms); the COPY after it runs without a limit.
  expect(seen).toEqual(['exec 1500ms', 'copy 0']);
  // SET LOCAL: ordinary queries keep the limit after the import.
  expect(await timeout()).toBe('1500ms');
});

(usingPostgres() ? test : test.skip)('migrations run without the statement timeout (fresh PostgreSQL database)', async () => {
  const name = `rg_harden_migr_${process.pid}`;
  const admin = new Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  const store = new PgStore({ connectionString: withDatabase(process.env.DATABASE_URL!, name), max: 2, statementTimeoutMs: 1500 });
  try {
    const seen: string[] = [];
    const applied = await migrate(observing(store, seen));
    expect(applied.length).toBeGreaterThanOrEqual(1);
    expect(seen).toEqual(applied.map(() => 'exec 0'));
  } finally {
    await store.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
});
