import type { MetricsSnapshot } from '../metrics/metrics';

/*
 * What the primary and its workers tell each other over the cluster's IPC channel. Every type starts
 * with "reefgate:" so that messages of Node or of a library on the same channel are left alone.
 */

/** Worker → primary: sent once its listener is in place; the primary answers with `migrated` when it has. */
export interface Hello {
  type: 'reefgate:hello';
}
/** Primary → workers: the migrations are applied; open the store. */
export interface Migrated {
  type: 'reefgate:migrated';
}
/** Worker → primary: the app serves (its /readyz would answer 200). */
export interface Ready {
  type: 'reefgate:ready';
}
/** Worker → primary: a /metrics scrape arrived; please gather every worker's figures. */
export interface MetricsRequest {
  type: 'reefgate:metrics-request';
  id: number;
}
/** Primary → workers: send your figures for this gathering. */
export interface MetricsCollect {
  type: 'reefgate:metrics-collect';
  id: number;
}
/** Worker → primary: one worker's figures. */
export interface MetricsReply {
  type: 'reefgate:metrics-reply';
  id: number;
  metrics: MetricsSnapshot;
}
/** Primary → the asking worker: the whole cluster's figures, as Prometheus text. */
export interface MetricsResult {
  type: 'reefgate:metrics-result';
  id: number;
  text: string;
}

/** Worker → primary: a request of this client arrived; may it be served (RATE_LIMIT_PER_MINUTE, counted for the whole gateway)? */
export interface RateTake {
  type: 'reefgate:rate-take';
  id: number;
  key: string;
}
/** Primary → the asking worker: served, or refused with the seconds until the client has a token again. */
export interface RateVerdictMessage {
  type: 'reefgate:rate-verdict';
  id: number;
  ok: boolean;
  retryS: number;
}

export type ClusterMessage = Hello | Migrated | Ready | MetricsRequest | MetricsCollect | MetricsReply | MetricsResult | RateTake | RateVerdictMessage;

/** True for a message of ours (anything else on the channel is not). */
export function isClusterMessage(m: unknown): m is ClusterMessage {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('reefgate:');
}
