import { type Kysely, sql } from 'kysely';
import type { JsonObject, Schema } from '../db/schema/index.js';
import type { InterceptionFilter } from '../search/filters.js';
import { countFromCounters } from './activity-counts.js';
import { interceptionMatches } from './conditions.js';
import { Keyset, type Page } from './pagination.js';
import {
  byInterception,
  InterceptionRecords,
  type TokenUsageRecord,
  type ToolUsageRecord,
  type UserPromptRecord,
} from './records.js';
import { type Scope, visibleTo } from './scope.js';
import { type DbTime, dbTime } from './timestamps.js';

/** Who started an interception, as lists show them. */
export interface InitiatorRecord {
  id: string;
  username: string;
  name: string;
  avatar_url: string;
}

/** An interception with its initiator and everything recorded under it. */
export interface InterceptionRecord {
  id: string;
  api_key_id: string | null;
  initiator: InitiatorRecord;
  provider: string;
  model: string;
  client: string | null;
  metadata: JsonObject | null;
  started_at: DbTime;
  ended_at: DbTime | null;
  cost_micros: number | null;
  token_usages: TokenUsageRecord[];
  user_prompts: UserPromptRecord[];
  tool_usages: ToolUsageRecord[];
}

/** A page of the interceptions list: filter, scope, size, and an `after_id` cursor or an offset. */
export interface InterceptionListQuery extends Page {
  filter: InterceptionFilter;
  scope: Scope;
  afterId?: string | undefined;
}

/** Newest first; ties on start time broken by id, so every row has one place. */
const NEWEST_FIRST = new Keyset(['i.started_at', 'i.id'], 'desc');

/** Reads ended interceptions for the interceptions endpoint and the CLI. */
export class InterceptionStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Whether an interception exists and the caller may see it (cursors must be both). */
  async isVisible(id: string, scope: Scope): Promise<boolean> {
    const row = await this.db
      .selectFrom('aibridge_interceptions as i')
      .select('i.id')
      .where('i.id', '=', id)
      .where(visibleTo(scope, 'i'))
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * How many interceptions match, whatever the page: from the per-initiator counters when
   * they answer the filter (no time range, at most one provider/model/client), else counted.
   */
  async count(filter: InterceptionFilter, scope: Scope): Promise<number> {
    const counted = await countFromCounters(this.db, 'interceptions', filter, scope);
    if (counted !== undefined) return counted;
    const row = await this.db
      .selectFrom('aibridge_interceptions as i')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where(interceptionMatches('i', filter, scope))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** One page, newest first, with sub-resources attached in creation order. */
  async list(q: InterceptionListQuery): Promise<InterceptionRecord[]> {
    let query = this.db
      .selectFrom('aibridge_interceptions as i')
      .innerJoin('users as u', 'u.id', 'i.initiator_id')
      .select([
        'i.id',
        'i.api_key_id',
        'i.provider',
        'i.model',
        'i.client',
        'i.metadata',
        dbTime('i.started_at').as('started_at'),
        dbTime('i.ended_at').as('ended_at'),
        'i.cost_micros',
        'u.id as user_id',
        'u.username',
        'u.name',
        'u.avatar_url',
      ])
      .where(interceptionMatches('i', q.filter, q.scope));
    if (q.afterId !== undefined) {
      query = query.where(
        NEWEST_FIRST.after(
          sql`SELECT c.started_at, c.id FROM aibridge_interceptions c WHERE c.id = ${q.afterId}`,
        ),
      );
    }
    const rows = await query.orderBy(NEWEST_FIRST.orderBy()).limit(q.limit).offset(q.offset).execute();
    const ids = rows.map((r) => r.id);
    const records = new InterceptionRecords(this.db);
    const tokens = byInterception(await records.tokenUsages(ids));
    const prompts = byInterception(await records.userPrompts(ids));
    const tools = byInterception(await records.toolUsages(ids));
    return rows.map(({ user_id, username, name, avatar_url, ...row }) => ({
      ...row,
      initiator: { id: user_id, username, name, avatar_url },
      token_usages: tokens.get(row.id) ?? [],
      user_prompts: prompts.get(row.id) ?? [],
      tool_usages: tools.get(row.id) ?? [],
    }));
  }
}
