import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema/index.js';
import { type AuditWho, recordAudit } from './trail.js';

/** How a person signed in: a pasted API token, or the identity provider (OIDC). */
type SignInMethod = 'token' | 'oidc';

/**
 * Records a sign-in: one `user.sign_in` entry naming the user and how they signed in. The
 * token sign-in calls it today; the OIDC callback calls it (inside the transaction that
 * creates or updates the user, when it has one) after a successful sign-in.
 */
export function recordSignIn(
  db: Kysely<Schema>,
  who: AuditWho,
  method: SignInMethod,
  details: Record<string, unknown> = {},
): Promise<void> {
  return recordAudit(db, who, {
    action: 'user.sign_in',
    target: { type: 'user', id: who.userId ?? '' },
    after: { method, ...details },
  });
}
