/**
 * A gzip stream (RFC 1952) whose deflate body is several independent raw-deflate segments laid end to
 * end, as pigz writes them: every segment ends with a sync flush (byte-aligned, not final), so the next
 * one can follow, and an empty final block closes the body. Why: a column document (CoverageJSON) holds
 * its later columns until the scan ends; as sections they are compressed in libuv's pool WHILE the scan
 * runs, instead of alone and serially after it. The trailer's CRC-32 of the whole document is combined
 * from each part's own CRC (crc32Combine), so no part's text has to be kept for it.
 */
import type { Writable } from 'node:stream';
import zlib from 'node:zlib';
import { CompressBatch } from './compressBatch';
import { waitDrain } from './drain';

/** ID1 ID2, CM=deflate, no flags, no mtime, XFL=0, OS=255 (unknown): what createGzip writes too (but OS). */
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
/** An empty final block with fixed codes (BFINAL=1, BTYPE=01, end-of-block): what zlib's Z_FINISH adds after a flush. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/** Compressors (segments and sections) alive in the process: a test checks that a cancelled stream leaves none. */
let live = 0;

/** How many segmented-gzip compressors are alive (for tests of cancellation). */
export function liveSegmentCompressors(): number {
  return live;
}

/** A raw deflate stream whose end() is a sync flush: its output can be followed by another segment's. */
function segment(level: number): zlib.DeflateRaw {
  const d = zlib.createDeflateRaw({ level, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  live++;
  let counted = true;
  const gone = () => {
    if (counted) live--;
    counted = false;
  };
  d.once('close', gone);
  return d;
}

function multiply(mat: Uint32Array, vec: number): number {
  let sum = 0;
  for (let i = 0; vec !== 0; i++, vec >>>= 1) if (vec & 1) sum ^= mat[i];
  return sum >>> 0;
}

function square(out: Uint32Array, mat: Uint32Array): void {
  for (let n = 0; n < 32; n++) out[n] = multiply(mat, mat[n]);
}

/** CRC-32 of A followed by B from crc(A), crc(B) and B's length (zlib's crc32_combine, GF(2) matrices). */
export function crc32Combine(crc1: number, crc2: number, len2: number): number {
  // B empty: its CRC is 0 and A's stands.
  if (len2 <= 0) return crc1 >>> 0;
  const even = new Uint32Array(32);
  const odd = new Uint32Array(32);
  // The operator for one zero bit, then squared to two and four bits.
  odd[0] = 0xedb88320;
  for (let n = 1, row = 1; n < 32; n++, row <<= 1) odd[n] = row >>> 0;
  square(even, odd);
  square(odd, even);
  let c = crc1 >>> 0;
  let len = len2;
  // Applies len2 zero bytes to crc1, one squaring per bit of len2.
  for (;;) {
    square(even, odd);
    if (len % 2 === 1) c = multiply(even, c);
    len = Math.floor(len / 2);
    if (len === 0) break;
    square(odd, even);
    if (len % 2 === 1) c = multiply(odd, c);
    len = Math.floor(len / 2);
    if (len === 0) break;
  }
  return (c ^ crc2) >>> 0;
}

/** A part of the document fed now and placed later: its text is compressed as it arrives, only the compressed bytes are held. */
export class GzipSection {
  crc = 0;
  size = 0;
  private readonly out: Buffer[] = [];
  private readonly d: zlib.DeflateRaw;
  private readonly done: Promise<void>;

  constructor(level: number) {
    this.d = segment(level);
    this.d.on('data', (b: Buffer) => this.out.push(b));
    this.done = new Promise((resolve, reject) => {
      this.d.once('end', resolve);
      this.d.once('error', reject);
      this.d.once('close', () => reject(new Error('section destroyed')));
    });
    // Placement awaits `done`; a section cancelled before it is never awaited.
    this.done.catch(() => undefined);
  }

  /** Feeds text; not awaited: the input queues in the stream (at most what a held text would take) while the pool compresses. */
  write(text: string | Buffer): void {
    // A section of a response the client left: the driver may feed it until its next await notices.
    if (text.length === 0 || this.d.destroyed) return;
    this.crc = zlib.crc32(text, this.crc);
    this.size += typeof text === 'string' ? Buffer.byteLength(text) : text.length;
    this.d.write(text);
  }

  /** Ends the section and gives its compressed bytes (a sync-flushed raw deflate segment). */
  async finish(): Promise<Buffer[]> {
    this.d.end();
    await this.done;
    return this.out.splice(0);
  }

  /** Frees the compressor (a cancelled stream). */
  destroy(): void {
    this.d.destroy();
    this.out.length = 0;
  }
}

/**
 * The gzip writer of one response: the document's main text goes through `main` (a segment piped to
 * `res`, so the response's backpressure holds it as for a plain createGzip), sections are placed between
 * main segments. Main text goes to the compressor in batches, sync-flushed within a few ms (compressBatch.ts).
 */
export class SegmentedGzip {
  private crc = 0;
  private size = 0;
  private main: zlib.DeflateRaw;
  private readonly sections = new Set<GzipSection>();
  private destroyed = false;
  private readonly batch = new CompressBatch(() => this.main, zlib.constants.Z_SYNC_FLUSH);

  constructor(
    private readonly res: Writable,
    private readonly level: number,
    private readonly onError: (err: Error) => void,
  ) {
    res.write(HEADER);
    this.main = this.nextMain();
  }

  /** The stream that main text is written to now (it changes when a section is placed): write() and 'drain' are on it. */
  get target(): zlib.DeflateRaw {
    return this.main;
  }

  /** Writes main text (batched, then sync-flushed); false when the caller should wait for the target's 'drain'. */
  write(chunk: string | Buffer, cb?: () => void): boolean {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.count(b);
    return this.batch.write(b, cb);
  }

  /** Ends the current main segment, sends the section's compressed bytes after it and opens the next main segment. */
  async place(s: GzipSection): Promise<void> {
    // Owned from here: a client leaving while the section's last input is compressed frees it too.
    this.sections.add(s);
    const parts = await s.finish();
    this.sections.delete(s);
    await this.endMain();
    if (this.destroyed) throw new Error('client disconnected');
    for (const b of parts) this.res.write(b);
    this.crc = crc32Combine(this.crc, s.crc, s.size);
    this.size += s.size;
    this.main = this.nextMain();
    // The section's bytes were held already; waiting here keeps the socket's buffer from growing further.
    if (this.res.writableNeedDrain) await waitDrain(this.res);
  }

  /** Writes the last main text, the final block and the trailer, and ends the response. */
  async end(chunk?: Buffer, cb?: () => void): Promise<void> {
    if (chunk) this.write(chunk, cb);
    await this.endMain();
    if (this.destroyed) throw new Error('client disconnected');
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(this.crc >>> 0, 0);
    trailer.writeUInt32LE(this.size % 2 ** 32, 4);
    this.res.end(Buffer.concat([FINAL_BLOCK, trailer]));
  }

  /** Frees every compressor (the client left or the stream failed). */
  destroy(): void {
    this.destroyed = true;
    this.batch.stop();
    this.main.destroy();
    for (const s of this.sections) s.destroy();
    this.sections.clear();
  }

  private count(chunk: Buffer): void {
    this.crc = zlib.crc32(chunk, this.crc);
    this.size += chunk.length;
  }

  private nextMain(): zlib.DeflateRaw {
    const d = segment(this.level);
    d.on('error', (err) => this.onError(err));
    d.pipe(this.res, { end: false });
    return d;
  }

  /** Ends the main segment and waits until all its output has been handed to res (pipe writes it in order). */
  private endMain(): Promise<void> {
    const d = this.main;
    return new Promise((resolve, reject) => {
      let ended = false;
      d.once('end', () => {
        ended = true;
        d.unpipe(this.res);
        resolve();
      });
      // Closed without its end (destroyed, or failed: onError has cut the response): the document cannot complete.
      d.once('close', () => (ended ? undefined : reject(new Error('client disconnected'))));
      // The batch goes in first; the segment's end is its sync flush.
      this.batch.end();
    });
  }
}
