import type { DeferredSection, Sink } from '../ows/types';

/** Bytes gathered before one socket write: large enough to amortise syscalls, small enough to bound memory. */
const CHUNK_BYTES = 64 * 1024;
/**
 * Released chunks kept for reuse by every writer of the process (at most 12 MiB): enough for the
 * heavy-request limit's streams (8 by default) each holding a socket high-water mark (1 MiB) of chunks.
 * A smaller pool ran dry under load, and every fresh 64 KB buffer is external memory that drives the GC
 * (one-month O&M at 16 connections: 3-13% less Node CPU per request with the larger pool).
 */
const MAX_POOLED = 192;
const pool: Buffer[] = [];

function acquire(): Buffer {
  return pool.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
}

function release(b: Buffer): void {
  if (pool.length < MAX_POOLED) pool.push(b);
}

/**
 * Gathers output in a byte buffer and forwards full chunks to the sink, awaiting backpressure.
 * Hot loops (one XML element per observation) copy pre-encoded constant parts with put() and the
 * few ASCII values with putAscii(), so no per-row JavaScript string is built, joined or re-encoded.
 * Chunks come from a process-wide pool and go back once the socket has released them, so a busy
 * server streams without allocating (external buffers would otherwise drive the GC).
 */
export class ChunkWriter {
  private buf: Buffer = acquire();
  private off = 0;

  constructor(private readonly sink: Sink) {}

  /** Queues text (any Unicode); flushes (and waits for the socket) once the buffer is full. */
  async write(s: string): Promise<void> {
    // Short texts cannot overflow (3 UTF-8 bytes per UTF-16 unit at most); longer ones are measured, so a
    // one-string series (a month as JSON, ~50 KB) joins the chunk instead of being sent on its own.
    const n = s.length * 3 <= this.room() ? 0 : Buffer.byteLength(s, 'utf8');
    if (n > this.room()) {
      await this.flush();
      if (n > this.buf.length) {
        await this.sink.write(s);
        return;
      }
    }
    this.off += this.buf.write(s, this.off, 'utf8');
    if (this.off >= this.buf.length - 256) await this.flush();
  }

  /** Free bytes in the current chunk: callers of put() and putAscii() check it against their worst case first. */
  room(): number {
    return this.buf.length - this.off;
  }

  /** The current chunk, for writers that fill bytes in place at an offset from claim(). */
  get bytes(): Buffer {
    return this.buf;
  }

  /** Reserves n bytes at the write position and returns their offset in `bytes` (the caller made room). */
  claim(n: number): number {
    const o = this.off;
    this.off += n;
    return o;
  }

  /** Copies pre-encoded bytes (the caller made room). */
  put(b: Buffer): void {
    this.buf.set(b, this.off);
    this.off += b.length;
  }

  /** Writes s[start, end) — text known to be ASCII (times, numbers) — without encoding work (the caller made room). */
  putAscii(s: string, start = 0, end = s.length): void {
    // A plain loop beats a native call for the short values written here (10-30 characters).
    const b = this.buf;
    let o = this.off;
    for (let i = start; i < end; i++) b[o++] = s.charCodeAt(i);
    this.off = o;
  }

  /**
   * Calls write(text, start, end) for each line of text (end excludes the newline), first making room
   * for `extra` bytes beyond the line itself; write must only put() and putAscii(). Another one-character
   * `delimiter` splits text into items instead of lines.
   */
  async lines(text: string, extra: number, write: (s: string, start: number, end: number) => void, delimiter = '\n'): Promise<void> {
    for (let i = 0; i < text.length; ) {
      let j = text.indexOf(delimiter, i);
      if (j < 0) j = text.length;
      if (this.room() < extra + (j - i)) await this.makeRoom(extra + (j - i));
      write(text, i, j);
      i = j + 1;
    }
  }

  /** Flushes so that n bytes fit; a typed array drops writes past its end, so a row that cannot fit is an error, not a silent cut. */
  private async makeRoom(n: number): Promise<void> {
    await this.flush();
    if (this.room() < n) throw new Error(`row of ${n} bytes is longer than an output chunk`);
  }

  /** A section fed now and written later with place(), when the sink offers them (a gzip response); else undefined: hold the text. */
  deferred(): DeferredSection | undefined {
    return this.sink.deferred?.();
  }

  /** Writes a deferred section here: what is buffered goes first. */
  async place(section: DeferredSection): Promise<void> {
    await this.flush();
    await section.place();
  }

  /** Sends whatever is buffered. */
  async flush(): Promise<void> {
    if (this.off === 0) return;
    const full = this.buf;
    const chunk = full.subarray(0, this.off);
    // Another buffer: the socket may hold this one until the kernel has taken it.
    this.buf = acquire();
    this.off = 0;
    if (this.sink.writeReusable) await this.sink.writeReusable(chunk, () => release(full));
    else await this.sink.write(chunk);
  }

  /** Sends what is left as the end of the response (one write for headers, body and terminator when it all fits). */
  async finish(): Promise<void> {
    if (!this.sink.end || this.off === 0) return this.flush();
    const full = this.buf;
    const chunk = full.subarray(0, this.off);
    this.buf = Buffer.alloc(0);
    this.off = 0;
    await this.sink.end(chunk, () => release(full));
  }

  /** Returns the (empty) buffer to the pool once the document is complete; the writer is not used again. */
  close(): void {
    if (this.off === 0 && this.buf.length > 0) release(this.buf);
    this.buf = Buffer.alloc(0);
    this.off = 0;
  }
}
