import { collectDefaultMetrics, Counter, Gauge, Histogram, MetricObjectWithValues, MetricValue, Registry } from 'prom-client';
import type { RoutingStats, Store } from '../data/store';

/**
 * Process-wide registry: what code outside the HTTP layer counts (rows streamed by the encoders,
 * import progress) and the Node runtime figures. One per process, whatever the number of apps.
 */
export const processRegistry = new Registry();

let runtimeMetricsStarted = false;

/**
 * Adds the Node runtime figures (process_*, nodejs_*) to processRegistry; once per process, by the
 * process that serves (main.ts). Not at import: prom-client's GC observer and event-loop-delay
 * histogram are process-global and never released, so every evaluation of this module (a test file
 * that builds an app in-process gets a module registry of its own) left one more observer holding
 * its whole module graph, and a Jest worker ended with every test file it had run still in memory.
 */
export function startRuntimeMetrics(): void {
  if (runtimeMetricsStarted) return;
  runtimeMetricsStarted = true;
  collectDefaultMetrics({ register: processRegistry });
}

/**
 * Rows written to clients by streaming encoders. WFS/SOS encoders call
 * `rowsStreamed.inc({ service: 'WFS', operation: 'GetFeature' }, n)` once per batch.
 */
export const rowsStreamed = new Counter({
  name: 'reefgate_rows_streamed_total',
  help: 'Rows (features, observations) streamed to clients',
  labelNames: ['service', 'operation'] as const,
  registers: [processRegistry],
});

const importRows = new Gauge({
  name: 'reefgate_import_rows',
  help: 'Rows read so far by the current (or last) import, per input file',
  labelNames: ['file'] as const,
  registers: [processRegistry],
});
const importRate = new Gauge({
  name: 'reefgate_import_rows_per_second',
  help: 'Read rate of the current (or last) import, per input file',
  labelNames: ['file'] as const,
  registers: [processRegistry],
});
const importRunning = new Gauge({
  name: 'reefgate_import_in_progress',
  help: '1 while an import is reading a file, else 0',
  registers: [processRegistry],
  // Summed over the workers of a cluster it would count imports; the question is whether one runs.
  aggregator: 'max',
});

/** Updates the import gauges from an importer onProgress report. */
export function recordImportProgress(p: { file: string; rows: number; rowsPerSecond: number; done: boolean }): void {
  importRows.set({ file: p.file }, p.rows);
  importRate.set({ file: p.file }, p.rowsPerSecond);
  importRunning.set(p.done ? 0 : 1);
}

/** Labels of one HTTP request: service and operation come from a closed set, never from raw user text. */
export interface RequestLabels {
  service: string;
  operation: string;
}

/** Why a request was turned away before it reached its operation. */
export type RejectReason = 'queue_full' | 'rate_limited' | 'timeout';

/** Metrics of one app instance (createApp may run several times in one process, e.g. in tests). */
export interface AppMetrics {
  observeRequest(labels: RequestLabels, status: string, seconds: number): void;
  rejected(reason: RejectReason): void;
  /** Figures of the heavy-request limiter, read at scrape time. */
  setHeavySource(fn: () => { running: number; queued: number }): void;
  inflight: Gauge;
  /** Text exposition of this app's metrics followed by the process-wide ones. */
  render(): Promise<string>;
  /** The same as data, for a cluster's primary to add up (cluster/metrics.ts). */
  snapshot(): Promise<MetricsSnapshot>;
  contentType: string;
}

