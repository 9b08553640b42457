import { OwsError } from '../../ows/errors';

/** Operations that stream data from the database; only these take a slot. */
export const HEAVY_OPERATIONS = new Set(['getfeature', 'getpropertyvalue', 'getfeaturewithlock', 'getobservation', 'getobservationbyid', 'getresult']);

/** True when an operation name (any case) is a data request that the limiter counts. */
export function isHeavyOperation(name: string | undefined): boolean {
  return name !== undefined && HEAVY_OPERATIONS.has(name.trim().toLowerCase());
}

/** A request queued for a slot. */
class Waiter {
  /** Leaves the queue when the client goes (set once the waiter is queued). */
  onAbort: () => void = () => undefined;

  constructor(
    private readonly signal: AbortSignal,
    private readonly resolve: () => void,
  ) {}

  /**
   * Hands the slot over. A method, not a closure made per waiter: it runs for every queued request, and a
   * per-request closure loses its optimised code at each full collection (docs/benchmarks.md, eighth session).
   */
  grant(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.resolve();
  }
}

/**
 * At most `maxRunning` heavy requests run at once; up to `queueSize` more wait in arrival order;
 * beyond that a request is refused at once with 503 and Retry-After, so a burst cannot pile up
 * connections on the database pool.
 */
export class HeavyLimiter {
  private running = 0;
  private readonly queue: Waiter[] = [];

  constructor(private readonly maxRunning: number, private readonly queueSize: number, private readonly onReject: () => void = () => undefined) {}

  /** Figures for /metrics. */
  stats(): { running: number; queued: number } {
    return { running: this.running, queued: this.queue.length };
  }

  /** Waits for a slot; resolves to its release function (call it exactly once). Aborting the signal leaves the queue. */
  async acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    if (this.running < this.maxRunning) {
      this.running++;
      return this.releaser();
    }
    if (this.queue.length >= this.queueSize) {
      this.onReject();
      throw new OwsError('NoApplicableCode', 'request', 'The server is busy with other data requests; try again shortly', { status: 503, headers: { 'Retry-After': '2' } });
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = new Waiter(signal, resolve);
      waiter.onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal.reason ?? new Error('aborted'));
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
    });
    // The slot was handed over by release(): running was not decremented for us.
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) next.grant();
      else this.running--;
    };
  }
}
