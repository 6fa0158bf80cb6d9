import { z } from 'zod';
import type { AuditEntryRow } from '../../audit/store.js';
import { goTime, time } from './aibridge.js';

const Snapshot = z
  .record(z.string(), z.unknown())
  .nullable()
  .describe('The object as the API showed it, secrets redacted; null when there was none.');

/** One audit entry as GET /api/v2/audit lists it. */
export const AuditEntryView = z
  .object({
    id: z.uuid(),
    time,
    actor: z.object({
      user_id: z.uuid().nullable().describe('null for changes made by the system.'),
      username: z.string(),
      token_id: z.string().describe('The API token used, or `system`.'),
    }),
    ip: z.string(),
    user_agent: z.string(),
    action: z.string().describe('`<target type>.<verb>`, e.g. `user.create`, `token.revoke`.'),
    target: z.object({ type: z.string(), id: z.string() }),
    before: Snapshot,
    after: Snapshot,
    request_id: z.string(),
  })
  .meta({ id: 'AuditEntry' });

/** A page of the audit log, newest first. */
export const AuditListView = z
  .object({ count: z.int().min(0), entries: z.array(AuditEntryView) })
  .meta({ id: 'AuditListResponse' });

/** A row → the API's JSON. */
export function auditEntryView(row: AuditEntryRow): z.infer<typeof AuditEntryView> {
  return {
    id: row.id,
    time: goTime(row.time),
    actor: { user_id: row.actor_user_id, username: row.actor_username, token_id: row.actor_token_id },
    ip: row.ip,
    user_agent: row.user_agent,
    action: row.action,
    target: { type: row.target_type, id: row.target_id },
    before: row.before,
    after: row.after,
    request_id: row.request_id,
  };
}
