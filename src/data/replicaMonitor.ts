import type { Logger } from '../log';
import type { Store } from './store';

/*
 * Which read replicas may serve a read right now. Every CHECK_INTERVAL_MS each hot standby is asked how
 * far it has replayed, and the primary where its WAL stands; a replica is in rotation when it answered,
 * is still a standby, is at most maxLagMs behind, and has replayed every write this process must see
 * (the watermark: writes made here, and changes announced by NOTIFY). Reads only consult the last
 * check's verdict (no query on the request path); a read that fails on a replica takes it out at once.
 *
 * Lag is an upper bound on staleness, from two sources, whichever is smaller:
 * - the primary's WAL position is sampled at each check: a replica that has replayed the sample taken at
 *   time t holds everything committed before t, so it is at most now - t behind (0 when it has replayed
 *   this round's sample). This holds on an idle primary too, where the last transaction's time says nothing;
 * - pg_last_xact_replay_timestamp(): a replica holding every commit up to that time is at most
 *   now - that time behind (this one also works before two samples exist; it trusts the clocks to agree).
 * While the primary cannot be sampled (down), nothing new can be committed, so a replica keeps its last
 * verdict instead of being judged older and older: reads go on from the standbys.
 */

/** How often replicas and the primary are sampled. Staleness may exceed the lag bound by up to this. */
export const CHECK_INTERVAL_MS = 1000;
/** A check that takes longer than this counts as a failed one (a black-holed standby). */
const CHECK_TIMEOUT_MS = 2000;

