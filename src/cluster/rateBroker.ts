import cluster, { Worker } from 'node:cluster';
import { TokenBuckets } from '../http/middleware/rateLimit';
import type { RateTake } from './messages';

/*
 * RATE_LIMIT_PER_MINUTE for the whole gateway when it runs WORKERS processes. Node spreads connections,
 * not requests, over the workers, so buckets kept by each worker let a client that opens new
 * connections be served up to WORKERS times the limit (and a keep-alive client, which stays on one
 * worker, exactly the limit): the count cannot be split between the workers without being wrong for
 * one kind of client. The primary keeps the one set of buckets instead, and each worker asks it for a
 * token per request over the cluster's IPC channel (one small message each way; measured in
 * docs/benchmarks.md). Only installed when the limit is on.
 */

/** Installs the primary's answer to the workers' rate-limit questions (cluster/worker.ts rateTake). */
export function startRateBroker(perMinute: number, now?: () => number): void {
  const buckets = new TokenBuckets(perMinute, now);
  cluster.on('message', (worker: Worker, m: unknown) => {
    const msg = m as RateTake;
    if (msg?.type !== 'reefgate:rate-take' || typeof msg.key !== 'string') return;
    const v = buckets.take(msg.key);
    if (worker.isConnected()) worker.send({ type: 'reefgate:rate-verdict', id: msg.id, ok: v.ok, retryS: v.ok ? 0 : v.retryS });
  });
}
