import fs from 'node:fs';
import path from 'node:path';
import { Config } from '../config/config';
import { PgStore } from './pgStore';
import { PgliteStore } from './pgliteStore';
import { loadTemplate } from './pgliteTemplate';
import { Store } from './store';

/** Opens the store the configuration asks for: pg Pool with DATABASE_URL, embedded PGlite otherwise. */
export async function openStore(cfg: Pick<Config, 'databaseUrl' | 'dataDir' | 'poolMax' | 'statementTimeoutMs'>): Promise<Store> {
  if (cfg.databaseUrl) {
    return new PgStore({ connectionString: cfg.databaseUrl, max: cfg.poolMax, statementTimeoutMs: cfg.statementTimeoutMs });
  }
  fs.mkdirSync(cfg.dataDir, { recursive: true });
  // A fresh directory starts from the PostGIS template when `npm ci` made one (see pgliteTemplate.ts).
  const template = embeddedStart(cfg.dataDir) === 'template' ? loadTemplate() : undefined;
  return PgliteStore.open({ dataDir: cfg.dataDir, statementTimeoutMs: cfg.statementTimeoutMs, loadDataDir: template });
}

/** How the embedded store will start: open an existing database, unpack the template, or run initdb. */
export function embeddedStart(dataDir: string): 'open' | 'template' | 'initdb' {
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return 'open';
  return loadTemplate() ? 'template' : 'initdb';
}
