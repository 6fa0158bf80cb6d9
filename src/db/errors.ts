/** SQLSTATE of a failed query, from pg or PGlite errors alike. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** True for a UNIQUE constraint violation (23505), e.g. a username already taken. */
export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === '23505';
}

/** Socket-level failures that mean the server cannot be reached (not a bad query). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);
/** node-postgres reports a lost or unanswered connection with a message and no code. */
const LOST_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error',
  'Connection ended',
];

/**
 * True when a failed query means the database is unavailable (down, unreachable, frozen past
 * the timeout, out of connections, shutting down, statement cut by the timeout) rather than
 * the query being wrong: those are answered 503 with Retry-After, never 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const state = sqlState(error) ?? '';
  if (NETWORK_CODES.has(state)) return true;
  // 08 connection exception, 53 insufficient resources (too many clients), 57P0x shutdown or
  // starting up, 57014 statement timeout.
  if (state.startsWith('08') || state.startsWith('53') || state.startsWith('57P') || state === '57014')
    return true;
  const message = error instanceof Error ? error.message : '';
  if (LOST_MESSAGES.some((text) => message.includes(text))) return true;
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnavailable);
  return 'cause' in error && error.cause !== error && isDatabaseUnavailable(error.cause);
}
