/** SQLSTATE of a failed query, from pg or PGlite errors alike. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** True for a UNIQUE constraint violation (23505), e.g. a username already taken. */
export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === '23505';
}
