import fs from 'node:fs';
import { Config } from '../config/config';
import { PgStore } from './pgStore';
import { PgliteStore } from './pgliteStore';
import { Store } from './store';

/** Opens the store the configuration asks for: pg Pool with DATABASE_URL, embedded PGlite otherwise. */
export async function openStore(cfg: Pick<Config, 'databaseUrl' | 'dataDir' | 'poolMax' | 'statementTimeoutMs'>): Promise<Store> {
  if (cfg.databaseUrl) {
    return new PgStore({ connectionString: cfg.databaseUrl, max: cfg.poolMax, statementTimeoutMs: cfg.statementTimeoutMs });
  }
  fs.mkdirSync(cfg.dataDir, { recursive: true });
  return PgliteStore.open({ dataDir: cfg.dataDir, statementTimeoutMs: cfg.statementTimeoutMs });
}