/** A WAL position (PostgreSQL pg_lsn text "16/B374D848") as a number that compares. */
export function parseLsn(text: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (!m) throw new Error(`not an LSN: ${text}`);
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

/** One read replica as the router sees it. */
export interface Replica {
  /** Position in READ_DATABASE_URLS (metrics and logs name replicas by it, never by URL: it may hold a password). */
  readonly index: number;
  /** Its pool for reads. */
  readonly store: Store;
  /** Reads running on it now (the router prefers the least busy). */
  inflight: number;
  /** Answered the last check as a standby, and no read has failed on it since. */
  up: boolean;
  /** Upper bound of its staleness at the last check (ms); undefined = unknown. */
  lagMs: number | undefined;
  /** WAL replayed as of the last check. */
  replayLsn: bigint | undefined;
  /** Why it is out of rotation, for the log (undefined while in). */
  reason: string | undefined;
}

interface Sample {
  at: number;
  lsn: bigint;
}

export interface ReplicaMonitorOptions {
  /** Connections of their own for the checks (one each), so a pool busy with reads cannot delay them; closed by close(). */
  primaryCheck: Store;
  replicaChecks: Store[];
  maxLagMs: number;
  intervalMs?: number;
  log?: Logger;
}

/** Samples the primary and the replicas, and says which replicas may serve a read. */
export class ReplicaMonitor {
  private readonly samples: Sample[] = [];
  /** Reads must come from a replica that has replayed this far. */
  private watermark = 0n;
  /** Pins asked for so far; each primary sample notes the count when it starts. */
  private pins = 0;
  /** Pins still waiting for their primary sample; meanwhile no replica is eligible. */
  private pinsInFlight = 0;
  /** The latest pin whose own sample failed: released by the first sample started after it (0 = none). */
  private unresolvedPin = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly intervalMs: number;

  constructor(readonly replicas: Replica[], private readonly opts: ReplicaMonitorOptions) {
    this.intervalMs = opts.intervalMs ?? CHECK_INTERVAL_MS;
  }

  /**
   * Pins reads to the primary's present position (a worker starts after the primary's migrations: no
   * read may find a replica that has not replayed them yet), runs a first check, then one per interval.
   */
  async start(): Promise<void> {
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
    await this.pinToPrimary();
    await this.check();
  }

  private raiseWatermark(lsn: bigint): void {
    if (lsn > this.watermark) this.watermark = lsn;
  }

  /** Stops the checks and closes their connections. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    await Promise.all([this.opts.primaryCheck, ...this.opts.replicaChecks].map((c) => c.close().catch(() => undefined)));
  }

  /** The replicas that may serve a read now. */
  eligible(): Replica[] {
    if (this.pinsInFlight > 0 || this.unresolvedPin > 0) return [];
    return this.replicas.filter((r) => this.isEligible(r) && r.replayLsn! >= this.watermark);
  }

  /**
   * Reads go to the primary until a replica has replayed what the primary holds now: called after a
   * write commits here, or when another process announces one. In force at once; the watermark is set
   * when the primary's position is read (if that fails, by the first later sample that succeeds).
   */
  async pinToPrimary(): Promise<void> {
    const pin = ++this.pins;
    this.pinsInFlight++;
    try {
      this.raiseWatermark(await this.samplePrimary());
    } catch {
      this.unresolvedPin = Math.max(this.unresolvedPin, pin);
    } finally {
      this.pinsInFlight--;
    }
  }

  /** A read failed on this replica for a reason of the replica's (connection lost): out until it answers a check. */
  markDown(r: Replica, why: string): void {
    if (!r.up) return;
    r.up = false;
    this.transition(r, why);
  }

  /** One round: the primary's position, then every replica's. Overlapping calls share the round in progress. */
  check(): Promise<void> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  private async round(): Promise<void> {
    const sampled = await this.samplePrimary().then(
      () => true,
      () => false,
    );
    await Promise.all(this.replicas.map((r, i) => this.checkReplica(r, this.opts.replicaChecks[i], sampled)));
  }

  /**
   * Reads how far the primary has flushed its WAL and keeps it as a sample. A commit returns once its
   * record is flushed (synchronous_commit on, the default), so this covers every write committed
   * before; it is also exactly where an idle standby's replay stops (the insert position can be a page
   * header further on, which replay never reaches until the next record).
   */
  private async samplePrimary(): Promise<bigint> {
    const at = Date.now();
    const pinsBefore = this.pins;
    const r = await this.opts.primaryCheck.query<{ lsn: string }>('SELECT pg_current_wal_flush_lsn()::text AS lsn', [], { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
    const lsn = parseLsn(r.rows[0].lsn);
    this.samples.push({ at, lsn });
    // Samples older than the lag bound can only prove a lag that is too large anyway.
    const keepFrom = Date.now() - this.opts.maxLagMs - 2 * this.intervalMs;
    while (this.samples.length > 1 && this.samples[0].at < keepFrom) this.samples.shift();
    // Started after every pin that is still unresolved: its position covers their writes.
    if (this.unresolvedPin > 0 && pinsBefore >= this.unresolvedPin) {
      this.raiseWatermark(lsn);
      this.unresolvedPin = 0;
    }
    return lsn;
  }

  private async checkReplica(r: Replica, db: Store, primarySampled: boolean): Promise<void> {
    const was = this.isEligible(r);
    try {
      const res = await db.query<{ standby: boolean; replay: string | null; age_ms: number | null }>(REPLICA_CHECK, [], { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
      const row = res.rows[0];
      if (!row.standby) {
        // Promoted (failover) or misconfigured: its history may have left the primary's; never read from it.
        r.up = false;
        r.reason = 'not a standby (promoted, or READ_DATABASE_URLS names a primary)';
      } else if (row.replay === null) {
        r.up = false;
        r.reason = 'has not replayed any WAL yet';
      } else {
        r.replayLsn = parseLsn(row.replay);
        r.up = true;
        r.reason = undefined;
        // Primary down: nothing can be committed meanwhile, so the replica is no further behind than it was.
        if (primarySampled || r.lagMs === undefined) r.lagMs = this.lagBound(r.replayLsn, row.age_ms);
      }
    } catch (err) {
      r.up = false;
      r.reason = `check failed: ${(err as Error).message}`;
    }
    if (r.up && r.lagMs !== undefined && r.lagMs > this.opts.maxLagMs) r.reason = `${Math.round(r.lagMs)} ms behind the primary (READ_MAX_LAG_MS ${this.opts.maxLagMs})`;
    if (was !== this.isEligible(r)) this.transition(r, r.reason ?? 'caught up');
  }

  /** The smaller of the two staleness bounds (see the module comment); undefined when neither applies. */
  private lagBound(replay: bigint, xactAgeMs: number | null): number | undefined {
    const now = Date.now();
    let bound: number | undefined;
    for (let i = this.samples.length - 1; i >= 0; i--) {
      if (replay >= this.samples[i].lsn) {
        bound = now - this.samples[i].at;
        break;
      }
    }
    if (xactAgeMs !== null) {
      const age = Math.max(0, xactAgeMs);
      bound = bound === undefined ? age : Math.min(bound, age);
    }
    return bound;
  }

  private isEligible(r: Replica): boolean {
    return r.up && r.lagMs !== undefined && r.lagMs <= this.opts.maxLagMs;
  }

  private transition(r: Replica, why: string): void {
    if (this.isEligible(r)) this.opts.log?.info({ replica: r.index, lagMs: r.lagMs }, 'read replica in rotation');
    else this.opts.log?.warn({ replica: r.index, reason: why }, 'read replica out of rotation; its reads go elsewhere');
  }
}

const REPLICA_CHECK = `SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replay,
  (extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::float8 AS age_ms`;
