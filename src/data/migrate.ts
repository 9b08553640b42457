import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../paths';
import { Store } from './store';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** Reads schemas/NNN_name.sql in version order. */
export function loadMigrations(dir = path.join(packageRoot(), 'schemas')): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = fs.readFileSync(path.join(dir, f), 'utf8');
      return { version: Number(f.slice(0, 3)), name: f.replace(/\.sql$/, ''), sql, checksum: crypto.createHash('sha256').update(sql).digest('hex') };
    });
}

// Arbitrary constant: serializes migrations when several gateway replicas start at once.
const MIGRATION_LOCK = 727_274_001;

/** Applies pending migrations, each in its own transaction, and records them; returns the versions applied. */
export async function migrate(store: Store, migrations = loadMigrations()): Promise<number[]> {
  await store.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: number[] = [];
  for (const m of migrations) {
    const done = await store.transaction(async (s) => {
      if (store.kind === 'postgres') await s.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const prev = await s.query<{ checksum: string }>('SELECT checksum FROM schema_migrations WHERE version = $1', [m.version]);
      if (prev.rows.length) {
        if (prev.rows[0].checksum !== m.checksum) {
          throw new Error(`Migration ${m.name} was changed after it was applied (checksum differs); add a new migration instead`);
        }
        return false;
      }
      // A migration may rewrite or index big tables: STATEMENT_TIMEOUT_MS (for request queries) must not cut it.
      await s.query('SET LOCAL statement_timeout = 0');
      // Simple-protocol exec: a migration file holds several statements.
      await s.exec(m.sql);
      await s.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  if (store.kind === 'postgres') await ensurePartitionsAhead(store);
  return applied;
}

/** Years ahead of the current one that start-up and migrate make sure have a partition (once observation is partitioned). */
export const PARTITION_YEARS_AHEAD = 1;

/**
 * Creates the partitions of the current UTC year and the next ones (PARTITION_YEARS_AHEAD) when observation is
 * partitioned (schemas/007): live writes then never create one; a plain observation is left alone.
 */
export async function ensurePartitionsAhead(store: Store, now = new Date()): Promise<number> {
  const y = now.getUTCFullYear();
  const years = Array.from({ length: PARTITION_YEARS_AHEAD + 1 }, (_, i) => y + i);
  const r = await store.query<{ n: number }>('SELECT observation_ensure_partitions($1::int[]) AS n', [years]);
  return Number(r.rows[0].n);
}

/** True when every known migration is recorded (the readiness check). */
export async function isMigrated(store: Store, migrations = loadMigrations()): Promise<boolean> {
  const r = await store.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM schema_migrations WHERE version = ANY($1::int[])`,
    [migrations.map((m) => m.version)],
  );
  return r.rows[0].n === migrations.length;
}

/**
 * Converts a plain observation into yearly partitions (schemas/007, observation_partition: the years holding
 * data and the years ahead) in one transaction; returns the rows moved, -1 when it was partitioned already.
 */
export async function partitionObservations(store: Store): Promise<number> {
  const moved = await store.transaction(async (s) => {
    await s.query('SET LOCAL statement_timeout = 0');
    await s.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const r = await s.query<{ n: string }>('SELECT observation_partition($1) AS n', [PARTITION_YEARS_AHEAD]);
    return Number(r.rows[0].n);
  });
  return moved;
}

/**
 * What to VACUUM (ANALYZE) after writing observations of the given UTC years: the plain table, or the
 * existing partitions of those years (names read from the catalogue, quoted).
 */
export async function vacuumTargets(store: Store, years: number[]): Promise<string[]> {
  const r = await store.query<{ name: string | null }>(
    `SELECT c.relname AS name FROM pg_class p
       LEFT JOIN pg_inherits i ON i.inhparent = p.oid
       LEFT JOIN pg_class c ON c.oid = i.inhrelid AND c.relname = ANY($1::text[])
      WHERE p.oid = 'observation'::regclass AND p.relkind = 'p'`,
    [years.map((y) => `observation_y${String(y).padStart(4, '0')}`)],
  );
  if (!r.rows.length) return ['observation'];
  return r.rows.filter((x) => x.name).map((x) => `"${x.name!.replace(/"/g, '""')}"`);
}

