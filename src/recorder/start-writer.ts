import type { Database } from '../db/database.js';
import { sqlState } from '../db/errors.js';
import type { PreparedStatement } from '../db/prepared.js';
import { cleanJson } from './text.js';
import type { InterceptionStart, StartedInterception } from './types.js';

/**
 * A same-replica parent whose row may not be committed yet: the interception a tool result or a
 * `previous_response_id` points to, and the session key the child inherits.
 */
export interface ThreadHint {
  parentId: string;
  rootId: string;
  clientSessionId: string | null;
}

/** What links a request to an earlier interception: a tool call it answers, or a response it continues. */
export type LineageKind = 'tool_call' | 'response';

interface Waiter {
  start: InterceptionStart;
  hint: ThreadHint | undefined;
  /** Only when the request continues a conversation: its fingerprint must be newer than this. */
  fingerprintSince: string | null;
  resolve: (started: StartedInterception) => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH = 500;

/**
 * Group commit for the audit row: every interception is durable (synchronous commit) before
 * its request goes upstream, but requests that arrive while an insert is in flight wait for the
 * next one and share it — one multi-row statement, one round trip, however many requests.
 * The lookups that place a request in its thread and session run inside that same statement,
 * all within the same initiator — the tool call it answers, else the response it continues
 * (`previous_response_id`), else (no client session id, history resent) the latest
 * interception with the same conversation fingerprint inside the idle window — so they cost no
 * extra round trip either; batches needing none use a plainer statement (the lookups' plan
 * costs the server even when unused). A child inherits its parent's session key.
 * Both are prepared statements of one fixed shape (rows passed as one JSON parameter), whatever
 * the batch size.
 */
export class StartWriter {
  private pending: Waiter[] = [];
  private inFlight = 0;
  /** Insert statements run, and rows they carried (rows ÷ statements = the group-commit factor). */
  readonly stats = { statements: 0, rows: 0 };

  constructor(
    private readonly db: Database,
    private readonly hintFor: (kind: LineageKind, initiatorId: string, id: string) => ThreadHint | undefined,
    /** How long a conversation fingerprint stays joinable after its latest interception. */
    private readonly sessionIdleMs: number,
    /**
     * Inserts in flight at once, each on its own connection. One is the default: measured on
     * 2 cores, two in flight halved the group size and lowered throughput (more statements and
     * WAL flushes for the same rows); more can help a server whose flushes, not CPU, are slow.
     */
    private readonly maxInFlight = 1,
  ) {}

  write(start: InterceptionStart): Promise<StartedInterception> {
    const hint =
      (start.correlatingToolCallId
        ? this.hintFor('tool_call', start.initiatorId, start.correlatingToolCallId)
        : undefined) ??
      (start.previousResponseId
        ? this.hintFor('response', start.initiatorId, start.previousResponseId)
        : undefined);
    const joins = start.conversationOpening && start.conversationFingerprint && !start.clientSessionId;
    const fingerprintSince = joins
      ? new Date(start.startedAt.getTime() - this.sessionIdleMs).toISOString()
      : null;
    return new Promise((resolve, reject) => {
      this.pending.push({ start, hint, fingerprintSince, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH);
      this.inFlight++;
      void this.insert(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async insert(batch: Waiter[]): Promise<void> {
    try {
      this.stats.statements++;
      this.stats.rows += batch.length;
      const rows = await insertStarts(this.db, batch);
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const waiter of batch) {
        const row = byId.get(waiter.start.id);
        if (row) {
          waiter.resolve({
            threadParentId: row.thread_parent_id,
            threadRootId: row.thread_root_id,
            clientSessionId: row.client_session_id,
          });
        } else waiter.reject(new Error('interception row was not inserted'));
      }
    } catch (error) {
      // One bad row must not fail its neighbours: retry them alone when the data was at fault.
      const state = sqlState(error) ?? '';
      if (batch.length > 1 && (state.startsWith('22') || state.startsWith('23'))) {
        for (const waiter of batch) await this.insert([waiter]);
        return;
      }
      for (const waiter of batch) waiter.reject(error);
    }
  }
}

interface InsertedRow {
  id: string;
  thread_parent_id: string | null;
  thread_root_id: string | null;
  client_session_id: string | null;
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
const INSERT_STARTS_WITH_LOOKUPS: PreparedStatement = {
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

async function insertStarts(db: Database, batch: Waiter[]): Promise<InsertedRow[]> {
  const rows = cleanJson(
    batch.map(({ start, hint, fingerprintSince }) => ({
      ...startColumns(start),
      tool_call_id: start.correlatingToolCallId ?? null,
      previous_response_id: start.previousResponseId ?? null,
      opening: start.conversationOpening ?? null,
      fingerprint_since: fingerprintSince,
      parent_hint: hint?.parentId ?? null,
      root_hint: hint?.rootId ?? null,
      session_hint: hint?.clientSessionId ?? null,
    })),
  );
  if (batch.some(needsLookup)) return db.prepared.run<InsertedRow>(INSERT_STARTS_WITH_LOOKUPS, [rows]);
  await db.prepared.run(INSERT_STARTS, [rows]);
  return batch.map((w) => ({
    id: w.start.id,
    thread_parent_id: w.hint?.parentId ?? null,
    thread_root_id: w.hint?.rootId ?? null,
    client_session_id: w.start.clientSessionId ?? w.hint?.clientSessionId ?? null,
  }));
}

function needsLookup({ start, hint, fingerprintSince }: Waiter): boolean {
  if (hint) return false;
  return (
    start.correlatingToolCallId !== undefined ||
    start.previousResponseId !== undefined ||
    fingerprintSince !== null
  );
}

/**
 * The columns an interception's start sets whoever writes it: the start writer, or the spool's
 * replay of an outage journal.
 */
export function startColumns(start: InterceptionStart) {
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
    // A client's own session id makes the fingerprint moot: such rows stay out of its index.
    fingerprint: start.clientSessionId ? null : (start.conversationFingerprint ?? null),
  };
}
