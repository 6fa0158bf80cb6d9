import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import { sqlState } from '../db/errors.js';
import { cleanJson, cleanText } from './text.js';
import type { InterceptionStart, StartedInterception } from './types.js';

/** A same-replica tool call whose row may not be committed yet: the parent a tool result points to. */
export interface ThreadHint {
  parentId: string;
  rootId: string;
}

interface Waiter {
  start: InterceptionStart;
  hint: ThreadHint | undefined;
  resolve: (started: StartedInterception) => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH = 500;

/**
 * Group commit for the audit row: every interception is durable (synchronous commit) before
 * its request goes upstream, but requests that arrive while an insert is in flight wait for the
 * next one and share it — one multi-row statement, one round trip, however many requests.
 * The thread lineage lookup (tool-call id → parent, same initiator only) runs inside that same
 * statement, so a request carrying a tool result costs no extra round trip either.
 */
export class StartWriter {
  private pending: Waiter[] = [];
  private busy = false;
  /** Insert statements run, and rows they carried (rows ÷ statements = the group-commit factor). */
  readonly stats = { statements: 0, rows: 0 };

  constructor(
    private readonly db: Database,
    private readonly hintFor: (initiatorId: string, toolCallId: string) => ThreadHint | undefined,
  ) {}

  write(start: InterceptionStart): Promise<StartedInterception> {
    const hint = start.correlatingToolCallId
      ? this.hintFor(start.initiatorId, start.correlatingToolCallId)
      : undefined;
    return new Promise((resolve, reject) => {
      this.pending.push({ start, hint, resolve, reject });
      if (!this.busy) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH);
      await this.insert(batch);
    }
    this.busy = false;
  }

  private async insert(batch: Waiter[]): Promise<void> {
    try {
      this.stats.statements++;
      this.stats.rows += batch.length;
      const rows = await insertStarts(this.db, batch);
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const waiter of batch) {
        const row = byId.get(waiter.start.id);
        if (row) waiter.resolve({ threadParentId: row.thread_parent_id, threadRootId: row.thread_root_id });
        else waiter.reject(new Error('interception row was not inserted'));
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
}

function insertStarts(db: Database, batch: Waiter[]): Promise<InsertedRow[]> {
  const col = <T>(pick: (w: Waiter) => T) => batch.map(pick);
  return sql<InsertedRow>`
    INSERT INTO aibridge_interceptions (id, initiator_id, api_key_id, provider, model, client,
      client_session_id, metadata, started_at, thread_parent_id, thread_root_id)
    SELECT r.id::uuid, r.initiator_id::uuid, r.api_key_id, r.provider, r.model, r.client,
      r.client_session_id, r.metadata::jsonb, r.started_at::timestamptz,
      COALESCE(r.parent_hint::uuid, p.id),
      CASE WHEN r.parent_hint IS NOT NULL THEN r.root_hint::uuid ELSE COALESCE(p.thread_root_id, p.id) END
    FROM unnest(${col((w) => w.start.id)}::text[], ${col((w) => w.start.initiatorId)}::text[],
      ${col((w) => w.start.apiKeyId)}::text[], ${col((w) => w.start.provider)}::text[],
      ${col((w) => cleanText(w.start.model))}::text[], ${col((w) => w.start.client)}::text[],
      ${col((w) => (w.start.clientSessionId === undefined ? null : cleanText(w.start.clientSessionId)))}::text[],
      ${col((w) => cleanJson(w.start.metadata))}::text[], ${col((w) => w.start.startedAt.toISOString())}::text[],
      ${col((w) => w.start.correlatingToolCallId ?? null)}::text[],
      ${col((w) => w.hint?.parentId ?? null)}::text[], ${col((w) => w.hint?.rootId ?? null)}::text[])
      AS r(id, initiator_id, api_key_id, provider, model, client, client_session_id, metadata,
        started_at, tool_call_id, parent_hint, root_hint)
    LEFT JOIN LATERAL (
      SELECT i.id, i.thread_root_id
      FROM aibridge_tool_usages t
      JOIN aibridge_interceptions i ON i.id = t.interception_id
      WHERE r.parent_hint IS NULL AND r.tool_call_id IS NOT NULL
        AND t.provider_tool_call_id = r.tool_call_id AND i.initiator_id = r.initiator_id::uuid
      ORDER BY t.created_at DESC
      LIMIT 1
    ) p ON true
    RETURNING id, thread_parent_id, thread_root_id
  `
    .execute(db.kysely)
    .then((result) => result.rows);
}
