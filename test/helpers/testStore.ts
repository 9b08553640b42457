import fs from 'node:fs';
import { Client } from 'pg';
import { PgStore } from '../../src/data/pgStore';
import { PgliteStore } from '../../src/data/pgliteStore';
import { Store } from '../../src/data/store';
import { TEMPLATE_DB, pgliteEmptyTemplatePath, pgliteTemplatePath, usingPostgres, withDatabase } from './env';

export interface TestDb {
  store: Store;
  /** Connection URL of this test database (PostgreSQL only). */
  url?: string;
  /** Name of the database (PostgreSQL only). */
  name?: string;
  drop(): Promise<void>;
}

let seq = 0;

/**
 * A fresh database of its own for one test file, cloned from the run's template:
 * `demo` (default) has migrations and the demo network; `empty` has migrations only.
 * With DATABASE_URL it is a real PostgreSQL database (CREATE DATABASE ... TEMPLATE), else embedded PGlite.
 */
export async function createTestDb(kind: 'demo' | 'empty' = 'demo', opts: { poolMax?: number; statementTimeoutMs?: number } = {}): Promise<TestDb> {
  if (usingPostgres()) {
    const name = `${TEMPLATE_DB}_${process.pid}_${++seq}`;
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    try {
      if (kind === 'demo') {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
      } else {
        await admin.query(`CREATE DATABASE ${name}`);
      }
    } finally {
      await admin.end();
    }
    const url = withDatabase(process.env.DATABASE_URL!, name);
    const store = new PgStore({ connectionString: url, max: opts.poolMax ?? 5, statementTimeoutMs: opts.statementTimeoutMs });
    if (kind === 'empty') {
      const { migrate } = await import('../../src/data/migrate');
      await migrate(store);
    }
    return {
      store,
      url,
      name,
      drop: async () => {
        await store.close().catch(() => undefined);
        const a = new Client({ connectionString: process.env.DATABASE_URL });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.end();
      },
    };
  }
  const file = kind === 'demo' ? pgliteTemplatePath() : pgliteEmptyTemplatePath();
  const store = await PgliteStore.open({ loadDataDir: new Blob([fs.readFileSync(file)]), statementTimeoutMs: opts.statementTimeoutMs });
  return { store, drop: () => store.close() };
}
