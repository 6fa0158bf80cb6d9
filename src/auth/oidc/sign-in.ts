import { recordSignIn } from '../../audit/sign-in.js';
import type { BudgetGate } from '../../budgets/gate.js';
import type { Database } from '../../db/database.js';
import type { Logger } from '../../log.js';
import type { Authenticator } from '../authenticator.js';
import { identityFrom } from './claims.js';
import type { OidcConfig } from './config.js';
import { type Provisioned, provisionUser } from './provision.js';
import type { PendingSignIn, RelyingParty } from './relying-party.js';
import type { BrowserSessions, NewSession } from './sessions.js';

/** What finishing a sign-in needs. */
export interface SignInDeps {
  config: OidcConfig;
  rp: RelyingParty;
  db: Database;
  sessions: BrowserSessions;
  auth: Authenticator;
  budgets: BudgetGate;
  log: Logger;
}

/** A completed sign-in: who, what changed, from where. The one record of it (see signedIn). */
interface SignInEvent extends Provisioned {
  method: 'oidc';
  issuer: string;
  remoteAddress: string;
  userAgent: string | undefined;
  requestId: string;
}

/**
 * Turns a verified callback into a signed-in browser: claims → policy → just-in-time user and
 * group sync → a new session. Throws CallbackRejected or SignInRefused with the sentence to show.
 */
export async function finishSignIn(
  deps: SignInDeps,
  search: string,
  pending: PendingSignIn,
  from: { remoteAddress: string; userAgent: string | undefined; requestId: string },
): Promise<{ session: NewSession; next: string }> {
  const claims = await deps.rp.complete(search, pending);
  const identity = identityFrom(claims, deps.config);
  const provisioned = await provisionUser(deps.db.kysely, deps.config.issuer, identity, deps.config.groupMap);
  // Cached tokens carry the role, and budgets pool by group: both must see the change at once.
  if (provisioned.roleBefore !== undefined && provisioned.roleBefore !== provisioned.user.role) {
    await deps.auth.invalidate();
  }
  if (provisioned.groupsAdded.length > 0 || provisioned.groupsRemoved.length > 0) await deps.budgets.reload();
  const session = await deps.sessions.create(provisioned.user.id, 'oidc');
  await signedIn(deps, { ...provisioned, method: 'oidc', issuer: deps.config.issuer, ...from });
  return { session, next: pending.next };
}

/**
 * Where every single sign-on ends, exactly once per signed-in browser: one `user.sign_in`
 * audit entry and a log line saying who signed in and what the sign-in changed (never a
 * token or claim value beyond the username and group names).
 */
async function signedIn(deps: SignInDeps, event: SignInEvent): Promise<void> {
  await recordSignIn(
    deps.db.kysely,
    {
      userId: event.user.id,
      username: event.user.username,
      tokenId: 'session',
      ip: event.remoteAddress,
      userAgent: event.userAgent ?? '',
      requestId: event.requestId,
    },
    'oidc',
    {
      created: event.created,
      role: event.user.role,
      role_before: event.roleBefore ?? null,
      groups_added: event.groupsAdded,
      groups_removed: event.groupsRemoved,
    },
  );
  deps.log.info(
    {
      user: event.user.id,
      username: event.user.username,
      created: event.created,
      role: event.user.role,
      roleBefore: event.roleBefore,
      groupsAdded: event.groupsAdded,
      groupsRemoved: event.groupsRemoved,
      method: event.method,
      remoteAddress: event.remoteAddress,
    },
    'signed in',
  );
}

/** A post-sign-in destination that stays on this server (a path, never `//host` or a URL). */
export function safeNext(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) {
    return '/';
  }
  return value;
}
