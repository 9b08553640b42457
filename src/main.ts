import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, Config } from './config/config';
import { migrate, partitionObservations, vacuumTargets } from './data/migrate';
import { embeddedStart, openStore, withReadReplicas } from './data/openStore';
import { PgliteStore } from './data/pgliteStore';
import { Store } from './data/store';
import { formatImportSummary, ImportError, importDirectory, ImportProgress, ImportSummary } from './ingest/importer';
import { ingestUrl, pushDirectory } from './ingest/remote';
import { ChangeSubscription, listenForChanges } from './ingest/changes';
import { MqttService, startMqtt } from './mqtt/service';
import { NetcdfLive, startNetcdfLive } from './export/netcdfLive';
import { runExportNetcdf } from './export/cli';
import { createLogger, Logger } from './log';
import { createApp, listen } from './server';
import { acquireDataDirLock, DataDirLockedError, EXIT_DATA_DIR_IN_USE } from './data/dataDirLock';
import { StartupProgress, startingApp } from './http/startup';
import { AppPrototypes } from './http/appPrototypes';
import { allServices } from './services';
import http from 'node:http';
import cluster from 'node:cluster';
import { LATE_WORKER_ENV, runPrimary } from './cluster/primary';
import { workerShare } from './cluster/shares';
import { joinCluster } from './cluster/worker';
import type { Hardening } from './http/middleware/hardening';
import { recordImportProgress, startRuntimeMetrics } from './metrics/metrics';

const USAGE = `usage: reefgate <command>
  serve          listen at once (/healthz, /readyz with the start-up phase), migrate, load demo data into
                 an empty embedded store, then serve WFS and SOS
  migrate        apply pending database migrations
  partition-observations
                 convert the observation table of a PostgreSQL store into yearly time partitions, in one
                 transaction that readers and writers wait for (see docs/data-model.md for when it pays)
  import DIR     import stations.csv, datasets.csv, observations.csv[.gz] from DIR
  import DIR --url URL [--key KEY]
                 send DIR to a running gateway (POST URL/ingest, one run there); the key may also come
                 from REEFGATE_API_KEY. This is how a running embedded gateway takes an import
  export-netcdf DIR [CODE...]
                 write one OceanSITES NetCDF file per dataset (or the given ones) and a THREDDS catalog.xml into DIR
  help, --help, -h
                 print this help
With DATABASE_URL the store is PostgreSQL; without it the embedded PGlite in DATA_DIR, which one process
at a time may open: a command finding DATA_DIR in use exits with status 75.
Configuration comes from environment variables (see README).`;

