/**
 * The batching in front of a streaming compressor (gzip's main segments, br). Every write to a zlib or
 * brotli stream is a job in libuv's pool, and on a busy or virtualised host the hand-off (futex wakes,
 * context switches) costs more than compressing a 64 KB chunk; a flush after every chunk also ends a
 * block each time. Chunk by chunk, each flushed, a one-month O&M 2.0 answer cost the gateway 8-9 ms of
 * CPU with gzip and 14-23 ms with br, against 1.5 ms plain and a few ms for the compression alone
 * (docs/benchmarks.md, tenth session). So text goes to the compressor in batches, and what the
 * compressor holds is flushed at most COMPRESS_FLUSH_MS after it got it: a stream that pauses on the
 * database still reaches the client promptly.
 */
import type { Writable } from 'node:stream';

/** Text gathered before one write to the compressor. */
export const COMPRESS_BATCH_BYTES = 256 * 1024;
/** Longest a client waits for text the compressor was given before it is flushed. */
export const COMPRESS_FLUSH_MS = 20;

/** A streaming compressor (zlib or brotli) as the batcher uses it. */
export interface FlushableCompressor extends Writable {
  flush(kind?: number): void;
}

/** Gathers a response's text for a compressor that may change (gzip opens a new segment after each section). */
export class CompressBatch {
  private parts: Buffer[] = [];
  private bytes = 0;
  /** Callbacks that free the gathered buffers once the compressor has their text (or the response is gone). */
  private done: (() => void)[] = [];
  /** The compressor holds text not flushed yet. */
  private unflushed = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  /** `target()` is the compressor to write to now; `flushKind` its flush (Z_SYNC_FLUSH, BROTLI_OPERATION_FLUSH). */
  constructor(
    private readonly target: () => FlushableCompressor,
    private readonly flushKind: number,
  ) {}

  /** Gathers text; false when the caller should wait for the target's 'drain' (a batch went out and the compressor is full). */
  write(chunk: string | Buffer, cb?: () => void): boolean {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.parts.push(b);
    this.bytes += b.length;
    if (cb) this.done.push(cb);
    if (this.bytes >= COMPRESS_BATCH_BYTES) return this.send();
    this.flushSoon();
    return true;
  }

  /** Hands what is gathered to the compressor (one job in the pool); the compressor's write() result. */
  send(): boolean {
    if (this.bytes === 0 || this.stopped) return true;
    const parts = this.parts;
    const done = this.done;
    this.parts = [];
    this.bytes = 0;
    this.done = [];
    let ok: boolean;
    if (parts.length === 1) {
      // Still the caller's buffer: freed once the compressor has taken it.
      ok = this.target().write(parts[0], done.length ? () => done.forEach((f) => f()) : undefined);
    } else {
      // Copied: the buffers are free at once.
      ok = this.target().write(Buffer.concat(parts));
      for (const f of done) f();
    }
    this.unflushed = true;
    this.flushSoon();
    return ok;
  }

  /** Sends what is gathered and ends the compressor (its end flushes what it holds). */
  end(): void {
    this.send();
    this.clearTimer();
    this.unflushed = false;
    this.target().end();
  }

  /** Drops what is gathered (freeing its buffers) and stops flushing: the response is gone. */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
    this.parts = [];
    this.bytes = 0;
    for (const f of this.done.splice(0)) f();
  }

  private flushSoon(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      // While the timer is set, send() does not arm another.
      this.send();
      this.timer = undefined;
      if (!this.unflushed || this.stopped) return;
      this.unflushed = false;
      this.target().flush(this.flushKind);
    }, COMPRESS_FLUSH_MS);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
