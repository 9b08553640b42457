import http from 'node:http';
import express from 'express';
import { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { COMPRESS_BATCH_BYTES } from '../../src/http/compressBatch';
import { sendOwsResponse } from '../../src/http/send';
import { createLogger } from '../../src/log';
import type { Sink } from '../../src/ows/types';

/**
 * Compressed streams go to the compressor in batches (src/http/compressBatch.ts): text written before
 * a pause (a slow scan) still reaches the client before the document ends, for gzip and br alike, and
 * many chunks decode to exactly the plain text.
 */

/** Text that compresses like a series but is not one repeated string. */
function series(n: number, seed: number): string {
  let x = seed;
  let s = '';
  while (s.length < n) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    s += `<v t="${x % 86400}">${(20 + (x % 100000) / 1000).toFixed(3)}</v>`;
  }
  return s.slice(0, n);
}

describe.each(['gzip', 'br'] as const)('compressed stream (%s)', (coding) => {
  let server: http.Server;
  let port = 0;
  /** What the handler writes: text, or a pause until the test says the client has seen what came before. */
  let script: (string | 'pause')[] = [];
  let resumed: () => void = () => undefined;

  beforeAll(async () => {
    const app = express();
    app.get('/', (_req, res) => {
      const ac = new AbortController();
      res.on('close', () => ac.abort());
      const produce = async (sink: Sink) => {
        for (const step of script) {
          if (step === 'pause') await new Promise<void>((r) => (resumed = r));
          else await sink.write(step);
        }
      };
      sendOwsResponse(res, { kind: 'stream', contentType: 'application/xml', produce }, ac.signal, createLogger('silent'), { compression: true }).catch(() => undefined);
    });
    server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    // A failed assertion can leave a response open: it must not hold the suite.
    resumed();
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });

  /** Requests `/` with the coding; gives the decoded text as it arrives and the whole at the end. */
  async function fetchDecoded(): Promise<{ decoded: () => string; done: Promise<string>; encoding: string | undefined }> {
    const req = http.get({ port, host: '127.0.0.1', path: '/', headers: { 'accept-encoding': coding } });
    const res = await new Promise<http.IncomingMessage>((r) => req.on('response', r));
    const dec = coding === 'br' ? zlib.createBrotliDecompress() : zlib.createGunzip();
    let text = '';
    dec.on('data', (b: Buffer) => (text += b.toString('utf8')));
    res.pipe(dec);
    const done = new Promise<string>((resolve, reject) => {
      dec.on('end', () => resolve(text));
      dec.on('error', reject);
    });
    return { decoded: () => text, done, encoding: res.headers['content-encoding'] };
  }

  it('sends the text written before a pause while the document is still open', async () => {
    const head = '<doc>' + series(5000, 3);
    const tail = series(3000, 4) + '</doc>';
    script = [head, 'pause', tail];
    const r = await fetchDecoded();
    expect(r.encoding).toBe(coding);
    let before: string;
    try {
      for (let i = 0; i < 200 && r.decoded() !== head; i++) await new Promise((res) => setTimeout(res, 25));
      before = r.decoded();
    } finally {
      resumed();
    }
    // The handler was still paused: only a flush of the held batch can have delivered this.
    expect(before).toBe(head);
    expect(await r.done).toBe(head + tail);
  });

  it('decodes many chunks, past several batches, to the plain text', async () => {
    const chunk = series(64 * 1024, 7);
    const n = Math.ceil((3 * COMPRESS_BATCH_BYTES) / chunk.length) + 2;
    script = Array.from({ length: n }, (_, i) => `${i}:${chunk}`);
    const r = await fetchDecoded();
    expect(r.encoding).toBe(coding);
    expect(await r.done).toBe(script.join(''));
  });
});
