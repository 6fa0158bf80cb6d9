import { type Kysely, sql } from 'kysely';
import type {
  ModelThoughtRow,
  Schema,
  TokenUsageRow,
  ToolUsageRow,
  UserPromptRow,
} from '../db/schema/index.js';
import { type DbTime, dbTime } from './timestamps.js';

/** One upstream response's token counts. */
export type TokenUsageRecord = Stamped<TokenUsageRow>;

/** The human prompt an interception carried. */
export type UserPromptRecord = Stamped<UserPromptRow>;

/** A tool call the model made (its provider call id stays internal). */
export type ToolUsageRecord = Stamped<Omit<ToolUsageRow, 'provider_tool_call_id'>>;

/** Model thinking shown with an agentic step. */
export type ModelThoughtRecord = Stamped<Omit<ModelThoughtRow, 'metadata'>>;

/** A row whose creation time is read as microsecond text. */
type Stamped<Row extends { created_at: Date }> = Omit<Row, 'created_at'> & { created_at: DbTime };

/**
 * Reads the rows hanging off a set of interceptions, each kind in creation order, with one
 * query per kind (never one per interception).
 */
export class InterceptionRecords {
  constructor(private readonly db: Kysely<Schema>) {}

  async tokenUsages(ids: readonly string[]): Promise<TokenUsageRecord[]> {
    if (ids.length === 0) return [];
    return this.db
      .selectFrom('aibridge_token_usages as t')
      .select([
        't.id',
        't.interception_id',
        't.provider_response_id',
        't.input_tokens',
        't.output_tokens',
        't.cache_read_input_tokens',
        't.cache_write_input_tokens',
        't.metadata',
        't.cost_micros',
        't.price',
        dbTime('t.created_at').as('created_at'),
      ])
      .where('t.interception_id', 'in', ids)
      .orderBy('t.created_at')
      .orderBy('t.id')
      .execute();
  }

  async userPrompts(ids: readonly string[]): Promise<UserPromptRecord[]> {
    if (ids.length === 0) return [];
    return this.db
      .selectFrom('aibridge_user_prompts as p')
      .select([
        'p.id',
        'p.interception_id',
        'p.provider_response_id',
        'p.prompt',
        'p.metadata',
        dbTime('p.created_at').as('created_at'),
      ])
      .where('p.interception_id', 'in', ids)
      .orderBy('p.created_at')
      .orderBy('p.id')
      .execute();
  }

  async toolUsages(ids: readonly string[]): Promise<ToolUsageRecord[]> {
    if (ids.length === 0) return [];
    return this.db
      .selectFrom('aibridge_tool_usages as u')
      .select([
        'u.id',
        'u.interception_id',
        'u.provider_response_id',
        'u.server_url',
        'u.tool',
        'u.input',
        'u.injected',
        'u.invocation_error',
        'u.metadata',
        dbTime('u.created_at').as('created_at'),
      ])
      .where('u.interception_id', 'in', ids)
      .orderBy('u.created_at')
      .orderBy('u.id')
      .execute();
  }

  async modelThoughts(ids: readonly string[]): Promise<ModelThoughtRecord[]> {
    if (ids.length === 0) return [];
    return this.db
      .selectFrom('aibridge_model_thoughts as m')
      .select(['m.interception_id', 'm.content', dbTime('m.created_at').as('created_at')])
      .where('m.interception_id', 'in', ids)
      .orderBy('m.created_at')
      .orderBy(sql`m.ctid`)
      .execute();
  }
}

/** Groups records by their interception, keeping each group's order. */
export function byInterception<R extends { interception_id: string }>(
  records: readonly R[],
): Map<string, R[]> {
  const groups = new Map<string, R[]>();
  for (const record of records) {
    const group = groups.get(record.interception_id);
    if (group) group.push(record);
    else groups.set(record.interception_id, [record]);
  }
  return groups;
}
