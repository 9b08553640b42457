import type { Config } from '../config/config';

/**
 * One worker's part of the limits that are set for the whole gateway: PG_POOL_MAX (connections to each
 * database server), MAX_HEAVY_REQUESTS, HEAVY_QUEUE_SIZE and INGEST_MAX_CONCURRENT (pushes, each
 * holding a connection for its upload: rounded down, at least one). Each worker has its own pool and limiter,
 * so without this WORKERS=4 would open four times the connections PostgreSQL was sized for. The pool is
 * rounded down (the total must not exceed the setting; loadConfig makes sure each worker gets one), and
 * so are running data requests, which also stay below the worker's pool (as docs/security.md asks of
 * the settings): a data request beyond the pool waits for a connection and fails after the connect
 * timeout, and light requests and cancellations need one too. The queue is rounded up (a little more
 * waiting room costs memory only).
 */
export function workerShare(cfg: Config): Config {
  const n = cfg.workers;
  if (n <= 1) return cfg;
  const poolMax = Math.floor(cfg.poolMax / n);
  return {
    ...cfg,
    poolMax,
    maxHeavyRequests: Math.max(1, Math.min(Math.floor(cfg.maxHeavyRequests / n), poolMax - 1)),
    heavyQueueSize: Math.ceil(cfg.heavyQueueSize / n),
    ingestMaxConcurrent: Math.max(1, Math.floor(cfg.ingestMaxConcurrent / n)),
  };
}
