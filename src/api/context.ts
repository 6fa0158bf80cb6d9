import type { FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticator.js';
import { SESSION_COOKIE } from '../auth/oidc/cookies.js';
import type { RelyingParty } from '../auth/oidc/relying-party.js';
import { type BrowserSessions, csrfTokenMatches } from '../auth/oidc/sessions.js';
import type { Actor } from '../auth/roles.js';
import type { BudgetGate } from '../budgets/gate.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { forbidden, unauthorized } from '../errors.js';
import type { RateLimits } from '../limits/rate-limits.js';
import type { Logger } from '../log.js';
import type { PriceBook } from '../pricing/book.js';
import type { OverrideCache } from '../pricing/overrides.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { RetentionJob } from '../store/retention-job.js';

/** What control-plane handlers may use; built once in app.ts. */
export interface ApiDeps {
  config: Config;
  db: Database;
  log: Logger;
  auth: Authenticator;
  version: string;
  /** The retention purge, which the admin purge endpoint runs on demand. */
  retention: RetentionJob;
  /** The provider instances: the providers endpoints change them and tell every replica. */
  providers: ProviderRegistry;
  /** Budget admission: told to re-read the rules when the API changes budgets or groups. */
  budgets: BudgetGate;
  /** The rate limits: told to re-read the groups' limits when the API changes groups. */
  limits?: Pick<RateLimits, 'groupsChanged'> | undefined;
  /** The price book in force and the cache of its overrides (reloaded after each write). */
  pricing: { book: PriceBook; overrides: OverrideCache };
  /** The dashboard's server-side sessions (the cookie single sign-on sets). */
  sessions: BrowserSessions;
  /** Single sign-on with the company's identity provider; undefined when not configured. */
  oidc: RelyingParty | undefined;
}

const REFUSALS = {
  malformed: 'Invalid API key format: expected <10-char id>-<22-char secret>.',
  unknown: 'API key is invalid.',
  expired: 'API key expired.',
  'user-deleted': 'The user of this API key has been deleted.',
} as const;

const SESSION_REFUSALS = {
  unknown: 'Your sign-in session has ended. Sign in again.',
  expired: 'Your sign-in session expired. Sign in again.',
  'user-deleted': 'The user of this sign-in session has been deleted.',
} as const;

/** Methods that change nothing; every other cookie-authenticated request must prove its origin. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves the caller from a token (`Coder-Session-Token` or `Authorization: Bearer`) or,
 * without one, from the dashboard's session cookie. A cookie rides along with any request the
 * browser makes, so a cookie-authenticated change must also carry the session's CSRF token in
 * `X-CSRF-Token` (the synchronizer-token pattern); a token in a header cannot be forged that way.
 */
export async function authenticateRequest(request: FastifyRequest, deps: ApiDeps): Promise<Actor> {
  const token = sessionToken(request.headers);
  if (token) {
    const result = await deps.auth.authenticate(token);
    if (!result.ok) throw unauthorized(REFUSALS[result.reason]);
    return result.actor;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (!cookie) {
    throw unauthorized('Provide an API token in the Coder-Session-Token header or as Authorization: Bearer.');
  }
  const result = await deps.sessions.authenticate(cookie);
  if (!result.ok) throw unauthorized(SESSION_REFUSALS[result.reason]);
  if (!SAFE_METHODS.has(request.method)) {
    const presented = request.headers['x-csrf-token'];
    if (!csrfTokenMatches(typeof presented === 'string' ? presented : undefined, result.session.csrf_token)) {
      throw forbidden('Missing or wrong X-CSRF-Token: a change made with the session cookie must carry it.');
    }
  }
  return result.actor;
}

/** The management API's token sources, in the reference's order of preference. */
function sessionToken(headers: FastifyRequest['headers']): string | undefined {
  const session = headers['coder-session-token'];
  if (typeof session === 'string' && session.trim()) return session.trim();
  const authorization = headers.authorization;
  if (authorization) {
    const match = /^bearer\s+(.+)$/i.exec(authorization.trim());
    if (match?.[1]) return match[1].trim();
  }
  return undefined;
}
