import type { RequestHandler, Response } from 'express';
import { OwsError } from '../../ows/errors';

/** Raised into the request's AbortSignal when REQUEST_TIMEOUT_MS passes. */
export class RequestTimeoutError extends Error {
  constructor(ms: number) {
    super(`request timed out after ${ms} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/** The AbortController of this request: aborted on client disconnect or on the deadline. */
export function requestAbortController(res: Response): AbortController {
  let ac = res.locals.abortController as AbortController | undefined;
  if (!ac) {
    ac = new AbortController();
    res.locals.abortController = ac;
    const c = ac;
    // 'close' before the response finished = the client went away: cancel the database work.
    res.on('close', () => {
      if (!res.writableFinished) c.abort(new Error('client disconnected'));
    });
  }
  return ac;
}

/**
 * Overall deadline of an OGC request. When it passes before the first byte was sent, the request's
 * signal is aborted (cancelling its cursor) and the client gets a 503 ExceptionReport with Retry-After.
 * A response that is already streaming is left alone: it is bounded by the client or the proxy
 * closing the connection, which aborts the same signal.
 */
export function requestDeadline(ms: number, onTimeout: (res: Response, err: OwsError) => void): RequestHandler {
  return (_req, res, next) => {
    const ac = requestAbortController(res);
    const timer = setTimeout(() => {
      if (res.headersSent || res.writableEnded) return;
      ac.abort(new RequestTimeoutError(ms));
      onTimeout(res, new OwsError('NoApplicableCode', 'request', `The request did not complete within ${ms} ms`, { status: 503, headers: { 'Retry-After': '5' } }));
    }, ms);
    timer.unref();
    res.on('close', () => clearTimeout(timer));
    next();
  };
}
