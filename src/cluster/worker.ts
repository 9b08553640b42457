import cluster from 'node:cluster';
import { MetricsSnapshot, processRegistry } from '../metrics/metrics';
import type { RateVerdict } from '../http/middleware/rateLimit';
import { ClusterMessage, isClusterMessage } from './messages';

/** How long a /metrics scrape waits for the primary's sum before answering 503. */
const METRICS_WAIT_MS = 5000;
/**
 * How long a request waits for the primary's rate-limit verdict before it is served anyway: a limiter
 * that cannot count must not turn into an outage (the primary only answers from memory, so this is a
 * bound against a stalled primary, not a latency that happens).
 */
const RATE_WAIT_MS = 1000;

/** A worker's side of the conversation with the primary (messages.ts). */
export interface WorkerLink {
  /** Settles when the primary has applied the migrations (at once if it already had). */
  readonly migrated: Promise<void>;
  /** Tells the primary this worker serves (a rolling restart waits for it before stopping the next old worker). */
  ready(): void;
  /** What this worker contributes to /metrics once its app exists (before: its process metrics). */
  setMetricsSource(fn: () => Promise<MetricsSnapshot>): void;
  /** Every worker's metrics added up by the primary, as Prometheus text. */
  clusterMetrics(): Promise<string>;
  /** One request of this client counted by the primary against RATE_LIMIT_PER_MINUTE for the whole gateway. */
  rateTake(key: string): Promise<RateVerdict>;
}

/** Joins the primary: starts listening to it, then says hello. Call once, in a cluster worker. */
export function joinCluster(): WorkerLink {
  if (!cluster.isWorker || !process.send) throw new Error('joinCluster runs in a cluster worker');
  const send = (m: ClusterMessage) => process.send!(m);
  let source = async (): Promise<MetricsSnapshot> => (await processRegistry.getMetricsAsJSON()) as MetricsSnapshot;
  let migratedNow!: () => void;
  const migrated = new Promise<void>((resolve) => (migratedNow = resolve));
  const waiting = new Map<number, (text: string) => void>();
  const verdicts = new Map<number, (v: RateVerdict) => void>();
  let nextId = 0;
  process.on('message', (m: unknown) => {
    if (!isClusterMessage(m)) return;
    if (m.type === 'reefgate:migrated') migratedNow();
    else if (m.type === 'reefgate:metrics-collect') {
      source().then(
        (metrics) => send({ type: 'reefgate:metrics-reply', id: m.id, metrics }),
        () => send({ type: 'reefgate:metrics-reply', id: m.id, metrics: [] }),
      );
    } else if (m.type === 'reefgate:metrics-result') {
      waiting.get(m.id)?.(m.text);
      waiting.delete(m.id);
    } else if (m.type === 'reefgate:rate-verdict') {
      verdicts.get(m.id)?.(m.ok ? { ok: true } : { ok: false, retryS: m.retryS });
      verdicts.delete(m.id);
    }
  });
  send({ type: 'reefgate:hello' });
  return {
    migrated,
    ready: () => send({ type: 'reefgate:ready' }),
    setMetricsSource(fn) {
      source = fn;
    },
    clusterMetrics() {
      const id = nextId++;
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error('the primary process did not answer the metrics request'));
        }, METRICS_WAIT_MS);
        waiting.set(id, (text) => {
          clearTimeout(timer);
          resolve(text);
        });
        send({ type: 'reefgate:metrics-request', id });
      });
    },
    rateTake(key) {
      const id = nextId++;
      return new Promise<RateVerdict>((resolve) => {
        const timer = setTimeout(() => {
          verdicts.delete(id);
          resolve({ ok: true });
        }, RATE_WAIT_MS);
        verdicts.set(id, (v) => {
          clearTimeout(timer);
          resolve(v);
        });
        send({ type: 'reefgate:rate-take', id, key });
      });
    },
  };
}
