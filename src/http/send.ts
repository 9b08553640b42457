import type { Response } from 'express';
import type zlib from 'node:zlib';
import type { Logger } from '../log';
import type { OwsResponse, Sink } from '../ows/types';
import { appendVary, ENCODING_TAG_SUFFIX } from './caching';
import { chooseCoding, Coding, compressBody, compressible, compressor, flushCompressor, MIN_COMPRESS_BYTES } from './compression';

export interface SendOptions {
  /** COMPRESSION: gzip/br for clients that accept it (bodies of MIN_COMPRESS_BYTES or more, and streams). */
  compression?: boolean;
}

/**
 * Writes an operation's response: whole bodies at once, streams with backpressure; headers go out with
 * the first byte. A compressed stream is flushed after every chunk, so it streams as the plain one does,
 * and the compressor's buffers are bounded by the same backpressure.
 */
export async function sendOwsResponse(res: Response, out: OwsResponse, signal: AbortSignal, log: Logger, opts: SendOptions = {}): Promise<void> {
  const varies = opts.compression === true && compressible(out.contentType);
  const coding = varies ? chooseCoding(res.req.headers['accept-encoding'], out.contentType) : undefined;
  const head = (coded?: Coding) => {
    res.status(out.status ?? 200);
    res.setHeader('Content-Type', out.contentType);
    const headers = out.headers;
    if (headers) {
      for (const k in headers) {
        const v = headers[k];
        if (k.toLowerCase() === 'vary') for (const name of v.split(',')) appendVary(res, name.trim());
        else res.setHeader(k, v);
      }
    }
    if (varies) appendVary(res, 'Accept-Encoding');
    if (!coded) return;
    res.setHeader('Content-Encoding', coded);
    // Each coding is a representation of its own: its strong tag differs (caching.ts compares without the suffix).
    const tag = res.getHeader('ETag');
    if (typeof tag === 'string') res.setHeader('ETag', tag.replace(/"$/, `${ENCODING_TAG_SUFFIX[coded]}"`));
  };
  if (out.kind === 'body') {
    if (coding && Buffer.byteLength(out.body) >= MIN_COMPRESS_BYTES) {
      const body = await compressBody(coding, out.body);
      head(coding);
      res.end(body);
      return;
    }
    head();
    res.end(out.body);
    return;
  }
  let started = false;
  let z: zlib.Gzip | zlib.BrotliCompress | undefined;
  /** False (and the buffer released) once the client is gone; otherwise the headers are out (lazily, with the first byte). */
  const open = (released?: () => void, length?: number): boolean => {
    if (signal.aborted) {
      released?.();
      return false;
    }
    if (!started) {
      // A document sent whole in its only chunk gets its length instead of chunked encoding (and stays plain when small).
      const coded = coding && (length === undefined || length >= MIN_COMPRESS_BYTES) ? coding : undefined;
      head(coded);
      if (coded) {
        const c = compressor(coded);
        z = c;
        c.on('error', (err) => res.destroy(err));
        res.on('close', () => c.destroy());
        c.pipe(res);
      } else if (length !== undefined) res.setHeader('Content-Length', length);
      started = true;
    }
    return true;
  };
  const send = (chunk: string | Buffer, released?: () => void): Promise<void> => {
    if (!open(released)) return Promise.reject(new Error('client disconnected'));
    // The callback runs when the chunk has reached the kernel, or the compressor (or the write failed): either way the buffer is free.
    const target = z ?? res;
    const ok = target.write(chunk, released);
    if (z) flushCompressor(z);
    if (ok) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        target.off('drain', done);
        res.off('close', done);
        signal.aborted || res.destroyed ? reject(new Error('client disconnected')) : resolve();
      };
      target.on('drain', done);
      res.on('close', done);
    });
  };
  let ended = false;
  const end = async (chunk: Buffer, released: () => void): Promise<void> => {
    if (!started && coding && chunk.length >= MIN_COMPRESS_BYTES && !signal.aborted) {
      // The whole document in one chunk: compressed at once, so it keeps its Content-Length.
      const body = await compressBody(coding, chunk);
      released();
      started = ended = true;
      head(coding);
      res.setHeader('Content-Length', body.length);
      res.end(body);
      return;
    }
    if (!open(released, chunk.length)) throw new Error('client disconnected');
    ended = true;
    if (z) z.end(chunk, released);
    else res.end(chunk, released);
  };
  const sink: Sink = { signal, write: (chunk) => send(chunk), writeReusable: send, end };
  try {
    await out.produce(sink);
    if (ended) return;
    if (!started) {
      head();
      res.end();
    } else if (z) z.end();
    else res.end();
  } catch (err) {
    if (!started) throw err;
    // After the first byte a status can no longer be sent: cut the connection so the client sees
    // a broken transfer (no terminating chunk) rather than a silently truncated document.
    if (!signal.aborted) log.error({ err }, 'stream failed after the first byte');
    z?.destroy();
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}
