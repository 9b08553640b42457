import pino from 'pino';

/** The process logger: one JSON object per line on stdout. */
export function createLogger(level = 'info'): pino.Logger {
  return pino({ level, base: { service: 'reefgate' }, timestamp: pino.stdTimeFunctions.isoTime });
}

export type Logger = pino.Logger;