/** Metrics of one process as prom-client's JSON, which AggregatorRegistry.aggregate sums across processes. */
export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/** Creates the per-app registry: request counts and latency, in-flight, rejections, pool and limiter gauges. */
export function createAppMetrics(store: Store): AppMetrics {
  const registry = new Registry();
  const labelNames = ['service', 'operation', 'status'] as const;
  const requests = new Counter({ name: 'reefgate_http_requests_total', help: 'HTTP requests by service, operation and status', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'reefgate_http_request_duration_seconds',
    help: 'Time from request arrival to the last byte sent (or the connection closing)',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const inflight = new Gauge({ name: 'reefgate_http_requests_in_flight', help: 'Requests being processed', registers: [registry] });
  const rejected = new Counter({ name: 'reefgate_http_rejected_total', help: 'Requests turned away by a limit', labelNames: ['reason'] as const, registers: [registry] });
  new Gauge({
    name: 'reefgate_db_pool_connections',
    help: 'Database pool connections by state (total, idle, waiting = callers waiting for a connection)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const s = store.poolStats();
      this.set({ state: 'total' }, s.total);
      this.set({ state: 'idle' }, s.idle);
      this.set({ state: 'waiting' }, s.waiting);
    },
  });
  const wasmMemory = store.wasmMemoryBytes?.bind(store);
  if (wasmMemory) {
    new Gauge({
      name: 'reefgate_pglite_wasm_memory_bytes',
      help: 'WebAssembly memory of the embedded database (PGlite): part of the RSS, grows and never shrinks, not bounded by the Node heap limit',
      registers: [registry],
      collect() {
        this.set(wasmMemory());
      },
    });
  }
  const routing = store.routingStats?.bind(store);
  if (routing) addRoutingMetrics(registry, routing);
  let heavySource: () => { running: number; queued: number } = () => ({ running: 0, queued: 0 });
  new Gauge({
    name: 'reefgate_heavy_requests',
    help: 'Data requests (GetFeature, GetObservation, ...) running or queued behind MAX_HEAVY_REQUESTS',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const h = heavySource();
      this.set({ state: 'running' }, h.running);
      this.set({ state: 'queued' }, h.queued);
    },
  });
  return {
    observeRequest(labels, status, seconds) {
      const l = { ...labels, status };
      requests.inc(l);
      duration.observe(l, seconds);
    },
    rejected: (reason) => rejected.inc({ reason }),
    setHeavySource(fn) {
      heavySource = fn;
    },
    inflight,
    async render() {
      return (await registry.metrics()) + (await processRegistry.metrics());
    },
    async snapshot() {
      return [...(await registry.getMetricsAsJSON()), ...(await processRegistry.getMetricsAsJSON())] as MetricsSnapshot;
    },
    contentType: registry.contentType,
  };
}

/**
 * Read replicas (READ_DATABASE_URLS): reads by where they ran, retries on the primary, and each
 * replica's state. Replicas are labelled by their position in the list, never by URL (passwords).
 * Across a cluster's workers: counts add up, a replica is up / in rotation only if it is for every
 * worker (min), and its lag is the largest any worker measured (max).
 */
function addRoutingMetrics(registry: Registry, stats: () => RoutingStats): void {
  new Counter({
    name: 'reefgate_db_reads_total',
    help: 'Read queries and streams by the server they ran on (replica, or primary: no replica in rotation, or a retry)',
    labelNames: ['target'] as const,
    registers: [registry],
    collect() {
      const s = stats();
      this.reset();
      this.inc({ target: 'primary' }, s.reads.primary);
      this.inc({ target: 'replica' }, s.reads.replica);
    },
  });
  new Counter({
    name: 'reefgate_db_read_retries_total',
    help: 'Reads that failed on a replica (connection lost, recovery conflict) and ran again on the primary',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(stats().retried);
    },
  });
  const perReplica = (name: string, help: string, aggregator: 'min' | 'max', value: (r: RoutingStats['replicas'][number]) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['replica'] as const,
      registers: [registry],
      aggregator,
      collect() {
        this.reset();
        for (const r of stats().replicas) {
          const v = value(r);
          if (v !== undefined) this.set({ replica: String(r.index) }, v);
        }
      },
    });
  perReplica('reefgate_db_replica_up', '1 when the read replica answered its last check as a standby', 'min', (r) => (r.up ? 1 : 0));
  perReplica('reefgate_db_replica_in_rotation', '1 when reads may go to the read replica (up, within READ_MAX_LAG_MS, has replayed the last write seen)', 'min', (r) => (r.inRotation ? 1 : 0));
  perReplica('reefgate_db_replica_lag_seconds', 'Upper bound of how far the read replica is behind the primary, at its last check', 'max', (r) => (r.lagMs === undefined ? undefined : r.lagMs / 1000));
}
