import type { Response } from 'express';
import type { Logger } from '../log';
import type { OwsResponse, Sink } from '../ows/types';

/** Writes an operation's response: whole bodies at once, streams with backpressure; headers go out with the first byte. */
export async function sendOwsResponse(res: Response, out: OwsResponse, signal: AbortSignal, log: Logger): Promise<void> {
  const head = () => {
    res.status(out.status ?? 200);
    res.setHeader('Content-Type', out.contentType);
    for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
  };
  if (out.kind === 'body') {
    head();
    res.end(out.body);
    return;
  }
  let started = false;
  /** False (and the buffer released) once the client is gone; otherwise the headers are out (lazily, with the first byte). */
  const open = (released?: () => void, length?: number): boolean => {
    if (signal.aborted) {
      released?.();
      return false;
    }
    if (!started) {
      head();
      // A document sent whole in its only chunk gets its length instead of chunked encoding.
      if (length !== undefined) res.setHeader('Content-Length', length);
      started = true;
    }
    return true;
  };
  const send = (chunk: string | Buffer, released?: () => void): Promise<void> => {
    if (!open(released)) return Promise.reject(new Error('client disconnected'));
    // The callback runs when the chunk has reached the kernel (or the write failed): either way the buffer is free.
    if (res.write(chunk, released)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        signal.aborted || res.destroyed ? reject(new Error('client disconnected')) : resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  };
  let ended = false;
  const end = (chunk: Buffer, released: () => void): Promise<void> => {
    if (!open(released, chunk.length)) return Promise.reject(new Error('client disconnected'));
    ended = true;
    res.end(chunk, released);
    return Promise.resolve();
  };
  const sink: Sink = { signal, write: (chunk) => send(chunk), writeReusable: send, end };
  try {
    await out.produce(sink);
    if (ended) return;
    if (!started) head();
    res.end();
  } catch (err) {
    if (!started) throw err;
    // After the first byte a status can no longer be sent: cut the connection so the client sees
    // a broken transfer (no terminating chunk) rather than a silently truncated document.
    if (!signal.aborted) log.error({ err }, 'stream failed after the first byte');
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}