/** CLI entry point. */
export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
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
        lockEmbedded(cfg, 'migrate');
        const store = await openStore(cfg);
        const applied = await migrate(store);
        process.stderr.write(applied.length ? `applied migrations ${applied.join(', ')}\n` : 'database is up to date\n');
        await store.close();
        return;
      }
      case 'partition-observations': {
        if (!cfg.databaseUrl) throw new UsageError('partition-observations needs DATABASE_URL (the embedded store stays a plain table)');
        const store = await openStore({ ...cfg, statementTimeoutMs: 0 });
        await migrate(store);
        const t0 = Date.now();
        const moved = await partitionObservations(store);
        const s = ((Date.now() - t0) / 1000).toFixed(1);
        process.stderr.write(moved < 0 ? 'observation is already partitioned\n' : `observation partitioned by year: ${moved} rows moved in ${s} s\n`);
        await store.close();
        return;
      }
      case 'import': {
        const args = importArgs(rest);
        if (args.url) {
          process.exit(await runRemoteImport(args.dir, args.url, args.key ?? process.env.REEFGATE_API_KEY));
          return;
        }
        rest[0] = args.dir;
        lockEmbedded(cfg, 'import');
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
        lockEmbedded(cfg, 'export-netcdf');
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
    if (err instanceof DataDirLockedError) {
      process.stderr.write(`reefgate: ${err.message}\n`);
      process.exit(EXIT_DATA_DIR_IN_USE);
    }
    process.stderr.write(`reefgate: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

/**
 * Takes DATA_DIR for this process when the store is the embedded one (PGlite is single-process: a
 * second opener's writes were silently lost). PostgreSQL serves many processes and needs no lock.
 * The lock is released when the process exits.
 */
function lockEmbedded(cfg: Config, command: string): void {
  if (cfg.databaseUrl) return;
  const lock = acquireDataDirLock(cfg.dataDir, command);
  if (lock.tookOver) {
    process.stderr.write(`reefgate: took over a stale lock in ${cfg.dataDir} (pid ${lock.tookOver.pid}, "${lock.tookOver.command}", no longer running)\n`);
  }
}

class UsageError extends Error {}

/** `import DIR [--url URL] [--key KEY]` (options before or after DIR, `--opt=value` or `--opt value`). */
function importArgs(args: string[]): { dir: string; url?: string; key?: string } {
  const out: { dir?: string; url?: string; key?: string } = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--(url|key)(?:=(.*))?$/.exec(args[i]);
    if (m) {
      const v = m[2] ?? args[++i];
      if (v === undefined || v === '') throw new UsageError(`--${m[1]} needs a value`);
      out[m[1] as 'url' | 'key'] = v;
    } else if (args[i].startsWith('--')) throw new UsageError(`unknown option ${args[i].slice(0, 40)}`);
    else if (out.dir === undefined) out.dir = args[i];
    else throw new UsageError('import takes one directory');
  }
  if (!out.dir) throw new UsageError('import needs a directory');
  if (out.key && !out.url) throw new UsageError('--key goes with --url');
  return { dir: out.dir, url: out.url, key: out.key };
}

/** Sends a directory to a running gateway, printing upload progress and the outcome; returns the exit code. */
async function runRemoteImport(dir: string, url: string, key: string | undefined): Promise<number> {
  if (!key) throw new UsageError('import --url needs --key KEY (or REEFGATE_API_KEY)');
  const mib = (n: number) => (n / 1048576).toFixed(1);
  const r = await pushDirectory(dir, url, key, (p) => {
    process.stderr.write(`sent ${mib(p.sent)} of ${mib(p.total)} MiB (${mib(p.bytesPerSecond)} MiB/s)${p.done ? ', waiting for the gateway' : ''}\n`);
  });
  const b = r.body as Partial<ImportSummary> & { error?: string };
  if (r.status === 200 && b.observations) {
    process.stderr.write(`${formatImportSummary(b as ImportSummary)}\n`);
    const o = b.observations;
    process.stderr.write(`  run ${b.runId} on ${ingestUrl(url).origin}: ${o.inserted.toLocaleString('en')} inserted, ${o.corrected.toLocaleString('en')} corrected, ${o.unchanged.toLocaleString('en')} unchanged\n`);
    return 0;
  }
  const e = r.body as { file?: string; line?: number; column?: string; reason?: string };
  const why = e.file !== undefined ? `${e.file}:${e.line}: column ${e.column}: ${e.reason}` : (b.error ?? 'no answer');
  process.stderr.write(`import failed (HTTP ${r.status}), nothing was written: ${why}\n`);
  return 1;
}

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
      // The import is committed by now: a failure here is a warning, not a failed import.
      try {
        // Partitioned: only the years written (on the parent, VACUUM and ANALYZE visit and sample every year).
        for (const table of await vacuumTargets(store, s.years ?? [])) await store.query(`VACUUM (ANALYZE) ${table}`);
      } catch (err) {
        process.stderr.write(`import committed; VACUUM (ANALYZE) observation failed (run it by hand): ${(err as Error).message}\n`);
      }
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
  // The primary of a cluster reports its own runtime figures too (cluster/metricsBroker.ts).
  startRuntimeMetrics();
  // WORKERS > 1: this process supervises and migrates (cluster/primary.ts); the workers run the rest of this function.
  if (cfg.workers > 1 && cluster.isPrimary) return runPrimary(cfg, log, () => migrateAlone(cfg, log));
  const link = cluster.isWorker ? joinCluster() : undefined;
  if (link) {
    cfg = workerShare(cfg);
    log = log.child({ worker: cluster.worker!.id, pid: process.pid });
  }
  lockEmbedded(cfg, 'serve');
  const services = allServices();
  const progress = new StartupProgress(log);
  // Listen at once: until the store is ready the port answers /healthz 200, /readyz 503 with the phase
  // and the OGC endpoints 503, so an orchestrator sees a slow first start instead of a closed port.
  // A worker that replaces another (crash, rolling restart) joins the port only once it serves: its
  // siblings answer meanwhile, and a ready gateway never answers 503 because one worker is new.
  const starting = startingApp(progress);
  let handler: http.RequestListener = starting;
  // Requests are born as the app's that handles them (appPrototypes.ts): the starting one, then the gateway.
  const prototypes = new AppPrototypes(starting);
  let stopping = false;
  const openPort = async () => {
    const srv = await listen((req, res) => {
      // Draining: this answer is the connection's last, so the client does not send another on it.
      if (stopping) res.setHeader('Connection', 'close');
      handler(req, res);
    }, cfg.port, cfg.host, prototypes);
    srv.requestTimeout = 0; // long streams are bounded by their own cancellation, not a socket timer
    return srv;
  };
  let server = process.env[LATE_WORKER_ENV] === '1' ? undefined : await openPort();
  if (server) log.info({ port: cfg.port, store: cfg.databaseUrl ? 'postgres' : 'pglite' }, 'listening; starting up');

  let store: Store | undefined;
  let changes: ChangeSubscription | undefined;
  let mqttFeed: MqttService | undefined;
  let netcdf: NetcdfLive | undefined;
  let ready = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const stopped = async () => {
      // During start-up a migration or the demo import may be running: not waiting for it is like a
      // crash, which both stores survive (each migration and the import are one transaction).
      // The feed stops before the store closes: its batch in progress is redelivered, never half-acked.
      await mqttFeed?.close();
      // A pass in progress is abandoned (its temporary file removed): the files in place stay whole.
      await netcdf?.close();
      await changes?.close();
      if (store && ready) await store.close().catch(() => undefined);
      log.info('stopped');
      process.exit(0);
    };
    if (!server) return void stopped();
    const srv = server;
    const force = setTimeout(() => {
      log.warn('in-flight requests did not finish in time; closing');
      srv.closeAllConnections();
    }, 25_000);
    force.unref();
    srv.close(stopped);
    // close() waits for every connection to end, and a keep-alive connection idles for 65 s after its
    // last response (listen()): closing the idle ones now and as each in-flight response ends lets the
    // process exit when its requests are done, not at the force timer.
    srv.closeIdleConnections();
    setInterval(() => srv.closeIdleConnections(), 200).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  try {
    if (link) {
      await progress.run('waiting for the primary process to apply migrations', () => link.migrated);
      store = await progress.run('connecting to PostgreSQL', () => openStore(cfg));
    } else {
      store = await openStoreLogged(cfg, progress, log);
      const s = store;
      await progress.run('applying migrations', () => migrate(s));
      if (s.kind === 'pglite' && cfg.loadDemoData) await loadDemoIfEmpty(s, cfg.demoDir, log, progress);
    }
    // Reads on the standbys from here on; migrations ran on the primary, which writes still go to.
    const primary = store;
    if (cfg.readDatabaseUrls.length) store = await progress.run('checking the read replicas', () => withReadReplicas(primary, cfg, log));
  } catch (err) {
    log.error({ err, phase: progress.phase }, 'start-up failed');
    process.exit(1);
  }
  if (stopping) return;
  // Other replicas' writes reach this process's caches at commit (PostgreSQL; the embedded store has one process).
  changes = listenForChanges(store, log);
  const app = createApp({ config: cfg, store, log, services, metricsText: link?.clusterMetrics, rateCounter: link && cfg.rateLimitPerMinute > 0 ? link.rateTake : undefined });
  prototypes.adopt(app);
  handler = app;
  link?.setMetricsSource(() => (app.locals.hardening as Hardening).metrics.snapshot());
  mqttFeed = startMqtt(cfg, store, log);
  netcdf = startNetcdfLive(cfg, store, log);
  server ??= await openPort();
  ready = true;
  link?.ready();
  log.info({ port: cfg.port, store: store.kind, seconds: progress.elapsedSeconds(), phases: progress.done }, 'ready');
}

/** The primary's one migration run (WORKERS > 1), on a connection of its own that it closes before serving nothing. */
async function migrateAlone(cfg: Config, log: Logger): Promise<void> {
  const progress = new StartupProgress(log);
  const store = await openStore({ ...cfg, poolMax: 1 });
  try {
    const applied = await progress.run('applying migrations', () => migrate(store));
    if (applied.length) log.info({ applied }, 'migrations applied');
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** Opens the store as a logged start-up phase (the first embedded start creates the database). */
async function openStoreLogged(cfg: Config, progress: StartupProgress, log: Logger): Promise<Store> {
  if (cfg.databaseUrl) return progress.run('connecting to PostgreSQL', () => openStore(cfg));
  const how = embeddedStart(cfg.dataDir);
  const phase = {
    open: 'opening the embedded database and loading PostGIS',
    template: 'creating the embedded database from the PostGIS template',
    initdb: 'creating the embedded database (initdb, no template built) and loading PostGIS',
  }[how];
  const store = await progress.run(phase, () => openStore(cfg));
  // Part of migration 001, run apart so that its cost (most of a first start without the template)
  // shows as its own phase. The template already has the extension.
  if (how === 'initdb') await progress.run('creating the PostGIS extension', () => store.query('CREATE EXTENSION IF NOT EXISTS postgis'));
  if (store instanceof PgliteStore && store.postgisBundle === 'full') {
    log.warn('the full PostGIS bundle is loaded (raster and topology included, ~300 MB more memory): run `npm run pglite-template` to build the trimmed one');
  }
  return store;
}

/** First start of the embedded store: load the shipped demo network. */
export async function loadDemoIfEmpty(store: Store, demoDir: string, log: Logger, progress?: StartupProgress): Promise<void> {
  const r = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM dataset');
  if (r.rows[0].n > 0) return;
  if (!fs.existsSync(path.join(demoDir, 'stations.csv'))) {
    log.warn({ demoDir }, 'no demo data found; starting empty');
    return;
  }
  log.info({ demoDir }, 'empty database: loading demo data');
  const load = () =>
    importDirectory(store, demoDir, {
      onProgress: (p) => {
        recordImportProgress(p);
        if (progress) progress.detail = { file: p.file, rows: p.rows, rowsPerSecond: p.rowsPerSecond };
        log.info({ file: p.file, rows: p.rows, rowsPerSecond: p.rowsPerSecond }, 'demo import progress');
      },
    });
  const s = progress ? await progress.run('loading the demo data', load) : await load();
  log.info({ stations: s.stations.written, datasets: s.datasets.written, observedProperties: s.observedProperties.written, observations: s.observations.written, seconds: s.seconds }, 'demo data loaded');
}

if (require.main === module) {
  void main(process.argv.slice(2));
}
