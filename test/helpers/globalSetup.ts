import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { migrate } from '../../src/data/migrate';
import { PgStore } from '../../src/data/pgStore';
import { PgliteStore } from '../../src/data/pgliteStore';
import { importDirectory } from '../../src/ingest/importer';
import { DEMO_DIR, RUN_DIR, TEMPLATE_DB, pgliteEmptyTemplatePath, pgliteTemplatePath, usingPostgres, withDatabase } from './env';

/** Builds, once per run, a migrated database with the demo data that every test file clones. */
export default async function globalSetup(): Promise<void> {
  process.env.REEFGATE_TEST_RUN_DIR = RUN_DIR;
  process.env.REEFGATE_TEST_TEMPLATE = TEMPLATE_DB;
  fs.mkdirSync(RUN_DIR, { recursive: true });
  // Tests that start real processes (CLI, HAProxy backends) run dist/: make sure it is current.
  if (process.env.REEFGATE_SKIP_BUILD !== '1') {
    execFileSync(process.execPath, [path.join(__dirname, '../../node_modules/typescript/bin/tsc'), '-p', path.join(__dirname, '../../tsconfig.build.json')], { stdio: 'inherit' });
  }
  if (usingPostgres()) {
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB}`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
    await admin.end();
    const store = new PgStore({ connectionString: withDatabase(process.env.DATABASE_URL!, TEMPLATE_DB), max: 2 });
    await migrate(store);
    await importDirectory(store, DEMO_DIR);
    await store.query('VACUUM ANALYZE');
    await store.close();
  } else {
    const empty = await PgliteStore.open();
    await migrate(empty);
    fs.writeFileSync(pgliteEmptyTemplatePath(), Buffer.from(await (await empty.dump()).arrayBuffer()));
    await importDirectory(empty, DEMO_DIR);
    await empty.query('VACUUM ANALYZE');
    fs.writeFileSync(pgliteTemplatePath(), Buffer.from(await (await empty.dump()).arrayBuffer()));
    await empty.close();
  }
}
