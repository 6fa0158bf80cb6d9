import type { FastifyRequest } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../auth/roles.js';
import type { Schema } from '../db/schema/index.js';
import { cleanJson } from '../recorder/text.js';
import { redactSecrets } from './redact.js';

/** Who made a change and from where, as each audit entry records it. */
export interface AuditWho {
  userId: string | null;
  username: string;
  /** The API token the change was made with; `system` for start-up and the offline CLI. */
  tokenId: string;
  ip: string;
  userAgent: string;
  requestId: string;
}

/** Changes nobody's request made: the bootstrap owner, the CLI writing to the database directly. */
export const SYSTEM: AuditWho = {
  userId: null,
  username: 'system',
  tokenId: 'system',
  ip: '',
  userAgent: '',
  requestId: '',
};

/** What changed: the action, the object it touched and that object before and after. */
export interface AuditChange {
  /** `<target type>.<verb>`, e.g. `user.create`, `token.revoke`, `price.recalculate`. */
  action: string;
  target: { type: string; id: string };
  /** The object as the API showed it before the change (absent for a creation). */
  before?: unknown;
  /** The object as the API shows it after the change (absent for a deletion). */
  after?: unknown;
}

const MAX_HEADER_CHARS = 512;

/** The caller of a request as the audit log names them: user, token, address, agent, request id. */
export function whoOf(actor: Actor, request: FastifyRequest): AuditWho {
  const header = (name: string) => {
    const value = request.headers[name];
    return (Array.isArray(value) ? value[0] : value)?.slice(0, MAX_HEADER_CHARS) ?? '';
  };
  return {
    userId: actor.userId || null,
    username: actor.username,
    tokenId: actor.apiKeyId || 'system',
    ip: request.ip ?? '',
    userAgent: header('user-agent'),
    requestId: header('x-request-id') || String(request.id),
  };
}

/**
 * Writes one entry with the database handle given, so a caller inside a transaction records
 * the change in the same commit: the entry exists exactly when the change does. Before and
 * after pass through the redaction of secrets on the way.
 */
export async function recordAudit(db: Kysely<Schema>, who: AuditWho, change: AuditChange): Promise<void> {
  await db
    .insertInto('aibridge_audit_log')
    .values({
      actor_user_id: who.userId,
      actor_username: who.username,
      actor_token_id: who.tokenId,
      ip: who.ip,
      user_agent: who.userAgent,
      action: change.action,
      target_type: change.target.type,
      target_id: change.target.id,
      before: jsonOf(change.before),
      after: jsonOf(change.after),
      request_id: who.requestId,
    })
    .execute();
}

/** Records the change through `audit` inside the transaction `work` runs in. */
type AuditedWork<T> = (trx: Transaction<Schema>, audit: (change: AuditChange) => Promise<void>) => Promise<T>;

/**
 * Runs a change and its audit entry in one transaction: if the change (or anything after it
 * in `work`) throws, both roll back, so a failed change leaves no entry.
 */
export function audited<T>(db: Kysely<Schema>, who: AuditWho, work: AuditedWork<T>): Promise<T> {
  return db.transaction().execute((trx) => work(trx, (change) => recordAudit(trx, who, change)));
}

/** Redacted JSON text fit for a jsonb column (NUL and lone surrogates replaced), or null. */
function jsonOf(value: unknown): string | null {
  return value === undefined || value === null ? null : cleanJson(redactSecrets(value));
}
