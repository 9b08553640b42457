import pino from 'pino';

/**
 * Where an API key could appear in a logged object: request headers (as pino's and most serializers
 * write them) and the configuration. Nothing logs these today; the redaction keeps a future log line
 * from leaking a key.
 */
const REDACT = [
  'headers.authorization',
  'headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'apiKeys',
  'mqttPassword',
  'cfg.mqttPassword',
  'config.apiKeys',
  'config.apiKeysFile',
  'config.mqttPassword',
];

/** The process logger: one JSON object per line on stdout. */
export function createLogger(level = 'info', destination?: pino.DestinationStream): pino.Logger {
  const opts: pino.LoggerOptions = { level, base: { service: 'reefgate' }, timestamp: pino.stdTimeFunctions.isoTime, redact: { paths: REDACT, censor: '[redacted]' } };
  return destination ? pino(opts, destination) : pino(opts);
}

export type Logger = pino.Logger;
