import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/variables.js';

export type { Logger };

/** JSON-lines logger on standard output; secrets and credentials are redacted. */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'plinth' },
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'req.headers.authorization', 'req.headers.cookie', 'databaseUrl', 'jwtSecret'],
      censor: '[redacted]',
    },
  });
}
