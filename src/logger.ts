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
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service' } },
    });
  }
  return pino(base);
}
