import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply } from 'fastify';
import type { PendingSignIn } from './relying-party.js';

/** The session cookie: HttpOnly, so no script (nor an injected one) can read it. */
export const SESSION_COOKIE = 'aibridge_session';
/** The session's CSRF token, readable by the dashboard's script, which echoes it in a header. */
const CSRF_COOKIE = 'aibridge_csrf';
/** The sign-in attempt in flight (state, nonce, PKCE verifier), scoped to the OIDC routes. */
export const PENDING_COOKIE = 'aibridge_oidc';

const PENDING_PATH = '/api/v2/auth/oidc';
const PENDING_SECONDS = 600;

/**
 * Cookie attributes shared by every cookie aibridge sets: SameSite=Lax (sent on the provider's
 * top-level redirect back, never on a cross-site POST or fetch) and Secure behind https.
 */
function base(secure: boolean): CookieSerializeOptions {
  return { sameSite: 'lax', secure, path: '/' };
}

/** Sets the session and CSRF cookies for a new session. */
export function setSessionCookies(
  reply: FastifyReply,
  session: { secret: string; csrfToken: string; expiresAt: Date },
  secure: boolean,
): void {
  reply.setCookie(SESSION_COOKIE, session.secret, {
    ...base(secure),
    httpOnly: true,
    expires: session.expiresAt,
  });
  reply.setCookie(CSRF_COOKIE, session.csrfToken, {
    ...base(secure),
    httpOnly: false,
    expires: session.expiresAt,
  });
}

/** Removes the session and CSRF cookies (sign-out, or a session the server no longer knows). */
export function clearSessionCookies(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, base(secure));
  reply.clearCookie(CSRF_COOKIE, base(secure));
}

/** Remembers a sign-in attempt in the browser until the provider sends it back. */
export function setPendingCookie(reply: FastifyReply, pending: PendingSignIn, secure: boolean): void {
  const value = Buffer.from(JSON.stringify(pending)).toString('base64url');
  reply.setCookie(PENDING_COOKIE, value, {
    ...base(secure),
    path: PENDING_PATH,
    httpOnly: true,
    maxAge: PENDING_SECONDS,
  });
}

/** The attempt the callback belongs to, or undefined when the cookie is missing or garbled. */
export function readPendingCookie(value: string | undefined): PendingSignIn | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<PendingSignIn>;
    const fields = [parsed.state, parsed.nonce, parsed.codeVerifier, parsed.next];
    if (fields.every((f) => typeof f === 'string')) return parsed as PendingSignIn;
  } catch {}
  return undefined;
}

/** Ends the attempt: a callback is redeemed once. */
export function clearPendingCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(PENDING_COOKIE, { ...base(secure), path: PENDING_PATH });
}
