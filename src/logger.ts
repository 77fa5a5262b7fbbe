import type { Knex } from 'knex';
import pino, { type Logger } from 'pino';

export type { Logger };

// Anything that could carry a credential is removed before a line is written.
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'password',
  '*.password',
  'access_token',
  '*.access_token',
  'token',
  '*.token',
];

/**
 * pino-pretty's settings for development: one line per entry. The access
 * line's message already says method, path, status and duration, so those
 * fields (and the request id) are not repeated after it.
 */
export const PRETTY_OPTIONS = {
  translateTime: 'SYS:HH:MM:ss',
  singleLine: true,
  ignore: 'pid,hostname,service,requestId,method,path,status,durationMs',
} as const;

/** JSON lines in production, pino-pretty in development (a dev dependency, so never in the image). */
export function createLogger(
  options: { level: string; format: 'json' | 'pretty' },
  destination?: pino.DestinationStream,
): Logger {
  const base: pino.LoggerOptions = {
    level: options.level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { service: 'fast-zero' },
  };
  if (destination) return pino(base, destination);
  if (options.format === 'pretty') {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: PRETTY_OPTIONS },
    });
  }
  return pino(base);
}

/**
 * knex's logger as log entries: during a database outage it reports every
 * connection PostgreSQL closed and every failed connect (with a stack), which
 * by default go to the console as raw lines among the JSON ones.
 */
export function knexLog(logger: Logger): Knex.Logger {
  const text = (message: unknown) => (typeof message === 'string' ? message : JSON.stringify(message));
  return {
    warn: (message: unknown) => logger.warn({ source: 'knex' }, text(message)),
    error: (message: unknown) => logger.error({ source: 'knex' }, text(message)),
    deprecate: (message: unknown) => logger.warn({ source: 'knex' }, text(message)),
    debug: (message: unknown) => logger.debug({ source: 'knex' }, text(message)),
  };
}
