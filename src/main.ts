import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, Config } from './config/config';
import { migrate } from './data/migrate';
import { openStore } from './data/openStore';
import { Store } from './data/store';
import { formatImportSummary, ImportError, importDirectory, ImportProgress } from './ingest/importer';
import { runExportNetcdf } from './export/cli';
import { createLogger, Logger } from './log';
import { createApp, listen } from './server';
import { recordImportProgress } from './metrics/metrics';

const USAGE = `usage: reefgate <command>
  serve          migrate, load demo data into an empty embedded store, and serve HTTP
  migrate        apply pending database migrations
  import DIR     import stations.csv, datasets.csv, observations.csv[.gz] from DIR
  export-netcdf DIR [CODE...]
                 write one OceanSITES NetCDF file per dataset (or the given ones) and a THREDDS catalog.xml into DIR
Configuration comes from environment variables (see README).`;

/** CLI entry point. */
export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  let cfg: Config;
  try {
    cfg = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`reefgate: configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(cfg.logLevel);
  try {
    switch (cmd) {
      case 'serve':
        await serve(cfg, log);
        return;
      case 'migrate': {
        const store = await openStore(cfg);
        const applied = await migrate(store);
        process.stderr.write(applied.length ? `applied migrations ${applied.join(', ')}\n` : 'database is up to date\n');
        await store.close();
        return;
      }
      case 'import': {
        if (!rest[0]) throw new UsageError('import needs a directory');
        // A bulk load legitimately runs longer than any request may: no statement timeout here.
        const store = await openStore({ ...cfg, statementTimeoutMs: 0 });
        await migrate(store);
        const code = await runImport(store, rest[0]);
        await store.close();
        process.exit(code);
        return;
      }
      case 'export-netcdf': {
        if (!rest[0]) throw new UsageError('export-netcdf needs a directory');
        const store = await openStore({ ...cfg, statementTimeoutMs: 0 }); // one long cursor per dataset
        await migrate(store);
        if (store.kind === 'pglite' && cfg.loadDemoData) await loadDemoIfEmpty(store, cfg.demoDir, log);
        const code = await runExportNetcdf(store, cfg, rest[0], rest.slice(1));
        await store.close();
        process.exit(code);
        return;
      }
      default:
        throw new UsageError(cmd ? `unknown command "${cmd}"` : 'no command');
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`reefgate: ${err.message}\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`reefgate: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

class UsageError extends Error {}

/** Imports a directory, printing progress and the outcome on stderr; returns the exit code. */
export async function runImport(store: Store, dir: string): Promise<number> {
  const onProgress = (p: ImportProgress) => {
    recordImportProgress(p);
    process.stderr.write(`${p.file}: ${p.rows.toLocaleString('en')} rows (${p.rowsPerSecond.toLocaleString('en')} rows/s)${p.done ? ' read' : ''}\n`);
  };
  try {
    const s = await importDirectory(store, dir, { onProgress });
    process.stderr.write(`${formatImportSummary(s)}\n`);
    if (s.observations.written > 0 && store.kind === 'postgres') {
      // Fresh statistics and visibility map: the planner and index-only scans need them after a bulk load.
      await store.query('VACUUM (ANALYZE) observation');
    }
    return 0;
  } catch (err) {
    if (err instanceof ImportError) {
      process.stderr.write(`import failed, nothing was written: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

async function serve(cfg: Config, log: Logger): Promise<void> {
  const store = await openStore(cfg);
  await migrate(store);
  if (store.kind === 'pglite' && cfg.loadDemoData) await loadDemoIfEmpty(store, cfg.demoDir, log);
  const app = createApp({ config: cfg, store, log });
  const server = await listen(app, cfg.port, cfg.host);
  server.requestTimeout = 0; // long streams are bounded by their own cancellation, not a socket timer
  log.info({ port: cfg.port, store: store.kind }, 'listening');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const force = setTimeout(() => {
      log.warn('in-flight requests did not finish in time; closing');
      server.closeAllConnections();
    }, 25_000);
    force.unref();
    server.close(async () => {
      await store.close().catch(() => undefined);
      log.info('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** First start of the embedded store: load the shipped demo network. */
export async function loadDemoIfEmpty(store: Store, demoDir: string, log: Logger): Promise<void> {
  const r = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM dataset');
  if (r.rows[0].n > 0) return;
  if (!fs.existsSync(path.join(demoDir, 'stations.csv'))) {
    log.warn({ demoDir }, 'no demo data found; starting empty');
    return;
  }
  log.info({ demoDir }, 'empty database: loading demo data');
  const s = await importDirectory(store, demoDir, {
    onProgress: (p) => {
      recordImportProgress(p);
      log.info({ file: p.file, rows: p.rows, rowsPerSecond: p.rowsPerSecond }, 'demo import progress');
    },
  });
  log.info({ stations: s.stations.written, datasets: s.datasets.written, observedProperties: s.observedProperties.written, observations: s.observations.written, seconds: s.seconds }, 'demo data loaded');
}

if (require.main === module) {
  void main(process.argv.slice(2));
}
