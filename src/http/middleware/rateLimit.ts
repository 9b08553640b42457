import type { Request, RequestHandler, Response } from 'express';
import { OwsError } from '../../ows/errors';

interface Bucket {
  tokens: number;
  at: number;
}

/** The answer of a rate counter for one request: served, or refused with the seconds until a token is back. */
export type RateVerdict = { ok: true } | { ok: false; retryS: number };

/** Where requests are counted: in this process (synchronous), or elsewhere (a cluster's primary, over IPC). */
export type RateCounter = (key: string) => RateVerdict | Promise<RateVerdict>;

/** Client address for rate limiting: the socket peer, or behind a trusted proxy the address it appended last to X-Forwarded-For. */
export function clientAddress(req: Request, trustProxy: boolean): string {
  if (trustProxy) {
    const xff = req.get('x-forwarded-for');
    // The last entry is the one our proxy added; earlier ones are whatever the client claimed.
    const last = xff?.split(',').map((s) => s.trim()).filter(Boolean).pop();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * Per-client token buckets: `perMinute` requests of burst, refilled continuously. One instance counts
 * for one process, or, in a cluster, for the whole gateway in the primary (cluster/rateBroker.ts).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private lastSweep: number;

  constructor(private readonly perMinute: number, private readonly now: () => number = Date.now) {
    this.perMs = perMinute / 60_000;
    this.lastSweep = now();
  }

  /** Takes one token of this client's bucket, or says how long until there is one. */
  take(key: string): RateVerdict {
    const { perMinute, perMs } = this;
    const t = this.now();
    if (t - this.lastSweep > 60_000) {
      // Full buckets carry no state: drop them so the map stays bounded by the active clients.
      for (const [k, b] of this.buckets) if (b.tokens + (t - b.at) * perMs >= perMinute) this.buckets.delete(k);
      this.lastSweep = t;
    }
    const b = this.buckets.get(key) ?? { tokens: perMinute, at: t };
    b.tokens = Math.min(perMinute, b.tokens + (t - b.at) * perMs);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryS: Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000)) };
  }
}

/**
 * Rate limit per client address: `perMinute` requests of burst, refilled continuously; off when
 * perMinute is 0. Counted by `counter` when given (a cluster worker asks the primary, so the limit holds
 * for the whole gateway), else by buckets of this process. Over the limit: 429 ExceptionReport with
 * Retry-After (seconds until one token is back).
 */
export function rateLimit(opts: { perMinute: number; trustProxy: boolean; exempt: (path: string) => boolean; reject: (res: Response, err: OwsError) => void; now?: () => number; counter?: RateCounter }): RequestHandler {
  const { perMinute } = opts;
  let counter = opts.counter;
  if (!counter && perMinute > 0) {
    const local = new TokenBuckets(perMinute, opts.now);
    counter = (key) => local.take(key);
  }
  const refuse = (res: Response, retryS: number) =>
    opts.reject(
      res,
      new OwsError('NoApplicableCode', 'request', `Too many requests from this client (limit ${perMinute} per minute); retry in ${retryS} s`, {
        status: 429,
        headers: { 'Retry-After': String(retryS) },
      }),
    );
  return (req, res, next) => {
    if (perMinute === 0 || !counter || opts.exempt(req.path)) return next();
    const verdict = counter(clientAddress(req, opts.trustProxy));
    // The local count answers at once; no promise on the single-process path.
    if (!(verdict instanceof Promise)) return verdict.ok ? next() : refuse(res, verdict.retryS);
    verdict.then(
      (v) => (v.ok ? next() : refuse(res, v.retryS)),
      () => next(), // a count that failed does not refuse the client (the worker side fails open itself)
    );
  };
}
