import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import express, { Request, Response } from 'express';
import type { Config } from '../config/config';
import { DatabaseUnavailableError, isConnectionError, Store } from '../data/store';
import { HeavyLimiter } from '../http/middleware/heavyLimiter';
import type { Logger } from '../log';
import { OwsError } from '../ows/errors';
import { ApiKey, authenticateWrite, WriteAuthError, WWW_AUTHENTICATE } from '../security/apiKey';
import { BodyError, ByteBudget, guardedBody, gunzip, sniffGzip, utf8Text } from './body';
import { importParts, ImportPart, PART_KINDS, PartKind } from './importer';
import { MultipartError, multipartBoundary, multipartParts } from './multipart';
import { ImportError, ImportForbiddenError } from './validate';
import type { IngestSummary } from './writer';

/*
 * HTTP push of the import layout (docs/ingest.md):
 *   POST /ingest                      multipart/form-data, parts named stations, datasets, observations
 *   POST /ingest/{stations|datasets|observations}   one file as the body
 * Each request is one run through the one write path: all or nothing, the CLI's validation and messages,
 * a JSON answer with the counts. The body streams into COPY as it arrives (PostgreSQL); the embedded
 * store first spools it to a temporary file, since its one connection would otherwise be held — and
 * every reader blocked — for as long as the client takes to upload.
 */

export interface IngestRouteDeps {
  config: Config;
  store: Store;
  log: Logger;
}

/** Waiting pushes beyond INGEST_MAX_CONCURRENT before 503. */
const QUEUE = 16;

/** The /ingest routes. */
export function ingestRouter({ config, store, log }: IngestRouteDeps): express.Router {
  const router = express.Router();
  const limiter = new HeavyLimiter(config.ingestMaxConcurrent, QUEUE);

  const handle = (single?: PartKind) => async (req: Request, res: Response) => {
    // Aborted when the client goes away before the answer: a queued push leaves the queue.
    const ac = new AbortController();
    res.on('close', () => ac.abort(new Error('client disconnected')));
    let release: (() => void) | undefined;
    try {
      const key = authenticateWrite(req.headers, config.apiKeys, 'POST /ingest');
      const declared = Number(req.headers['content-length']);
      if (declared > config.ingestMaxBodyBytes) throw new BodyError(413, `The body is larger than the limit of ${config.ingestMaxBodyBytes} bytes (INGEST_MAX_BODY_BYTES); nothing was stored`);
      release = await limiter.acquire(ac.signal);
      const budget = new ByteBudget(config.ingestMaxBodyBytes);
      const body = decoded(req, guardedBody(req, budget, config.requestTimeoutMs), budget);
      const parts = single ? singlePart(single, body, budget) : formParts(req, body, budget);
      const source = { description: `POST ${req.path === '/' ? '/ingest' : `/ingest${req.path}`} (key ${key.id})`, networks: key.networks ?? undefined };
      const summary = store.kind === 'pglite' ? await spooled(parts, (files) => importParts(store, source, files)) : await importParts(store, source, parts);
      log.info({ runId: summary.runId, key: key.id, observations: summary.observations, seconds: summary.seconds }, 'ingest committed');
      res.json(answer(summary, key));
    } catch (err) {
      sendIngestError(req, res, err, log);
    } finally {
      release?.();
    }
  };

  router.post('/', handle());
  for (const kind of PART_KINDS) router.post(`/${kind}`, handle(kind));
  router.all(['/', ...PART_KINDS.map((k) => `/${k}`)], (req, res) => {
    res.status(405).setHeader('Allow', 'POST').json({ status: 405, error: `HTTP method ${req.method.slice(0, 20)} is not supported here; use POST` });
  });
  router.use((_req, res) => {
    res.status(404).json({ status: 404, error: `No such resource; push to /ingest (multipart) or /ingest/{${PART_KINDS.join('|')}}` });
  });
  return router;
}

/** The request body with its Content-Encoding (gzip or none) undone. */
function decoded(req: Request, body: AsyncIterable<Buffer>, budget: ByteBudget): AsyncIterable<Buffer> {
  const enc = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (enc === 'identity' || enc === '') return body;
  if (enc === 'gzip' || enc === 'x-gzip') return gunzip(body, budget);
  throw new BodyError(415, `Content-Encoding "${enc.slice(0, 40)}" is not supported; send gzip or no encoding`);
}

/** One file as the whole body (gzip sniffed as in a multipart part). */
async function* singlePart(kind: PartKind, body: AsyncIterable<Buffer>, budget: ByteBudget): AsyncGenerator<ImportPart> {
  const { gzip, bytes } = await sniffGzip(body, budget);
  yield { kind, file: `${kind}.csv${gzip ? '.gz' : ''}`, text: utf8Text(bytes) };
}

