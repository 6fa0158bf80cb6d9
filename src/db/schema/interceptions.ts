import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** JSON objects stored in `jsonb` metadata columns. */
export type JsonObject = Record<string, unknown>;

/** One bridged request to a provider: the audit record everything else hangs off. */
export interface InterceptionsTable {
  id: string;
  initiator_id: string;
  api_key_id: string | null;
  provider: string;
  provider_name: Generated<string>;
  model: string;
  client: string | null;
  client_session_id: string | null;
  thread_parent_id: string | null;
  thread_root_id: string | null;
  /**
   * How the conversation began (initiator, client, system prompt, first user messages), hashed;
   * a later turn with no session id of its own joins the session of the latest match.
   */
  conversation_fingerprint: string | null;
  /** Generated: COALESCE(client_session_id, thread_root_id::text, id::text). */
  session_id: ColumnType<string, never, never>;
  metadata: JsonObject | null;
  started_at: Date;
  ended_at: Date | null;
  /** Sum of its token rows in micro-dollars, set with `ended_at`; null when its model is unpriced. */
  cost_micros: number | null;
}

export type InterceptionRow = Selectable<InterceptionsTable>;
export type NewInterception = Insertable<InterceptionsTable>;
