import express from 'express';
import type { Logger } from '../log';
import { OwsError } from '../ows/errors';
import { renderExceptionReport } from '../ows/exceptionReport';

/** One finished start-up phase and how long it took. */
export interface PhaseTiming {
  phase: string;
  seconds: number;
}

/**
 * Tracks the start-up phases (open the database, migrations, demo import): logs each with its
 * duration and tells /readyz where the start stands, so a slow first start is visible, not silent.
 */
export class StartupProgress {
  readonly startedAt = Date.now();
  phase = 'starting';
  private phaseStartedAt = Date.now();
  detail: Record<string, unknown> | undefined;
  readonly done: PhaseTiming[] = [];

  constructor(private readonly log: Logger) {}

  /** Runs one phase, logging its start and its duration. */
  async run<T>(phase: string, fn: () => Promise<T>): Promise<T> {
    this.phase = phase;
    this.detail = undefined;
    this.phaseStartedAt = Date.now();
    this.log.info({ phase }, `start-up: ${phase}`);
    const value = await fn();
    const seconds = round((Date.now() - this.phaseStartedAt) / 1000);
    this.done.push({ phase, seconds });
    this.log.info({ phase, seconds }, `start-up: ${phase} done in ${seconds} s`);
    return value;
  }

  /** The /readyz body while starting. */
  snapshot() {
    const now = Date.now();
    return {
      status: 'starting',
      phase: this.phase,
      phaseSeconds: round((now - this.phaseStartedAt) / 1000),
      elapsedSeconds: round((now - this.startedAt) / 1000),
      ...(this.detail ? { progress: this.detail } : {}),
      done: this.done,
    };
  }

  /** Total time to ready, for the final log line. */
  elapsedSeconds(): number {
    return round((Date.now() - this.startedAt) / 1000);
  }
}

function round(s: number): number {
  return Math.round(s * 10) / 10;
}

/**
 * What the port answers until the store is ready: /healthz 200 (the process is alive), /readyz 503 with
 * the current phase, the OGC endpoints a 503 ExceptionReport with Retry-After, anything else a JSON 503.
 */
export function startingApp(progress: StartupProgress): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    res.status(503).set('Retry-After', '5').json(progress.snapshot());
  });
  app.all(/^\/(ows|wfs|sos)$/, (_req, res) => {
    const err = new OwsError('NoApplicableCode', 'service', `The gateway is starting (${progress.phase}); try again shortly`, {
      status: 503,
      headers: { 'Retry-After': '5' },
    });
    // Rendered by the one ExceptionReport writer; not through sendError, which logs every 5xx as a
    // failure: answering 503 while starting is the expected behaviour, not a fault.
    res.status(err.status).set(err.headers).type('application/xml; charset=utf-8').send(renderExceptionReport(err, '2.0.0'));
  });
  app.use((_req, res) => {
    res.status(503).set('Retry-After', '5').json({ status: 'starting', phase: progress.phase });
  });
  return app;
}
