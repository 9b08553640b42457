import cluster, { Worker } from 'node:cluster';
import type { Config } from '../config/config';
import type { Logger } from '../log';
import { isClusterMessage } from './messages';
import { startMetricsBroker } from './metricsBroker';
import { startRateBroker } from './rateBroker';

/*
 * The primary process of WORKERS > 1 (node:cluster): it serves nothing and holds no database pool. It
 * - forks the workers at once, so the port answers (/healthz, /readyz with the phase) from the start;
 * - applies the migrations, alone (the one migrator), then tells the workers, which only then open
 *   their pools; a worker started later learns it when it says hello;
 * - starts a worker again when one exits unexpectedly, after a pause that doubles while workers keep
 *   dying young (0.25 s up to 30 s), so a crash loop does not spin;
 * - on SIGTERM/SIGINT passes SIGTERM to every worker (each stops accepting, finishes its in-flight
 *   requests and exits) and exits once they all have, or kills the rest after SHUTDOWN_BOUND_MS (a
 *   connection Node's round-robin was handing to a worker just as the last one stopped accepting can
 *   stay unanswered until then, nodejs/node#21746: the primary's exit closes it);
 * - on SIGHUP restarts the workers one at a time (rolling): a new one is started, and the old one
 *   stopped gracefully only when the new one serves, so capacity never drops;
 * - answers /metrics requests with every worker's figures added up (metricsBroker.ts);
 * - counts RATE_LIMIT_PER_MINUTE for the whole gateway: every worker asks it per request (rateBroker.ts).
 * The connections between clients and workers are spread by Node (round-robin, the default on Linux).
 */

/** A worker finishes its requests within 25 s and then closes what is left (main.ts); this bounds the whole. */
const SHUTDOWN_BOUND_MS = 28_000;
/** A worker that exits within this of its start counts as one more failure in a row. */
const YOUNG_MS = 10_000;
const FIRST_PAUSE_MS = 250;
const MAX_PAUSE_MS = 30_000;
/** How long a rolling restart waits for a new worker to serve before giving up (the old one stays). */
const ROLL_READY_WAIT_MS = 120_000;
/** Environment of a worker started after the first ones: it listens only once ready (main.ts). */
export const LATE_WORKER_ENV = 'REEFGATE_LATE_WORKER';

interface Slot {
  worker?: Worker;
  startedAt: number;
  /** Exits in a row of workers that died young. */
  failures: number;
  restartTimer?: NodeJS.Timeout;
}

/** Runs the primary: forks cfg.workers workers, migrates once with `migrate`, supervises until a signal ends it. */
export function runPrimary(cfg: Config, log: Logger, migrate: () => Promise<void>): void {
  const slots: Slot[] = Array.from({ length: cfg.workers }, () => ({ startedAt: 0, failures: 0 }));
  const ready = new Set<Worker>();
  /** Old workers being stopped by a rolling restart: their exit is expected. */
  const retiring = new Set<Worker>();
  let migrated = false;
  let stopping = false;
  let rolling = false;
  const alive = () => Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead()).length;
  const restarts = startMetricsBroker({ running: alive, ready: () => ready.size });
  if (cfg.rateLimitPerMinute > 0) startRateBroker(cfg.rateLimitPerMinute);

  const fork = (slot: Slot, late: boolean): Worker => {
    const w = cluster.fork(late ? { [LATE_WORKER_ENV]: '1' } : {});
    slot.worker = w;
    slot.startedAt = Date.now();
    w.on('message', (m: unknown) => {
      if (!isClusterMessage(m)) return;
      if (m.type === 'reefgate:hello' && migrated) w.send({ type: 'reefgate:migrated' });
      else if (m.type === 'reefgate:ready') {
        ready.add(w);
        w.emit('reefgate:ready');
      }
    });
    w.on('exit', (code, signal) => {
      ready.delete(w);
      if (retiring.delete(w) || stopping) return;
      if (slot.worker !== w) return;
      slot.worker = undefined;
      slot.failures = Date.now() - slot.startedAt < YOUNG_MS ? slot.failures + 1 : 1;
      const pause = Math.min(MAX_PAUSE_MS, FIRST_PAUSE_MS * 2 ** (slot.failures - 1));
      log.error({ worker: w.id, pid: w.process.pid, code, signal, restartInMs: pause }, 'worker exited unexpectedly; starting another');
      slot.restartTimer = setTimeout(() => {
        slot.restartTimer = undefined;
        if (stopping) return;
        restarts.inc();
        const next = fork(slot, true);
        log.info({ worker: next.id, pid: next.process.pid }, 'worker started');
      }, pause);
    });
    return w;
  };

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, workers: alive() }, 'shutting down: each worker stops accepting, finishes its in-flight requests and exits');
    for (const s of slots) clearTimeout(s.restartTimer);
    const bound = setTimeout(() => {
      const left = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
      log.warn({ workers: left.map((w) => w.process.pid) }, 'workers did not stop in time; killing them');
      for (const w of left) w.process.kill('SIGKILL');
    }, SHUTDOWN_BOUND_MS);
    bound.unref();
    const finish = () => {
      if (alive() > 0) return;
      log.info('stopped');
      process.exit(0);
    };
    cluster.on('exit', finish);
    for (const w of Object.values(cluster.workers ?? {})) if (w && !w.isDead()) w.process.kill('SIGTERM');
    finish();
  };

  const rollingRestart = async () => {
    if (rolling || stopping || !migrated) return;
    rolling = true;
    log.info({ workers: slots.length }, 'rolling restart: replacing the workers one at a time');
    try {
      for (const slot of slots) {
        const old = slot.worker;
        const fresh = fork(slot, true);
        if (!(await servesWithin(fresh, ROLL_READY_WAIT_MS))) {
          log.error({ worker: fresh.id }, 'rolling restart stopped: a new worker did not become ready; the others are left as they are');
          if (old && !old.isDead()) {
            slot.worker = old;
            retiring.add(fresh);
            fresh.process.kill('SIGTERM');
          }
          return;
        }
        if (old && !old.isDead()) {
          retiring.add(old);
          old.process.kill('SIGTERM');
        }
        if (stopping) return;
      }
      log.info('rolling restart done');
    } finally {
      rolling = false;
    }
  };

  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => void rollingRestart());

  for (const s of slots) fork(s, false);
  log.info({ workers: slots.length, pids: slots.map((s) => s.worker!.process.pid) }, 'workers started; applying migrations in the primary process');
  migrate().then(
    () => {
      migrated = true;
      for (const w of Object.values(cluster.workers ?? {})) if (w?.isConnected()) w.send({ type: 'reefgate:migrated' });
    },
    (err: unknown) => {
      log.error({ err }, 'start-up failed: migrations');
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(1);
    },
  );
}

/** True once the worker reports ready; false if it exits first or the wait runs out. */
function servesWithin(w: Worker, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (v: boolean) => {
      clearTimeout(timer);
      w.off('reefgate:ready', onReady);
      w.off('exit', onExit);
      resolve(v);
    };
    const onReady = () => done(true);
    const onExit = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    w.on('reefgate:ready', onReady);
    w.on('exit', onExit);
  });
}
