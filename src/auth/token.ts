import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ID_LENGTH = 10;
const SECRET_LENGTH = 22;
const TOKEN_PATTERN = /^([a-zA-Z0-9]{10})-([a-zA-Z0-9]{22})$/;

/** A token split into its public id (stored) and its secret (only the hash is stored). */
export interface ParsedToken {
  id: string;
  secret: string;
}

/** Coder-format token `<10-char id>-<22-char secret>` from a CSPRNG (~131 bits of secret). */
export function generateToken(): { token: string; id: string; secret: string } {
  const id = randomString(ID_LENGTH);
  const secret = randomString(SECRET_LENGTH);
  return { token: `${id}-${secret}`, id, secret };
}

/** Splits a presented token; anything not in the exact format is not a token. */
export function parseToken(token: string): ParsedToken | undefined {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) return undefined;
  return { id: match[1] as string, secret: match[2] as string };
}

/** True when `token` has the shape of an aibridge token. */
export function isValidToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/** What is stored for a secret: SHA-256, so the database never holds a usable token. */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Constant-time comparison of a presented secret with the stored hash. */
export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  const presented = hashSecret(secret);
  return storedHash.length === presented.length && timingSafeEqual(presented, storedHash);
}

function randomString(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

const DAY_SECONDS = 86_400;
/** Lifetime of a token when none is asked for (Coder's default). */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 30 * DAY_SECONDS;
/** Longest lifetime a token may be given. */
export const MAX_TOKEN_LIFETIME_SECONDS = 365 * DAY_SECONDS;
