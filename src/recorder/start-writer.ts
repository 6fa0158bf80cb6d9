import type { Database } from '../db/database.js';
import { sqlState } from '../db/errors.js';
import {
  INSERT_STARTS_WITH_LOOKUPS,
  insertStartsStep,
  type StartPlan,
  type StartRow,
  startRow,
  type ThreadHint,
} from './start-sql.js';
import type { InterceptionStart, StartedInterception } from './types.js';

/** What links a request to an earlier interception: a tool call it answers, or a response it continues. */
export type LineageKind = 'tool_call' | 'response';

interface Waiter extends StartPlan {
  start: InterceptionStart;
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
    const { hint, fingerprintSince } = this.plan(start);
    return new Promise((resolve, reject) => {
      this.pending.push({ start, hint, fingerprintSince, resolve, reject });
      this.pump();
    });
  }

  /** Where the start goes: its same-replica parent, if known, and its fingerprint window. */
  plan(start: InterceptionStart): StartPlan {
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
    return { hint, fingerprintSince };
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

async function insertStarts(db: Database, batch: Waiter[]): Promise<InsertedRow[]> {
  const rows: StartRow[] = batch.map((waiter) => startRow(waiter.start, waiter));
  const { statement, values } = insertStartsStep(rows);
  const inserted = await db.prepared.run<InsertedRow>(statement, values);
  if (statement === INSERT_STARTS_WITH_LOOKUPS) return inserted;
  // The plain statement returns nothing: every row was placed from memory.
  return rows.map((row) => ({
    id: row.id,
    thread_parent_id: row.parent_hint,
    thread_root_id: row.root_hint,
    client_session_id: row.client_session_id ?? row.session_hint,
  }));
}
