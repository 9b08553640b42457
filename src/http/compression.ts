/**
 * Content coding by the gateway (COMPRESSION=on), for clients that send Accept-Encoding when no proxy
 * in front compresses. Fast settings (gzip level 3; brotli quality 3 with a 256 KB window): the large
 * answers are streams whose throughput matters more than the last percent of size. Measured on a month of
 * O&M 2.0 and WaterML 2.0, a full CSV series and capabilities (bench/compression.mjs; docs/benchmarks.md,
 * tenth session):
 * - gzip level 3 is zlib's last level without lazy matching: 1.4-4 times less CPU than level 4 on the XML
 *   documents for 1.4-6 % more bytes, a tie or better on the CSV series for 8.6 % more.
 * - brotli's default window (4 MB) only costs time on these texts: quality 3 with lgwin 18 took less CPU
 *   than quality 4 on every document (about 40 % less on the CSV series), and stays 11-15 % smaller than
 *   gzip level 3.
 */
import zlib from 'node:zlib';
import { promisify } from 'node:util';

export type Coding = 'br' | 'gzip';

/** Bodies smaller than this go out as they are: the coding would save less than it costs. */
export const MIN_COMPRESS_BYTES = 1024;

/** Text media types worth compressing (XML, JSON, CSV, HTML...). */
const COMPRESSIBLE = /xml|json|csv|^text\/|javascript/i;

/** Whether a media type is one the gateway compresses (its answers then vary on Accept-Encoding). */
export function compressible(contentType: string): boolean {
  return COMPRESSIBLE.test(contentType);
}

/** The coding to use for a response of this type, by the client's Accept-Encoding (q-values honoured; br first on a tie). */
export function chooseCoding(acceptEncoding: string | undefined, contentType: string): Coding | undefined {
  if (!acceptEncoding || !COMPRESSIBLE.test(contentType)) return undefined;
  let best: Coding | undefined;
  let bestQ = 0;
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qp ? Number(qp.slice(2)) : 1;
    if (!(q > 0)) continue;
    const coding: Coding | undefined = name === 'br' ? 'br' : name === 'gzip' || name === 'x-gzip' ? 'gzip' : undefined;
    if (coding && (q > bestQ || (q === bestQ && coding === 'br'))) {
      best = coding;
      bestQ = q;
    }
  }
  return best;
}

const BROTLI = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 3, [zlib.constants.BROTLI_PARAM_LGWIN]: 18 } };
/** gzip's level, also of the segmented gzip streams (segmentedGzip.ts); see the header for why 3. */
export const GZIP_LEVEL = 3;
const GZIP = { level: GZIP_LEVEL };

/** A streaming compressor of a coding. */
export function compressor(c: Coding): zlib.Gzip | zlib.BrotliCompress {
  return c === 'br' ? zlib.createBrotliCompress(BROTLI) : zlib.createGzip(GZIP);
}

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

/** Compresses a whole body (off the event loop, in libuv's pool). */
export function compressBody(c: Coding, body: string | Buffer): Promise<Buffer> {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  return c === 'br' ? brotli(buf, BROTLI) : gzip(buf, GZIP);
}
