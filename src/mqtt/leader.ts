import { Client } from 'pg';
import type { Logger } from '../log';

/*
 * Leadership among gateways sharing one database: the holder of a PostgreSQL session advisory lock (on
 * a dedicated connection, so no pooled query can release it) is the leader. PostgreSQL releases it when
 * that connection ends, which is what happens when the leader dies (SIGKILL included: the kernel closes
 * its socket), and the others, polling pg_try_advisory_lock, take over.
 *
 * States: 'held' (we hold the lock), 'other' (the database answers and someone else holds it), 'lost'
 * (our connection is gone: we cannot tell; the database may be down). The feed runs in 'held', keeps
 * running in 'lost' (during a database outage the leader stays subscribed, holding acks, so the broker
 * keeps its messages in flight rather than queueing them), and stops in 'other'.
 */

export type LeaderState = 'held' | 'other' | 'lost';

/** Namespace of ReefGate's advisory locks (first key); the second is a hash of the feed's client id. */
const LOCK_CLASS = 0x52474d51; // "RGMQ"

/** Polls for leadership until closed, reporting each change of state. */
export class Leadership {
  private client?: Client;
  private state: LeaderState = 'lost';
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly name: string,
    private readonly pollMs: number,
    private readonly onChange: (s: LeaderState) => void,
    private readonly log: Logger,
    /** What is led, for logs and the connection's application_name (the NetCDF export reuses this election). */
    private readonly label = 'MQTT',
  ) {}

  /** Starts polling at once. */
  start(): void {
    void this.tick();
  }

  get current(): LeaderState {
    return this.state;
  }

  private set(s: LeaderState): void {
    if (s === this.state) return;
    this.state = s;
    this.onChange(s);
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.client) this.client = await this.connect();
      if (this.state === 'held') {
        await this.client.query('SELECT 1'); // the connection (and so the lock) is still there
      } else {
        const r = await this.client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS ok', [LOCK_CLASS, this.name]);
        this.set(r.rows[0].ok ? 'held' : 'other');
      }
    } catch (err) {
      this.drop(err);
    }
    if (!this.closed) this.timer = setTimeout(() => void this.tick(), this.pollMs);
  }

  private async connect(): Promise<Client> {
    const c = new Client({ connectionString: this.databaseUrl, application_name: `reefgate-${this.label.toLowerCase()}-leader`, connectionTimeoutMillis: 5000, keepAlive: true });
    // An error on an idle connection would otherwise be thrown as an uncaught event.
    c.on('error', (err) => this.drop(err));
    c.on('end', () => this.drop(new Error('connection ended')));
    await c.connect();
    return c;
  }

  /** Our connection is gone, and the lock with it. */
  private drop(err: unknown): void {
    if (!this.client && this.state === 'lost') return;
    const c = this.client;
    this.client = undefined;
    c?.removeAllListeners('end');
    c?.end().catch(() => undefined);
    if (this.state !== 'lost' && !this.closed) this.log.warn({ err: (err as Error)?.message }, `${this.label} leadership connection lost; retrying`);
    this.set('lost');
  }

  /** Stops polling and releases the lock (by ending the connection). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const c = this.client;
    this.client = undefined;
    if (c) {
      c.removeAllListeners('end');
      await c.end().catch(() => undefined);
    }
  }
}
