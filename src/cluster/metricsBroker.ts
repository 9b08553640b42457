import cluster, { Worker } from 'node:cluster';
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';
import { MetricsSnapshot, processRegistry } from '../metrics/metrics';
import type { MetricsReply, MetricsRequest } from './messages';

/*
 * /metrics of a cluster, answered by whichever worker the scrape reaches: that worker asks the primary,
 * which gathers every worker's figures over IPC and adds them up with prom-client's AggregatorRegistry
 * (counters and histograms summed; each gauge by its own rule: in-flight requests and pool connections
 * summed, an import in progress as the max, replica lag as the max). So one scrape through the load
 * balancer sees the whole gateway, whichever worker answers, and no label multiplies the series by the
 * workers. The primary adds its own process metrics (its memory and CPU are the gateway's too) and the
 * cluster's: workers running and ready, restarts, and how many workers this scrape heard from.
 */

/** A worker that has not answered by then is left out of this scrape (reefgate_cluster_workers_reporting says so). */
const GATHER_WAIT_MS = 2000;

/** Installs the primary's answer to metrics requests; returns the restart counter for the supervisor. */
export function startMetricsBroker(figures: { running(): number; ready(): number }): Counter {
  const registry = new Registry();
  new Gauge({ name: 'reefgate_cluster_workers', help: 'Worker processes running (WORKERS when all are up)', registers: [registry], collect() { this.set(figures.running()); } });
  new Gauge({ name: 'reefgate_cluster_workers_ready', help: 'Worker processes serving requests', registers: [registry], collect() { this.set(figures.ready()); } });
  const reporting = new Gauge({ name: 'reefgate_cluster_workers_reporting', help: 'Workers whose figures this scrape includes (fewer than running: one did not answer in time)', registers: [registry] });
  const restarts = new Counter({ name: 'reefgate_cluster_worker_restarts_total', help: 'Workers started again after one exited unexpectedly', registers: [registry] });

  let nextId = 0;
  const gatherings = new Map<number, (reply: MetricsReply) => void>();

  const gather = async (): Promise<string> => {
    const id = nextId++;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected());
    const snapshots: MetricsSnapshot[] = [];
    await new Promise<void>((resolve) => {
      let pending = workers.length;
      const timer = setTimeout(done, GATHER_WAIT_MS);
      function done() {
        clearTimeout(timer);
        gatherings.delete(id);
        resolve();
      }
      const answered = () => --pending === 0 && done();
      gatherings.set(id, (reply) => {
        snapshots.push(reply.metrics);
        answered();
      });
      // A worker that exits between the listing and the send never answers: not waited for.
      for (const w of workers) w.send({ type: 'reefgate:metrics-collect', id }, (err: Error | null) => err && answered());
      if (pending === 0) done();
    });
    reporting.set(snapshots.length);
    const own = [...(await registry.getMetricsAsJSON()), ...(await processRegistry.getMetricsAsJSON())] as MetricsSnapshot;
    return AggregatorRegistry.aggregate([...snapshots, own] as Parameters<typeof AggregatorRegistry.aggregate>[0]).metrics();
  };

  cluster.on('message', (worker: Worker, m: unknown) => {
    const msg = m as MetricsRequest | MetricsReply;
    if (msg?.type === 'reefgate:metrics-reply') gatherings.get(msg.id)?.(msg);
    else if (msg?.type === 'reefgate:metrics-request') {
      gather().then(
        (text) => worker.isConnected() && worker.send({ type: 'reefgate:metrics-result', id: msg.id, text }),
        () => undefined, // the worker's own wait runs out and it answers 503
      );
    }
  });
  return restarts;
}
