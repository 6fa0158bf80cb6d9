import type { FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticator.js';
import type { Actor } from '../auth/roles.js';
import type { BudgetGate } from '../budgets/gate.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { unauthorized } from '../errors.js';
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
  /** The price book in force and the cache of its overrides (reloaded after each write). */
  pricing: { book: PriceBook; overrides: OverrideCache };
}

const REFUSALS = {
  malformed: 'Invalid API key format: expected <10-char id>-<22-char secret>.',
  unknown: 'API key is invalid.',
  expired: 'API key expired.',
  'user-deleted': 'The user of this API key has been deleted.',
} as const;

/** Reads the token from `Coder-Session-Token` or `Authorization: Bearer` and resolves the caller. */
export async function authenticateRequest(request: FastifyRequest, deps: ApiDeps): Promise<Actor> {
  const token = sessionToken(request.headers);
  if (!token) {
    throw unauthorized('Provide an API token in the Coder-Session-Token header or as Authorization: Bearer.');
  }
  const result = await deps.auth.authenticate(token);
  if (!result.ok) throw unauthorized(REFUSALS[result.reason]);
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
