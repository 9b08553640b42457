import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { directoryParts } from './importer';

/*
 * `reefgate import DIR --url URL --key KEY`: sends a directory of the import layout to a running gateway
 * as one POST /ingest (multipart/form-data, files streamed from disk, gzip files as they are), so it is
 * one run there, all or nothing. This is how an embedded gateway, whose DATA_DIR no second process may
 * open, takes an import.
 */

/** Upload progress: bytes sent of the body's total. */
export interface PushProgress {
  sent: number;
  total: number;
  bytesPerSecond: number;
  done: boolean;
}

export interface PushResult {
  status: number;
  /** The gateway's JSON answer (counts, or the error with file/line/column). */
  body: Record<string, unknown>;
}

/** The POST /ingest URL of a gateway base URL (or of the /ingest URL itself). */
export function ingestUrl(base: string): URL {
  const u = new URL(base);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`--url must be an http(s) URL, got "${base}"`);
  if (!/\/ingest\/?$/.test(u.pathname)) u.pathname = `${u.pathname.replace(/\/+$/, '')}/ingest`;
  return u;
}

/** Sends DIR's files to the gateway in one request; resolves with its status and JSON answer. */
export async function pushDirectory(dir: string, base: string, key: string, onProgress?: (p: PushProgress) => void, progressEveryMs = 1000): Promise<PushResult> {
  const files = directoryParts(dir);
  if (!files.length) throw new Error(`no stations.csv, datasets.csv or observations.csv[.gz] in ${dir}`);
  const boundary = `reefgate-${randomBytes(12).toString('hex')}`;
  const parts = files.map(({ kind, file }) => ({
    file,
    head: Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${kind}"; filename="${path.basename(file)}"\r\nContent-Type: ${file.endsWith('.gz') ? 'application/gzip' : 'text/csv'}\r\n\r\n`,
    ),
    size: fs.statSync(file).size,
  }));
  const tail = Buffer.from(`--${boundary}--\r\n`);
  const total = parts.reduce((n, p) => n + p.head.length + p.size + 2, 0) + tail.length;

  const url = ingestUrl(base);
  const req = (url.protocol === 'https:' ? https : http).request(url, {
    method: 'POST',
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(total), 'X-API-Key': key, Accept: 'application/json' },
  });
  // The gateway may answer before the body is sent (a refused key, a bad row): stop sending then.
  const response = new Promise<http.IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  // After an early answer, writing the rest may fail (EPIPE): that is expected, not an error to report.
  req.on('error', () => undefined);
  let answered = false;
  void response.then(() => (answered = true), () => (answered = true));

  const t0 = Date.now();
  let sent = 0;
  let last = t0;
  const report = (done: boolean) => onProgress?.({ sent, total, bytesPerSecond: Math.round(sent / Math.max((Date.now() - t0) / 1000, 0.001)), done });
  const write = async (chunk: Buffer) => {
    sent += chunk.length;
    if (!req.write(chunk)) await Promise.race([once(req, 'drain'), response]);
    if (Date.now() - last >= progressEveryMs) {
      last = Date.now();
      report(false);
    }
  };
  try {
    for (const p of parts) {
      if (answered) break;
      await write(p.head);
      for await (const chunk of fs.createReadStream(p.file, { highWaterMark: 256 * 1024 })) {
        if (answered) break;
        await write(chunk as Buffer);
      }
      await write(Buffer.from('\r\n'));
    }
    if (!answered) {
      await write(tail);
      req.end();
      report(true);
    }
  } catch (err) {
    if (!answered) throw err;
  }
  const res = await response;
  const text = await readAll(res);
  if (answered && sent < total) req.destroy();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { error: text.slice(0, 500) || `HTTP ${res.statusCode}` };
  }
  return { status: res.statusCode ?? 0, body };
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
