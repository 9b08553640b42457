import type { Logger } from '../log';
import type { Store } from '../data/store';
import { ingest, IngestSource, ObservationInput } from '../ingest/writer';
import { ImportError } from '../ingest/validate';
import type { FeedMessage } from './connection';
import { FeedRow, parsePayload } from './payload';

/*
 * The batching consumer of an MQTT feed: messages are written in transactions of up to batchMessages
 * messages (or what arrived within batchMs of the first), through the one write path (ingest), and each
 * is acknowledged only after its transaction committed, in arrival order. A failed transaction (database
 * down, connection cut) is retried with backoff while its acks are held, so nothing unstored is ever
 * acknowledged; a malformed message is published to the dead-letter topic and then acknowledged.
 */

export interface FeedOptions {
  /** Topic prefix: messages on `<prefix>/obs/<dataset>`, dead letters to `<prefix>/dead/<dataset>`. */
  prefix: string;
  batchMessages: number;
  batchMs: number;
  source: IngestSource;
}

/** What the feed needs of the broker connection. */
export interface FeedSink {
  ack(m: FeedMessage): boolean;
  publish(topic: string, payload: string): Promise<void>;
}

/** A message with its parse outcome. */
interface Pending {
  m: FeedMessage;
  dataset: string;
  rows?: FeedRow[];
  reason?: string;
}

/** Counters for logs, metrics and tests. */
export interface FeedStats {
  received: number;
  committedMessages: number;
  deadLetters: number;
  batches: number;
  retries: number;
}

const BACKOFF_MIN_MS = 250;
// Short: while the database is down the broker's buffer for us fills; it must be drained soon after it is back.
const BACKOFF_MAX_MS = 2000;

/** The consumer; push() messages in, close() stops after the batch in progress. */
export class Feed {
  readonly stats: FeedStats = { received: 0, committedMessages: 0, deadLetters: 0, batches: 0, retries: 0 };
  private queue: Pending[] = [];
  private wake?: () => void;
  private closed = false;
  private readonly loop: Promise<void>;

  constructor(private readonly store: Store, private readonly sink: FeedSink, private readonly o: FeedOptions, private readonly log: Logger) {
    this.loop = this.run();
  }

  /** Takes a message from the broker (parsed at once: a malformed one costs no transaction). */
  push(m: FeedMessage): void {
    this.stats.received++;
    const dataset = this.datasetOf(m.topic);
    const p: Pending = { m, dataset };
    if (dataset === '') p.reason = `topic "${m.topic}" names no dataset (expected ${this.o.prefix}/obs/<dataset code>)`;
    else {
      const parsed = parsePayload(m.payload);
      if ('reason' in parsed) p.reason = parsed.reason;
      else p.rows = parsed.rows;
    }
    this.queue.push(p);
    // The loop sleeps until a first message (then batchMs for more) or until a batch is full.
    if (this.queue.length === 1 || this.queue.length >= this.o.batchMessages) this.wake?.();
  }

  /** Stops taking batches; the one being written finishes (or is abandoned unacknowledged on a database error). */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.loop;
  }

  private datasetOf(topic: string): string {
    const head = `${this.o.prefix}/obs/`;
    if (!topic.startsWith(head)) return '';
    const code = topic.slice(head.length);
    return code.includes('/') ? '' : code;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      if (this.queue.length === 0) await this.sleep(60_000);
      if (this.queue.length > 0 && this.queue.length < this.o.batchMessages) await this.sleep(this.o.batchMs);
      if (this.closed || this.queue.length === 0) continue;
      const batch = this.queue.splice(0, this.o.batchMessages);
      await this.writeWithRetry(batch);
    }
  }

  /** Waits ms, or less when woken (a full batch, close). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private async writeWithRetry(batch: Pending[]): Promise<void> {
    for (let delay = BACKOFF_MIN_MS; ; delay = Math.min(delay * 2, BACKOFF_MAX_MS)) {
      try {
        const dead = await this.write(batch);
        await this.finish(batch, dead);
        return;
      } catch (err) {
        if (this.closed) return; // unacknowledged: the broker redelivers to whoever consumes next
        this.stats.retries++;
        this.log.warn({ err: (err as Error).message, messages: batch.length, retryInMs: delay }, 'MQTT batch not stored; retrying (acks held)');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /**
   * Writes a batch in one transaction; returns the messages to dead-letter (unknown dataset, or a row the
   * writer refused) with their reasons. A row the writer refuses cannot come from the parser's checks,
   * but if it does, the batch is written again message by message so that only the culprit goes.
   */
  private async write(batch: Pending[]): Promise<Map<Pending, string>> {
    const dead = new Map<Pending, string>();
    for (const p of batch) if (p.reason !== undefined) dead.set(p, p.reason);
    const good = batch.filter((p) => !dead.has(p));
    if (good.length === 0) return dead;
    try {
      await this.ingestMessages(good, dead);
    } catch (err) {
      if (!(err instanceof ImportError) || good.length === 1) {
        if (err instanceof ImportError) dead.set(good[0], err.reason);
        else throw err;
        return dead;
      }
      for (const p of good) {
        await this.ingestMessages([p], dead).catch((e: unknown) => {
          if (!(e instanceof ImportError)) throw e;
          dead.set(p, e.reason);
        });
      }
    }
    return dead;
  }

  /** One transaction for these messages; a later observation of the same (dataset, time) wins, as a correction would. */
  private async ingestMessages(msgs: Pending[], dead: Map<Pending, string>): Promise<void> {
    await ingest(this.store, this.o.source, async (b) => {
      const { ids, forbidden } = await b.datasetIds();
      // Redeliveries and repeats in one batch collapse to one row per (dataset, time), the last one.
      const rows = new Map<string, ObservationInput>();
      for (const p of msgs) {
        const datasetId = ids.get(p.dataset);
        if (datasetId === undefined) {
          const net = forbidden.get(p.dataset);
          dead.set(p, net !== undefined ? `dataset "${p.dataset}" belongs to network "${net}", which this feed may not write` : `unknown dataset "${p.dataset}"`);
          continue;
        }
        dead.delete(p); // a retry after a fix of the catalogue
        for (const r of p.rows!) rows.set(`${datasetId}@${r.time}`, { datasetId, time: r.time, value: r.value, qc: r.qc });
      }
      await b.addObservations([...rows.values()], 'mqtt');
    });
  }

  /** After commit: dead letters published (the broker has them), then every message of the batch acknowledged in order. */
  private async finish(batch: Pending[], dead: Map<Pending, string>): Promise<void> {
    await Promise.all([...dead].map(([p, reason]) => this.sink.publish(`${this.o.prefix}/dead/${p.dataset || '_'}`, deadLetter(p, reason))));
    for (const p of batch) this.sink.ack(p.m);
    this.stats.batches++;
    this.stats.deadLetters += dead.size;
    this.stats.committedMessages += batch.length - dead.size;
    for (const [p, reason] of dead) this.log.warn({ topic: p.m.topic, reason }, 'MQTT message dead-lettered');
  }
}

/** The dead-letter payload: why, where it came from, and the message itself (as text, cut at 64 KiB). */
function deadLetter(p: Pending, reason: string): string {
  return JSON.stringify({ reason, topic: p.m.topic, receivedAt: new Date().toISOString(), payload: p.m.payload.toString('utf8').slice(0, 65_536) });
}
