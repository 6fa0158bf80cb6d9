import type { PreparedStatement } from '../db/prepared.js';
import type { JsonObject } from '../db/schema/index.js';
import { cleanJson } from './text.js';
import type { InterceptionStart } from './types.js';

/**
 * A same-replica parent whose row may not be committed yet: the interception a tool result or a
 * `previous_response_id` points to, and the session key the child inherits.
 */
export interface ThreadHint {
  parentId: string;
  rootId: string;
  clientSessionId: string | null;
}

/** How a start row is placed: the in-memory parent, and how far back its fingerprint may join. */
export interface StartPlan {
  hint: ThreadHint | undefined;
  /** Only when the request continues a conversation: its fingerprint must be newer than this. */
  fingerprintSince: string | null;
}

/**
 * One interception start as the insert statements read it (JSON-safe, so the fast recording
 * mode can queue it beside the other records and the shutdown spool can write it as is).
 */
export interface StartRow extends Record<string, string | JsonObject | null> {
  id: string;
  initiator_id: string;
  api_key_id: string;
  provider: string;
  model: string;
  client: string;
  client_session_id: string | null;
  metadata: JsonObject;
  started_at: string;
  tool_call_id: string | null;
  previous_response_id: string | null;
  fingerprint: string | null;
  opening: string | null;
  fingerprint_since: string | null;
  parent_hint: string | null;
  root_hint: string | null;
  session_hint: string | null;
}

/** The row an interception start is inserted as. */
export function startRow(start: InterceptionStart, { hint, fingerprintSince }: StartPlan): StartRow {
  return {
    id: start.id,
    initiator_id: start.initiatorId,
    api_key_id: start.apiKeyId,
    provider: start.provider,
    model: start.model,
    client: start.client,
    client_session_id: start.clientSessionId ?? null,
    metadata: start.metadata,
    started_at: start.startedAt.toISOString(),
    tool_call_id: start.correlatingToolCallId ?? null,
    previous_response_id: start.previousResponseId ?? null,
    // A client's own session id makes the fingerprint moot: such rows stay out of its index.
    fingerprint: start.clientSessionId ? null : (start.conversationFingerprint ?? null),
    opening: start.conversationOpening ?? null,
    fingerprint_since: fingerprintSince,
    parent_hint: hint?.parentId ?? null,
    root_hint: hint?.rootId ?? null,
    session_hint: hint?.clientSessionId ?? null,
  };
}

/** The statement and its parameter that insert these rows: the plain one unless some row needs a lookup. */
export function insertStartsStep(rows: readonly StartRow[]): {
  statement: PreparedStatement;
  values: [string];
} {
  const statement = rows.some(needsLookup) ? INSERT_STARTS_WITH_LOOKUPS : INSERT_STARTS;
  return { statement, values: [cleanJson(rows)] };
}

/** True when the database, not memory, must place the row (its parent is not known here). */
function needsLookup(row: StartRow): boolean {
  if (row.parent_hint) return false;
  return row.tool_call_id !== null || row.previous_response_id !== null || row.fingerprint_since !== null;
}

const ROWS = `json_to_recordset($1::text::json) AS r(id uuid, initiator_id uuid, api_key_id text,
  provider text, model text, client text, client_session_id text, metadata jsonb, started_at timestamptz,
  tool_call_id text, previous_response_id text, fingerprint text, opening text, fingerprint_since timestamptz,
  parent_hint uuid, root_hint uuid, session_hint text)`;
const INSERT = `INSERT INTO aibridge_interceptions (id, initiator_id, api_key_id, provider, model, client,
  client_session_id, metadata, started_at, thread_parent_id, thread_root_id, conversation_fingerprint)`;
const VALUES = `r.id, r.initiator_id, r.api_key_id, r.provider, r.model, r.client`;
const REST = `r.metadata, r.started_at`;

/** The usual case: no row needs the database to place it (no lineage, or known in memory). */
const INSERT_STARTS: PreparedStatement = {
  name: 'aibridge_insert_starts_v3',
  text: `${INSERT} SELECT ${VALUES}, COALESCE(r.client_session_id, r.session_hint), ${REST},
    r.parent_hint, r.root_hint, r.fingerprint FROM ${ROWS}`,
};

/**
 * Some row is placed by the database: by the tool call it answers, else the response it
 * continues (both: the latest match, same initiator), else its conversation fingerprint.
 */
export const INSERT_STARTS_WITH_LOOKUPS: PreparedStatement = {
  name: 'aibridge_insert_starts_lookups_v3',
  text: `${INSERT}
    SELECT ${VALUES},
      COALESCE(r.client_session_id,
        CASE WHEN r.parent_hint IS NOT NULL THEN r.session_hint
             WHEN COALESCE(t.id, p.id) IS NOT NULL THEN COALESCE(t.client_session_id, p.client_session_id)
             ELSE COALESCE(
               (SELECT i.session_id FROM aibridge_interceptions i
                WHERE r.fingerprint_since IS NOT NULL AND i.initiator_id = r.initiator_id
                  AND i.conversation_fingerprint = r.fingerprint AND i.started_at >= r.fingerprint_since
                ORDER BY i.started_at DESC LIMIT 1),
               (SELECT i.session_id FROM aibridge_interceptions i
                WHERE r.fingerprint_since IS NOT NULL AND i.initiator_id = r.initiator_id
                  AND i.conversation_fingerprint = r.opening AND i.started_at >= r.fingerprint_since
                ORDER BY i.started_at DESC LIMIT 1)) END),
      ${REST},
      COALESCE(r.parent_hint, t.id, p.id),
      CASE WHEN r.parent_hint IS NOT NULL THEN r.root_hint
           WHEN t.id IS NOT NULL THEN COALESCE(t.thread_root_id, t.id)
           ELSE COALESCE(p.thread_root_id, p.id) END,
      r.fingerprint
    FROM ${ROWS}
    LEFT JOIN LATERAL (
      SELECT i.id, i.thread_root_id, i.client_session_id
      FROM aibridge_tool_usages u
      JOIN aibridge_interceptions i ON i.id = u.interception_id
      WHERE r.parent_hint IS NULL AND r.tool_call_id IS NOT NULL
        AND u.provider_tool_call_id = r.tool_call_id AND i.initiator_id = r.initiator_id
      ORDER BY u.created_at DESC
      LIMIT 1
    ) t ON true
    LEFT JOIN LATERAL (
      SELECT i.id, i.thread_root_id, i.client_session_id
      FROM aibridge_token_usages u
      JOIN aibridge_interceptions i ON i.id = u.interception_id
      WHERE r.parent_hint IS NULL AND t.id IS NULL AND r.previous_response_id IS NOT NULL
        AND u.provider_response_id = r.previous_response_id AND i.initiator_id = r.initiator_id
      ORDER BY u.created_at DESC
      LIMIT 1
    ) p ON true
    RETURNING id, thread_parent_id, thread_root_id, client_session_id`,
};