/** The files of a multipart/form-data body, named by their field. */
async function* formParts(req: Request, body: AsyncIterable<Buffer>, budget: ByteBudget): AsyncGenerator<ImportPart> {
  const boundary = multipartBoundary(req.headers['content-type']);
  if (!boundary) throw new BodyError(415, 'POST /ingest takes multipart/form-data with parts named stations, datasets, observations (or POST one file to /ingest/{stations|datasets|observations})');
  let n = 0;
  for await (const part of multipartParts(body, boundary)) {
    const kind = PART_KINDS.find((k) => k === part.name);
    if (!kind) throw new BodyError(400, `Unknown part "${part.name.slice(0, 40).replace(/[^\w.-]/g, '?')}": the parts are ${PART_KINDS.join(', ')}`);
    n++;
    const { gzip, bytes } = await sniffGzip(part.body, budget);
    yield { kind, file: `${kind}.csv${gzip ? '.gz' : ''}`, text: utf8Text(bytes) };
  }
  if (n === 0) throw new BodyError(400, `The body has none of the parts ${PART_KINDS.join(', ')}`);
}

/**
 * Writes each part to a temporary file, then runs fn over the files: the whole upload is received
 * before the embedded store's transaction starts. The files are removed afterwards.
 */
async function spooled<T>(parts: AsyncIterable<ImportPart>, fn: (files: ImportPart[]) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reefgate-ingest-'));
  try {
    const files: ImportPart[] = [];
    for await (const part of parts) {
      const file = path.join(dir, `${files.length}-${part.kind}.csv`);
      await pipeline(Readable.from(part.text), fs.createWriteStream(file, { encoding: 'utf8' }));
      files.push({ kind: part.kind, file: part.file, text: fileText(file) });
    }
    return await fn(files);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function* fileText(file: string): AsyncGenerator<string> {
  yield* fs.createReadStream(file, { encoding: 'utf8' }) as AsyncIterable<string>;
}

/** The JSON answer of a committed push. */
function answer(s: IngestSummary, key: ApiKey) {
  return { status: 'ok', runId: s.runId, key: key.id, stations: s.stations, datasets: s.datasets, observedProperties: s.observedProperties, observations: s.observations, changed: s.changed, seconds: s.seconds };
}

/** The one place a push's error becomes its answer: JSON with the status, and file/line/column for a refused row. */
export function sendIngestError(req: Request, res: Response, err: unknown, log: Logger): void {
  if (res.headersSent || res.destroyed) {
    log.debug({ err: (err as Error)?.message }, 'ingest ended without an answer (client gone)');
    return;
  }
  const { status, body, headers } = ingestError(err);
  if (status >= 500) log.error({ err }, 'ingest failed');
  else log.info({ status, error: body.error }, 'ingest refused');
  // The client may still be sending: the answer goes out now and the rest of the body is read and
  // dropped (for at most 5 s, then the connection is cut). No `Connection: close`: with it Node destroys
  // the socket as soon as the answer is written, the unread body makes the kernel reset the connection,
  // and a client still writing can meet EPIPE before it has read the answer.
  if (!req.complete) {
    const cut = setTimeout(() => req.destroy(), 5000);
    cut.unref();
    req.on('end', () => clearTimeout(cut));
    req.resume();
  }
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(status).json(body);
}

/** Status, JSON body and headers of an error; database and internal details never reach the client. */
export function ingestError(err: unknown): { status: number; body: Record<string, unknown>; headers: Record<string, string> } {
  if (err instanceof ImportError) {
    const status = err instanceof ImportForbiddenError ? 403 : 400;
    return { status, headers: {}, body: { status, error: `${err.message}; nothing was stored`, file: err.file, line: err.line, column: err.column, reason: err.reason } };
  }
  if (err instanceof WriteAuthError) {
    return { status: err.status, headers: err.status === 401 ? { 'WWW-Authenticate': WWW_AUTHENTICATE } : {}, body: { status: err.status, error: err.message } };
  }
  if (err instanceof BodyError) return { status: err.status, headers: {}, body: { status: err.status, error: err.message } };
  if (err instanceof MultipartError) return { status: 400, headers: {}, body: { status: 400, error: `Malformed multipart body: ${err.message}; nothing was stored` } };
  // The push queue is full (HeavyLimiter).
  if (err instanceof OwsError && err.status === 503) return { status: 503, headers: { 'Retry-After': '2' }, body: { status: 503, error: 'The server is busy with other pushes; try again shortly' } };
  const code = (err as { code?: string })?.code;
  if (err instanceof DatabaseUnavailableError || isConnectionError(err)) {
    return { status: 503, headers: { 'Retry-After': '5' }, body: { status: 503, error: 'The database is unavailable; nothing was stored; try again shortly' } };
  }
  // Deadlock or serialization failure between two writers: nothing stored, a retry succeeds.
  if (code === '40P01' || code === '40001') return { status: 503, headers: { 'Retry-After': '1' }, body: { status: 503, error: 'Another write conflicted with this one; nothing was stored; try again' } };
  return { status: 500, headers: {}, body: { status: 500, error: 'Internal server error; nothing was stored' } };
}
