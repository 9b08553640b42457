import fs from 'node:fs';
import path from 'node:path';
import { Config } from '../config/config';
import type { Logger } from '../log';
import { PgStore } from './pgStore';
import { Replica, ReplicaMonitor } from './replicaMonitor';
import { RoutedStore } from './routedStore';
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

/**
 * The store a serving process reads and writes through: with READ_DATABASE_URLS, a RoutedStore that
 * reads on the standbys (each with a pool as large as the primary's) and writes on the primary, after a
 * first check of the replicas; otherwise openStore's. CLI commands (import, migrate) use openStore: the primary.
 */
export async function openServingStore(cfg: ServingConfig, log?: Logger): Promise<Store> {
  return withReadReplicas(await openStore(cfg), cfg, log);
}

type ServingConfig = Pick<Config, 'databaseUrl' | 'dataDir' | 'poolMax' | 'statementTimeoutMs' | 'readDatabaseUrls' | 'readMaxLagMs'>;

/**
 * The primary's store with the read replicas of READ_DATABASE_URLS in front (the same store when there
 * are none). Whatever must run on the primary (migrations) runs on `primary` before this.
 */
export async function withReadReplicas(primary: Store, cfg: ServingConfig, log?: Logger): Promise<Store> {
  if (!cfg.databaseUrl || !cfg.readDatabaseUrls.length) return primary;
  const replicas: Replica[] = cfg.readDatabaseUrls.map((url, index) => ({
    index,
    // Its own application_name: pg_stat_activity on a standby tells the gateway's reads from anything else.
    store: new PgStore({ connectionString: url, max: cfg.poolMax, statementTimeoutMs: cfg.statementTimeoutMs, applicationName: 'reefgate-read' }),
    inflight: 0,
    up: false,
    lagMs: undefined,
    replayLsn: undefined,
    reason: 'not checked yet',
  }));
  // One connection each for the checks, so that a pool saturated by reads cannot delay them.
  const check = (url: string) => new PgStore({ connectionString: url, max: 1, statementTimeoutMs: 2000, connectTimeoutMs: 2000, applicationName: 'reefgate-check' });
  const monitor = new ReplicaMonitor(replicas, { primaryCheck: check(cfg.databaseUrl), replicaChecks: cfg.readDatabaseUrls.map(check), maxLagMs: cfg.readMaxLagMs, log });
  const store = new RoutedStore(primary, replicas, monitor, log);
  // The first verdict before the first request: a replica that is down is not tried by every early read.
  await monitor.start();
  return store;
}
