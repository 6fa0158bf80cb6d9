import { type Kysely, sql } from 'kysely';
import type { JsonObject, Schema } from '../db/schema/index.js';
import { Keyset } from './pagination.js';
import {
  byInterception,
  InterceptionRecords,
  type ModelThoughtRecord,
  type TokenUsageRecord,
  type ToolUsageRecord,
  type UserPromptRecord,
} from './records.js';
import { type Scope, visibleTo } from './scope.js';
import type { SessionKey } from './sessions.js';
import { type DbTime, dbTime } from './timestamps.js';

/** One interception of a thread, as the session detail lays it out. */
export interface ThreadStep {
  id: string;
  thread_id: string;
  provider: string;
  model: string;
  started_at: DbTime;
  ended_at: DbTime | null;
  cost_micros: number | null;
}

/** A thread: its root interception's id and all its interceptions, oldest first. */
export interface ThreadRecord {
  id: string;
  steps: ThreadStep[];
}

/** A page of a session's threads with everything recorded under their interceptions. */
export interface ThreadPage {
  threads: ThreadRecord[];
  tokenUsages: Map<string, TokenUsageRecord[]>;
  userPrompts: Map<string, UserPromptRecord[]>;
  toolUsages: Map<string, ToolUsageRecord[]>;
  modelThoughts: Map<string, ModelThoughtRecord[]>;
}

/** Which threads: a page size and at most one cursor (a thread root's id). */
export interface ThreadPageQuery {
  limit: number;
  afterId?: string | undefined;
  beforeId?: string | undefined;
}

/** Threads run oldest first; ties on start time broken by id. */
const CHRONOLOGICAL = new Keyset(['r.started_at', 'r.id'], 'asc');

/** Reads one session's threads for the session detail endpoint. */
export class SessionThreadStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly scope: Scope,
  ) {}

  /** Why `id` cannot be a cursor in this session (the reference's wording), if it cannot. */
  async cursorProblem(id: string, name: string, key: SessionKey): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('aibridge_interceptions as i')
      .select(['i.session_id', 'i.initiator_id'])
      .where('i.id', '=', id)
      .where(visibleTo(this.scope, 'i'))
      .executeTakeFirst();
    if (!row) return `${name}: interception ${id} not found: invalid pagination cursor`;
    if (row.session_id !== key.sessionId || row.initiator_id !== key.initiatorId) {
      return `${name}: interception ${id} does not belong to session ${key.sessionId}: invalid pagination cursor`;
    }
    return undefined;
  }

  /** A page of threads, oldest first: after `afterId`, just before `beforeId`, or from the start. */
  async page(key: SessionKey, q: ThreadPageQuery): Promise<ThreadPage> {
    const rootIds = await this.rootIds(key, q);
    const steps = rootIds.length === 0 ? [] : await this.steps(key, rootIds);
    const threads = new Map<string, ThreadStep[]>(rootIds.map((id) => [id, []]));
    for (const step of steps) threads.get(step.thread_id)?.push(step);
    const ids = steps.map((s) => s.id);
    const records = new InterceptionRecords(this.db);
    return {
      threads: [...threads].map(([id, threadSteps]) => ({ id, steps: threadSteps })),
      tokenUsages: byInterception(await records.tokenUsages(ids)),
      userPrompts: byInterception(await records.userPrompts(ids)),
      toolUsages: byInterception(await records.toolUsages(ids)),
      modelThoughts: byInterception(await records.modelThoughts(ids)),
    };
  }

  /** The token-usage metadata of every interception of the session, for its summed totals. */
  async tokenMetadata(key: SessionKey): Promise<JsonObject[]> {
    const rows = await this.db
      .selectFrom('aibridge_token_usages as t')
      .innerJoin('aibridge_interceptions as x', 'x.id', 't.interception_id')
      .select('t.metadata')
      .where('x.session_id', '=', key.sessionId)
      .where('x.initiator_id', '=', key.initiatorId)
      .where('x.ended_at', 'is not', null)
      .where('t.metadata', 'is not', null)
      .execute();
    return rows.flatMap((r) => (r.metadata ? [r.metadata] : []));
  }

  private async rootIds(key: SessionKey, q: ThreadPageQuery): Promise<string[]> {
    const cursorRow = (id: string) =>
      sql`SELECT c.started_at, c.id FROM aibridge_interceptions c WHERE c.id = ${id}`;
    let query = this.db
      .selectFrom('aibridge_interceptions as r')
      .select('r.id')
      .where('r.session_id', '=', key.sessionId)
      .where('r.initiator_id', '=', key.initiatorId)
      .where('r.ended_at', 'is not', null)
      .where('r.thread_root_id', 'is', null)
      .where(visibleTo(this.scope, 'r'));
    if (q.afterId !== undefined) query = query.where(CHRONOLOGICAL.after(cursorRow(q.afterId)));
    if (q.beforeId !== undefined) query = query.where(CHRONOLOGICAL.before(cursorRow(q.beforeId)));
    const backwards = q.beforeId !== undefined;
    const rows = await query.orderBy(CHRONOLOGICAL.orderBy(backwards)).limit(q.limit).execute();
    const ids = rows.map((r) => r.id);
    return backwards ? ids.reverse() : ids;
  }

  private steps(key: SessionKey, rootIds: string[]): Promise<ThreadStep[]> {
    return this.db
      .selectFrom('aibridge_interceptions as x')
      .select([
        'x.id',
        sql<string>`COALESCE(x.thread_root_id, x.id)`.as('thread_id'),
        'x.provider',
        'x.model',
        dbTime('x.started_at').as('started_at'),
        dbTime('x.ended_at').as('ended_at'),
        'x.cost_micros',
      ])
      .where('x.session_id', '=', key.sessionId)
      .where('x.initiator_id', '=', key.initiatorId)
      .where('x.ended_at', 'is not', null)
      .where((eb) => eb.or([eb('x.id', 'in', rootIds), eb('x.thread_root_id', 'in', rootIds)]))
      .orderBy('x.started_at')
      .orderBy('x.id')
      .execute();
  }
}
