import http from 'node:http';
import express from 'express';
import { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import zlib from 'node:zlib';
import { COMPRESS_BATCH_BYTES } from '../../src/http/compressBatch';
import { crc32Combine, GzipSection, liveSegmentCompressors, SegmentedGzip } from '../../src/http/segmentedGzip';
import { sendOwsResponse } from '../../src/http/send';
import { createLogger } from '../../src/log';

/**
 * The segmented gzip writer (src/http/segmentedGzip.ts): main text and sections fed ahead, placed in
 * document order, decode with zlib's own gunzip (which checks the CRC-32 and the length) to exactly the
 * plain document; and a response that the client leaves mid-stream frees every compressor.
 */

/** Text that compresses like a series (digits, commas) but is not one repeated string. */
function digits(n: number, seed: number): string {
  let x = seed;
  const parts: string[] = [];
  let len = 0;
  while (len < n) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const s = (20 + (x % 100000) / 1000).toFixed(3);
    parts.push(s);
    len += s.length + 1;
  }
  return parts.join(',').slice(0, n);
}

type Part = { main: string[] } | { section: string[] };

/** Writes the layout through a SegmentedGzip (every section fed before any main text, as the column driver does) and gives the bytes and the plain text. */
async function encode(layout: Part[]): Promise<{ gz: Buffer; plain: string }> {
  const res = new PassThrough();
  const out: Buffer[] = [];
  res.on('data', (b: Buffer) => out.push(b));
  const ended = new Promise((r) => res.on('end', r));
  const g = new SegmentedGzip(res, 4, (err) => res.destroy(err));
  const sections = layout.map((p) => {
    if (!('section' in p)) return undefined;
    const s = new GzipSection(4);
    for (const t of p.section) s.write(t);
    return s;
  });
  for (let i = 0; i < layout.length; i++) {
    const p = layout[i];
    if ('main' in p) {
      for (const t of p.main) if (!g.write(t)) await new Promise((r) => g.target.once('drain', r));
    } else await g.place(sections[i]!);
  }
  await g.end(Buffer.from('\n'));
  await ended;
  const plain = layout.map((p) => ('main' in p ? p.main : p.section).join('')).join('') + '\n';
  return { gz: Buffer.concat(out), plain };
}

describe('segmented gzip', () => {
  const big = digits(1_500_000, 7);
  const layouts: [string, Part[]][] = [
    ['main only', [{ main: ['{"a":[', '1,2,3', ']}'] }]],
    ['one section between main texts', [{ main: ['{"t":['] }, { section: ['1,2', ',3'] }, { main: [']}'] }]],
    ['sections first, last, adjacent and empty', [{ section: ['head'] }, { section: [] }, { main: [''] }, { section: ['x', 'y'] }, { section: ['é€😀'] }]],
    ['big sections (> 1 MB) in many writes', [{ main: ['['] }, { section: big.match(/[\s\S]{1,40000}/g)! }, { main: ['],['] }, { section: [digits(1_200_000, 3)] }, { main: [']'] }]],
    ['big main text in many chunks', [{ main: big.match(/[\s\S]{1,65536}/g)! }, { section: ['tail'] }]],
  ];
  it.each(layouts)('decodes with gunzip to the plain document: %s', async (_name, layout) => {
    const { gz, plain } = await encode(layout);
    expect(gz.subarray(0, 3)).toEqual(Buffer.from([0x1f, 0x8b, 8]));
    expect(zlib.gunzipSync(gz).toString('utf8')).toBe(plain);
  });

  it('sends text written before a pause without waiting for the batch to fill or the document to end', async () => {
    const res = new PassThrough();
    const out: Buffer[] = [];
    res.on('data', (b: Buffer) => out.push(b));
    const g = new SegmentedGzip(res, 3, (err) => res.destroy(err));
    const text = '<obs>' + digits(5000, 11) + '</obs>';
    expect(g.write(text)).toBe(true);
    // What the client can decode so far: the raw deflate body after the 10-byte header, sync-flushed.
    const decoded = () => {
      const body = Buffer.concat(out).subarray(10);
      return body.length ? zlib.inflateRawSync(body, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString('utf8') : '';
    };
    for (let i = 0; i < 200 && decoded() !== text; i++) await new Promise((r) => setTimeout(r, 25));
    expect(decoded()).toBe(text);
    const ended = new Promise((r) => res.on('end', r));
    await g.end(Buffer.from('!'));
    await ended;
    expect(zlib.gunzipSync(Buffer.concat(out)).toString('utf8')).toBe(text + '!');
  });

  it('frees every written buffer once the compressor has its text, batched or not', async () => {
    const res = new PassThrough();
    res.resume();
    const g = new SegmentedGzip(res, 3, (err) => res.destroy(err));
    const chunk = Buffer.from(digits(64 * 1024, 5));
    const n = Math.ceil((3 * COMPRESS_BATCH_BYTES) / chunk.length) + 1;
    let freed = 0;
    for (let i = 0; i < n; i++) if (!g.write(chunk, () => freed++)) await new Promise((r) => g.target.once('drain', r));
    await g.end(Buffer.from(digits(300_000, 6)), () => freed++);
    expect(freed).toBe(n + 1);
  });

  it('combines CRC-32s as zlib computes the whole', () => {
    const a = Buffer.from(digits(70_000, 1));
    const b = Buffer.from(digits(123_457, 2));
    expect(crc32Combine(zlib.crc32(a), zlib.crc32(b), b.length)).toBe(zlib.crc32(Buffer.concat([a, b])));
    expect(crc32Combine(zlib.crc32(a), 0, 0)).toBe(zlib.crc32(a));
    expect(crc32Combine(0, zlib.crc32(b), b.length)).toBe(zlib.crc32(b));
  });

  it('frees every compressor, sections included, when the client leaves mid-stream', async () => {
    const before = liveSegmentCompressors();
    let fed!: () => void;
    const ready = new Promise<void>((r) => (fed = r));
    const aborted: boolean[] = [];
    const app = express();
    app.get('/', (_req, res) => {
      const ac = new AbortController();
      res.on('close', () => ac.abort());
      const produce = async (sink: import('../../src/ows/types').Sink) => {
        await sink.write('{"values":[' + digits(4000, 5));
        const sections = [sink.deferred!(), sink.deferred!()];
        for (const s of sections) s.write(digits(300_000, 9));
        fed();
        // The document never ends on its own: only the client leaving ends it.
        await new Promise((r) => ac.signal.addEventListener('abort', r));
        aborted.push(ac.signal.aborted);
        await sink.write('more');
      };
      sendOwsResponse(res, { kind: 'stream', contentType: 'application/json', produce }, ac.signal, createLogger('silent'), { compression: true }).catch(() => undefined);
    });
    const server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const req = http.get({ port, host: '127.0.0.1', path: '/', headers: { 'accept-encoding': 'gzip' } });
      const res = await new Promise<http.IncomingMessage>((r) => req.on('response', r));
      expect(res.headers['content-encoding']).toBe('gzip');
      await ready;
      // The main segment and the two sections.
      expect(liveSegmentCompressors() - before).toBe(3);
      req.destroy();
      for (let i = 0; i < 200 && liveSegmentCompressors() > before; i++) await new Promise((r) => setTimeout(r, 25));
      expect(liveSegmentCompressors()).toBe(before);
      expect(aborted).toEqual([true]);
    } finally {
      server.close();
    }
  });
});
