import fc from 'fast-check';
import { MultipartError, multipartBoundary, multipartParts } from '../../src/ingest/multipart';
// Property runs from the suite's fixed seed (FUZZ_SEED to vary it).
import '../helpers/fuzzSeed';

/*
 * The streaming multipart reader of POST /ingest: the same parts whatever the chunking of the body
 * (a delimiter split across chunks, one byte at a time), and a clear error for a truncated or
 * malformed body (an aborted upload must never look complete).
 */

const B = 'XyZ-boundary-42';

function body(parts: { name: string; filename?: string; content: string }[], opts: { preamble?: string; epilogue?: string; close?: boolean } = {}): Buffer {
  let s = opts.preamble ?? '';
  for (const p of parts) {
    s += `--${B}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\nContent-Type: text/csv\r\n\r\n${p.content}\r\n`;
  }
  if (opts.close !== false) s += `--${B}--\r\n${opts.epilogue ?? ''}`;
  return Buffer.from(s);
}

async function* chunked(buf: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  let at = 0;
  let i = 0;
  while (at < buf.length) {
    const n = Math.max(1, sizes[i++ % sizes.length]);
    yield buf.subarray(at, at + n);
    at += n;
  }
}

async function read(src: AsyncIterable<Buffer>) {
  const out: { name: string; filename?: string; content: string }[] = [];
  for await (const p of multipartParts(src, B)) {
    const chunks: Buffer[] = [];
    for await (const c of p.body) chunks.push(c);
    out.push({ name: p.name, filename: p.filename, content: Buffer.concat(chunks).toString('utf8') });
  }
  return out;
}

const PARTS = [
  { name: 'stations', filename: 'stations.csv', content: 'station_id,name\nA,"x\r\n--XyZ-boundary-4"\n' },
  { name: 'observations', content: 'dataset_id,time,value,qc\nA,2024-01-01T00:00:00Z,1,1\r\n\r\n-' },
  { name: 'empty', content: '' },
];

describe('multipart/form-data reader', () => {
  it('reads the boundary from Content-Type (quoted or not) and refuses a bad one', () => {
    expect(multipartBoundary(`multipart/form-data; boundary=${B}`)).toBe(B);
    expect(multipartBoundary(`Multipart/Form-Data; charset=utf-8; boundary="a b'c"`)).toBe("a b'c");
    expect(multipartBoundary('text/csv')).toBeUndefined();
    expect(() => multipartBoundary('multipart/form-data')).toThrow(MultipartError);
    expect(() => multipartBoundary(`multipart/form-data; boundary=${'x'.repeat(71)}`)).toThrow(MultipartError);
  });

  it('gives the same parts however the body is cut into chunks', async () => {
    const whole = body(PARTS, { preamble: 'ignored preamble\r\n', epilogue: 'ignored epilogue' });
    const expected = PARTS.map((p) => ({ name: p.name, filename: p.filename, content: p.content }));
    expect(await read(chunked(whole, [whole.length]))).toEqual(expected);
    expect(await read(chunked(whole, [1]))).toEqual(expected);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), async (sizes) => {
        expect(await read(chunked(whole, sizes))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a body cut short, inside a part or its headers, or without any boundary', async () => {
    const whole = body(PARTS);
    for (const cut of [whole.length - 8, Math.floor(whole.length / 2), 30]) {
      await expect(read(chunked(whole.subarray(0, cut), [7]))).rejects.toThrow(MultipartError);
    }
    await expect(read(chunked(body(PARTS, { close: false }), [64]))).rejects.toThrow(/ends inside/);
    await expect(read(chunked(Buffer.from('no boundary at all'), [5]))).rejects.toThrow(/no multipart boundary/);
  });

  it('refuses parts that are not form-data or have no name, and endless headers', async () => {
    await expect(read(chunked(Buffer.from(`--${B}\r\nContent-Disposition: attachment; name="a"\r\n\r\nx\r\n--${B}--\r\n`), [9]))).rejects.toThrow(/not form-data/);
    await expect(read(chunked(Buffer.from(`--${B}\r\nContent-Type: text/csv\r\n\r\nx\r\n--${B}--\r\n`), [9]))).rejects.toThrow(/no Content-Disposition name/);
    await expect(read(chunked(Buffer.from(`--${B}\r\nX-Long: ${'a'.repeat(20_000)}`), [1000]))).rejects.toThrow(/headers longer/);
  });

  it('skips the unread rest of a part when the next one is asked for', async () => {
    const names: string[] = [];
    for await (const p of multipartParts(chunked(body(PARTS), [3]), B)) names.push(p.name);
    expect(names).toEqual(['stations', 'observations', 'empty']);
  });
});
