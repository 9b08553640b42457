import type { Response } from 'express';
import type { Writable } from 'node:stream';
import zlib from 'node:zlib';
import type { Logger } from '../log';
import type { DeferredSection, OwsResponse, Sink } from '../ows/types';
import { appendVary, ENCODING_TAG_SUFFIX } from './caching';
import { CompressBatch } from './compressBatch';
import { chooseCoding, Coding, compressBody, compressible, compressor, GZIP_LEVEL, MIN_COMPRESS_BYTES } from './compression';
import { waitDrain } from './drain';
import { GzipSection, SegmentedGzip } from './segmentedGzip';

export interface SendOptions {
  /** COMPRESSION: gzip/br for clients that accept it (bodies of MIN_COMPRESS_BYTES or more, and streams). */
  compression?: boolean;
}

/**
 * Writes an operation's response: whole bodies at once, streams with backpressure; headers go out with
 * the first byte. A compressed stream goes to its compressor in batches flushed within a few ms
 * (compressBatch.ts), so it streams nearly as the plain one does, and the compressor's buffers are
 * bounded by the same backpressure.
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
  /** br: a plain streaming compressor; gzip: a segmented one, so deferred sections can be compressed ahead (segmentedGzip.ts). */
  let z: zlib.BrotliCompress | undefined;
  let zBatch: CompressBatch | undefined;
  let gz: SegmentedGzip | undefined;
  /** Deferred sections not placed yet: freed with the response. */
  const pending = new Set<GzipSection>();
  const freeAll = () => {
    zBatch?.stop();
    z?.destroy();
    gz?.destroy();
    for (const s of pending) s.destroy();
    pending.clear();
  };
  res.on('close', freeAll);
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
      if (coded === 'gzip') gz = new SegmentedGzip(res, GZIP_LEVEL, (err) => res.destroy(err));
      else if (coded) {
        const c = compressor(coded) as zlib.BrotliCompress;
        z = c;
        zBatch = new CompressBatch(() => c, zlib.constants.BROTLI_OPERATION_FLUSH);
        c.on('error', (err) => res.destroy(err));
        c.pipe(res);
      } else if (length !== undefined) res.setHeader('Content-Length', length);
      started = true;
    }
    return true;
  };
  const send = (chunk: string | Buffer, released?: () => void): Promise<void> => {
    if (!open(released)) return Promise.reject(new Error('client disconnected'));
    // The callback runs when the chunk has reached the kernel, or the compressor (or the write failed): either way the buffer is free.
    let target: Writable = res;
    let ok: boolean;
    if (gz) {
      target = gz.target;
      ok = gz.write(chunk, released);
    } else if (z) {
      target = z;
      ok = zBatch!.write(chunk, released);
    } else ok = res.write(chunk, released);
    return ok ? Promise.resolve() : waitDrain(target, res, () => signal.aborted);
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
    if (gz) await gz.end(chunk, released);
    else if (zBatch) {
      zBatch.write(chunk, released);
      zBatch.end();
    } else res.end(chunk, released);
  };
  /** gzip only: a section compressed as it is fed, placed as a segment of its own (br and identity hold the text instead). */
  const deferred =
    coding === 'gzip'
      ? (): DeferredSection => {
          const s = new GzipSection(GZIP_LEVEL);
          pending.add(s);
          if (res.destroyed) freeAll();
          return {
            write: (text) => s.write(text),
            place: async () => {
              // No length: a document with a section is never one chunk, so it is compressed (gz exists).
              if (!open()) throw new Error('client disconnected');
              pending.delete(s);
              await gz!.place(s);
            },
          };
        }
      : undefined;
  const sink: Sink = { signal, write: (chunk) => send(chunk), writeReusable: send, end, deferred };
  try {
    await out.produce(sink);
    if (ended) return;
    if (!started) {
      head();
      res.end();
    } else if (gz) await gz.end();
    else if (zBatch) zBatch.end();
    else res.end();
  } catch (err) {
    if (!started) {
      freeAll();
      throw err;
    }
    // After the first byte a status can no longer be sent: cut the connection so the client sees
    // a broken transfer (no terminating chunk) rather than a silently truncated document.
    if (!signal.aborted) log.error({ err }, 'stream failed after the first byte');
    freeAll();
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}
