import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear in a log object: tokens and provider keys must
 * never reach a log line, even when a whole config or header set is logged by mistake.
 */
const REDACT_PATHS = [
  'key',
  'token',
  'secret',
  'password',
  '*.key',
  '*.token',
  '*.secret',
  '*.password',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["coder-session-token"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.headers["coder-session-token"]',
];

/** JSON logs on stderr, so stdout stays for what a person must read (URL, bootstrap token). */
export function createLogger(level: LogLevel): Logger {
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' }, base: { service: 'aibridge' } },
    pino.destination({ fd: 2, sync: false }),
  );
}
