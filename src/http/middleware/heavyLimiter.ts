import { OwsError } from '../../ows/errors';

/** Operations that stream data from the database; only these take a slot. */
export const HEAVY_OPERATIONS = new Set(['getfeature', 'getpropertyvalue', 'getfeaturewithlock', 'getobservation', 'getobservationbyid', 'getresult']);

/** True when an operation name (any case) is a data request that the limiter counts. */
export function isHeavyOperation(name: string | undefined): boolean {
  return name !== undefined && HEAVY_OPERATIONS.has(name.trim().toLowerCase());
}

/**
 * A request queued for a slot. Its two callbacks are methods, not closures made per waiter: grant() runs
 * for every queued request, and a closure made per request loses its optimised code at each full
 * collection (docs/benchmarks.md, eighth session).
 */
class Waiter {
  constructor(
    private readonly signal: AbortSignal,
    private readonly queue: Waiter[],
    private readonly resolve: () => void,
    private readonly reject: (err: unknown) => void,
  ) {}

  /** Hands the slot over. */
  grant(): void {
    this.signal.removeEventListener('abort', this);
    this.resolve();
  }

  /** The signal's abort listener: the client left while queued, so the request gives up its place. */
  handleEvent(): void {
    const i = this.queue.indexOf(this);
    if (i >= 0) this.queue.splice(i, 1);
    this.reject(this.signal.reason ?? new Error('aborted'));
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
      const waiter = new Waiter(signal, this.queue, resolve, reject);
      signal.addEventListener('abort', waiter, { once: true });
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
