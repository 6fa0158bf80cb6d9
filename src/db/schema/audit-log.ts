import type { ColumnType, Generated, Selectable } from 'kysely';
import type { JsonObject } from './interceptions.js';

/** jsonb: read as a value, written as JSON text (never updated: the log is append-only). */
type Json = ColumnType<JsonObject | null, string | null, never>;

/** One audited change: who made it, from where, to what, and the object before and after. */
export interface AuditLogTable {
  id: Generated<string>;
  created_at: Generated<Date>;
  actor_user_id: string | null;
  actor_username: string;
  /** The API token the change was made with, or `system` (start-up, the CLI on the database). */
  actor_token_id: string;
  ip: string;
  user_agent: string;
  action: string;
  target_type: string;
  target_id: string;
  before: Json;
  after: Json;
  request_id: string;
}

export type AuditLogRow = Selectable<AuditLogTable>;
