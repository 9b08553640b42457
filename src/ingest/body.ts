import { StringDecoder } from 'node:string_decoder';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import zlib from 'node:zlib';

/*
 * Reading an upload as a stream of bytes, then text, with the limits a long upload needs: a byte budget
 * (INGEST_MAX_BODY_BYTES, counted after gzip decoding, so a small gzip bomb is cut like a big body) and
 * an idle limit (a client that stops sending must not hold a transaction open). Nothing here buffers
 * more than a chunk.
 */

/** The upload broke a limit or is not readable: answered with its status, nothing stored. */
export class BodyError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'BodyError';
  }
}

/** A count of bytes shared by every stage of one request; throws 413 past its limit. */
export class ByteBudget {
  private used = 0;
  constructor(readonly limit: number) {}

  take(n: number): void {
    this.used += n;
    if (this.used > this.limit) throw new BodyError(413, `The body is larger than the limit of ${this.limit} bytes (INGEST_MAX_BODY_BYTES, counted after gzip decoding); nothing was stored`);
  }
}

/**
 * The chunks of a request body, each counted against the budget; a pause longer than idleMs between
 * chunks ends the upload (408; the error answer then closes the connection).
 */
export async function* guardedBody(req: Readable, budget: ByteBudget, idleMs: number): AsyncGenerator<Buffer> {
  const it = req[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BodyError(408, `No data received for ${Math.round(idleMs / 1000)} s; the upload was abandoned and nothing was stored`)), idleMs);
    });
    let r: IteratorResult<Buffer>;
    try {
      r = await Promise.race([it.next(), idle]);
    } finally {
      clearTimeout(timer);
    }
    if (r.done) return;
    budget.take(r.value.length);
    yield r.value;
  }
}

/** The body gunzipped as it streams; a corrupt gzip stream is a 400. */
export async function* gunzip(src: AsyncIterable<Buffer>, budget: ByteBudget): AsyncGenerator<Buffer> {
  const z = zlib.createGunzip();
  // pipeline carries an error of either side (an aborted upload, a corrupt stream) to the iteration below.
  pipeline(Readable.from(src), z, () => undefined);
  try {
    for await (const chunk of z as AsyncIterable<Buffer>) {
      budget.take(chunk.length);
      yield chunk;
    }
  } catch (err) {
    if (typeof (err as { code?: string }).code === 'string' && (err as { code: string }).code.startsWith('Z_')) throw new BodyError(400, 'The body is not valid gzip data');
    throw err;
  } finally {
    z.destroy();
  }
}

/**
 * The bytes of a file part, gunzipped when they are gzip (the magic bytes 1f 8b: CSV text never starts
 * with them), so clients need not label a gzip file: curl -F observations=@observations.csv.gz works.
 */
export async function sniffGzip(src: AsyncIterable<Buffer>, budget: ByteBudget): Promise<{ gzip: boolean; bytes: AsyncIterable<Buffer> }> {
  const it = src[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  let done = false;
  while (head.length < 2) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    head = Buffer.concat([head, r.value]);
  }
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  return { gzip, bytes: gzip ? gunzip(all(), budget) : all() };
}

/** UTF-8 text of a byte stream (a character split across chunks is joined, as a file read with an encoding does). */
export async function* utf8Text(src: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const d = new StringDecoder('utf8');
  for await (const chunk of src) {
    const s = d.write(chunk);
    if (s) yield s;
  }
  const rest = d.end();
  if (rest) yield rest;
}
