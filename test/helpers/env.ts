import os from 'node:os';
import path from 'node:path';

/** Where this jest run keeps its templates (shared by workers through the environment). */
export const RUN_DIR = process.env.REEFGATE_TEST_RUN_DIR ?? path.join(os.tmpdir(), `reefgate-test-${process.pid}`);
/** Name of the PostgreSQL template database of this run (only with DATABASE_URL). */
export const TEMPLATE_DB = process.env.REEFGATE_TEST_TEMPLATE ?? `rg_tpl_${process.pid}`;
export const usingPostgres = (): boolean => !!process.env.DATABASE_URL;
export const DEMO_DIR = path.resolve(__dirname, '../../demo');
/** Path of the PGlite dump with migrations and demo data applied. */
export const pgliteTemplatePath = (): string => path.join(RUN_DIR, 'pglite-demo.tar');
export const pgliteEmptyTemplatePath = (): string => path.join(RUN_DIR, 'pglite-empty.tar');

/** Replaces the database name of a postgres URL. */
export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = '/' + db;
  return u.toString();
}
