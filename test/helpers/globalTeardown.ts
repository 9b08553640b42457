import fs from 'node:fs';
import { Client } from 'pg';
import { RUN_DIR, TEMPLATE_DB, usingPostgres } from './env';

/** Drops the run's template database and any test database a crashed test left behind. */
export default async function globalTeardown(): Promise<void> {
  if (usingPostgres()) {
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    const left = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`, [`${TEMPLATE_DB}_%`, TEMPLATE_DB]);
    for (const { datname } of left.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.end();
  }
  fs.rmSync(RUN_DIR, { recursive: true, force: true });
}
