import type { Database } from '../db/database.js';
import { sqlState } from '../db/errors.js';
import type { PreparedStatement } from '../db/prepared.js';
import { cleanJson } from './text.js';
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
 * statement, so a request carrying a tool result costs no extra round trip either; batches
 * without one use a plainer statement (the lookup's plan costs the server even when unused).
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
    private readonly hintFor: (initiatorId: string, toolCallId: string) => ThreadHint | undefined,
    /**
     * Inserts in flight at once, each on its own connection. One is the default: measured on
     * 2 cores, two in flight halved the group size and lowered throughput (more statements and
     * WAL flushes for the same rows); more can help a server whose flushes, not CPU, are slow.
     */
    private readonly maxInFlight = 1,
  ) {}

  write(start: InterceptionStart): Promise<StartedInterception> {
    const hint = start.correlatingToolCallId
      ? this.hintFor(start.initiatorId, start.correlatingToolCallId)
      : undefined;
    return new Promise((resolve, reject) => {
      this.pending.push({ start, hint, resolve, reject });
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

const ROWS = `json_to_recordset($1::text::json) AS r(id uuid, initiator_id uuid, api_key_id text,
  provider text, model text, client text, client_session_id text, metadata jsonb, started_at timestamptz,
  tool_call_id text, parent_hint uuid, root_hint uuid)`;
const INSERT = `INSERT INTO aibridge_interceptions (id, initiator_id, api_key_id, provider, model, client,
  client_session_id, metadata, started_at, thread_parent_id, thread_root_id)`;
const VALUES = `r.id, r.initiator_id, r.api_key_id, r.provider, r.model, r.client, r.client_session_id,
  r.metadata, r.started_at`;

/** The usual case: no row needs the database to find its parent (none, or known in memory). */
const INSERT_STARTS: PreparedStatement = {
  name: 'aibridge_insert_starts_v2',
  text: `${INSERT} SELECT ${VALUES}, r.parent_hint, r.root_hint FROM ${ROWS}`,
};

/** Some row carries a tool result: its parent is looked up by tool-call id, same initiator only. */
const INSERT_STARTS_WITH_LINEAGE: PreparedStatement = {
  name: 'aibridge_insert_starts_lineage_v2',
  text: `${INSERT}
    SELECT ${VALUES}, COALESCE(r.parent_hint, p.id),
      CASE WHEN r.parent_hint IS NOT NULL THEN r.root_hint ELSE COALESCE(p.thread_root_id, p.id) END
    FROM ${ROWS}
    LEFT JOIN LATERAL (
      SELECT i.id, i.thread_root_id
      FROM aibridge_tool_usages t
      JOIN aibridge_interceptions i ON i.id = t.interception_id
      WHERE r.parent_hint IS NULL AND r.tool_call_id IS NOT NULL
        AND t.provider_tool_call_id = r.tool_call_id AND i.initiator_id = r.initiator_id
      ORDER BY t.created_at DESC
      LIMIT 1
    ) p ON true
    RETURNING id, thread_parent_id, thread_root_id`,
};

async function insertStarts(db: Database, batch: Waiter[]): Promise<InsertedRow[]> {
  const rows = cleanJson(
    batch.map(({ start, hint }) => ({
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
      parent_hint: hint?.parentId ?? null,
      root_hint: hint?.rootId ?? null,
    })),
  );
  if (batch.some((w) => w.start.correlatingToolCallId !== undefined && w.hint === undefined)) {
    return db.prepared.run<InsertedRow>(INSERT_STARTS_WITH_LINEAGE, [rows]);
  }
  await db.prepared.run(INSERT_STARTS, [rows]);
  return batch.map((w) => ({
    id: w.start.id,
    thread_parent_id: w.hint?.parentId ?? null,
    thread_root_id: w.hint?.rootId ?? null,
  }));
}
