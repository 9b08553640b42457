import type { Request, RequestHandler, Response } from 'express';
import { OwsError } from '../../ows/errors';

interface Bucket {
  tokens: number;
  at: number;
}

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
 * Per-client token bucket: `perMinute` requests of burst, refilled continuously. Off when perMinute is 0.
 * Over the limit: 429 ExceptionReport with Retry-After (seconds until one token is back).
 */
export function rateLimit(opts: { perMinute: number; trustProxy: boolean; exempt: (path: string) => boolean; reject: (res: Response, err: OwsError) => void; now?: () => number }): RequestHandler {
  const { perMinute } = opts;
  const now = opts.now ?? Date.now;
  const buckets = new Map<string, Bucket>();
  const perMs = perMinute / 60_000;
  let lastSweep = now();
  return (req, res, next) => {
    if (perMinute === 0 || opts.exempt(req.path)) return next();
    const t = now();
    if (t - lastSweep > 60_000) {
      // Full buckets carry no state: drop them so the map stays bounded by the active clients.
      for (const [k, b] of buckets) if (b.tokens + (t - b.at) * perMs >= perMinute) buckets.delete(k);
      lastSweep = t;
    }
    const key = clientAddress(req, opts.trustProxy);
    const b = buckets.get(key) ?? { tokens: perMinute, at: t };
    b.tokens = Math.min(perMinute, b.tokens + (t - b.at) * perMs);
    b.at = t;
    buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return next();
    }
    const retry = Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
    opts.reject(
      res,
      new OwsError('NoApplicableCode', 'request', `Too many requests from this client (limit ${perMinute} per minute); retry in ${retry} s`, {
        status: 429,
        headers: { 'Retry-After': String(retry) },
      }),
    );
  };
}
