import { z } from 'zod';
import type { InitiatorRecord, InterceptionRecord } from '../../store/interceptions.js';
import type { TokenUsageRecord, ToolUsageRecord, UserPromptRecord } from '../../store/records.js';
import type { SessionRecord } from '../../store/sessions.js';
import type { DbTime } from '../../store/timestamps.js';

/** Timestamps: RFC 3339 in UTC, fractional seconds up to microseconds without trailing zeros. */
export const time = z.iso.datetime().describe('RFC 3339, UTC, up to microseconds');
const count = z.int().min(0);
export const metadata = z
  .record(z.string(), z.unknown())
  .nullable()
  .describe('As recorded; null when none was.');

/** The reference's MinimalUser: who started an interception or a session. */
export const MinimalUserView = z
  .object({ id: z.uuid(), username: z.string(), name: z.string(), avatar_url: z.string() })
  .meta({ id: 'MinimalUser' });

/** The four token counters, cache reads and writes apart from plain input. */
export const tokenCountFields = {
  input_tokens: count,
  output_tokens: count,
  cache_read_input_tokens: count,
  cache_write_input_tokens: count,
};

/** Money in integer micro-dollars (1,000,000 = $1); null where the model had no price. */
const costMicros = z
  .int()
  .nullable()
  .describe('Cost in integer micro-dollars (1,000,000 = $1); null when the model has no price (unpriced).');

/** Cost totals of a group of interceptions: the priced ones summed, the unpriced ones counted. */
export const costSumFields = {
  cost_micros: z
    .int()
    .describe('Cost of the priced interceptions, in integer micro-dollars (1,000,000 = $1).'),
  unpriced_interceptions: count.describe(
    'Interceptions without a cost (their model has no price); not in cost_micros.',
  ),
};

/** Set (true) where the prompt policy withheld a prompt's or tool call's text from the caller. */
export const hiddenByPolicy = z
  .boolean()
  .optional()
  .describe('Present (true) when the prompt policy hides this text from the caller.');

/** Fields every record under an interception has. */
const recordFields = { id: z.uuid(), interception_id: z.uuid(), provider_response_id: z.string() };

const TokenUsageView = z
  .object({
    ...recordFields,
    ...tokenCountFields,
    metadata,
    cost_micros: costMicros,
    price: metadata.describe(
      'The rates the cost was computed with: source (package or override), origin, the matched model, per-million rates in micro-dollars, the long-context tier if one applied.',
    ),
    created_at: time,
  })
  .meta({ id: 'AIBridgeTokenUsage' });

const UserPromptView = z
  .object({
    ...recordFields,
    prompt: z.string(),
    prompt_hidden: hiddenByPolicy,
    metadata,
    created_at: time,
  })
  .meta({ id: 'AIBridgeUserPrompt' });

const ToolUsageView = z
  .object({
    ...recordFields,
    server_url: z.string().describe('Empty for tools the client defined.'),
    tool: z.string(),
    input: z.string().describe('JSON text of the arguments.'),
    input_hidden: hiddenByPolicy,
    injected: z.boolean(),
    invocation_error: z.string(),
    metadata,
    created_at: time,
  })
  .meta({ id: 'AIBridgeToolUsage' });

export const InterceptionView = z
  .object({
    id: z.uuid(),
    api_key_id: z.string().nullable(),
    initiator: MinimalUserView,
    provider: z.string(),
    model: z.string(),
    client: z.string().nullable(),
    metadata,
    started_at: time,
    ended_at: time.nullable(),
    cost_micros: costMicros.describe(
      'Sum of its token usages in integer micro-dollars, set when it ended; null when its model has no price or it has not ended.',
    ),
    token_usages: z.array(TokenUsageView),
    user_prompts: z.array(UserPromptView),
    tool_usages: z.array(ToolUsageView),
  })
  .meta({ id: 'AIBridgeInterception' });

export const InterceptionListView = z
  .object({ count, results: z.array(InterceptionView) })
  .meta({ id: 'AIBridgeListInterceptionsResponse' });

const SessionTokenSummaryView = z.object(tokenCountFields).meta({ id: 'AIBridgeSessionTokenUsageSummary' });

export const SessionView = z
  .object({
    id: z.string().describe('The client session id, else the thread root id, else the interception id.'),
    initiator: MinimalUserView,
    providers: z.array(z.string()),
    models: z.array(z.string()),
    client: z.string().nullable().describe('Client of the session’s first interception.'),
    metadata,
    started_at: time,
    ended_at: time.optional(),
    last_active_at: time.describe('Start of the session’s most recent interception; the list order.'),
    threads: count,
    token_usage_summary: SessionTokenSummaryView,
    ...costSumFields,
    last_prompt: z.string().optional(),
    last_prompt_hidden: hiddenByPolicy,
  })
  .meta({ id: 'AIBridgeSession' });

export const SessionListView = z
  .object({ count, sessions: z.array(SessionView) })
  .meta({ id: 'AIBridgeListSessionsResponse' });

/** The distinct values of GET /models and GET /clients. */
export const ValueListView = z.array(z.string());

/** Go's RFC3339Nano rendering: trailing zeros of the fraction dropped, the dot too if all zero. */
export function goTime(value: DbTime): string {
  return value.replace(/\.?0+Z$/, 'Z');
}

export function minimalUserView(user: InitiatorRecord): z.infer<typeof MinimalUserView> {
  return { id: user.id, username: user.username, name: user.name, avatar_url: user.avatar_url };
}

function tokenUsageView(row: TokenUsageRecord): z.infer<typeof TokenUsageView> {
  return { ...row, created_at: goTime(row.created_at) };
}

function userPromptView(row: UserPromptRecord): z.infer<typeof UserPromptView> {
  return { ...row, created_at: goTime(row.created_at) };
}

function toolUsageView(row: ToolUsageRecord): z.infer<typeof ToolUsageView> {
  return {
    ...row,
    server_url: row.server_url ?? '',
    invocation_error: row.invocation_error ?? '',
    created_at: goTime(row.created_at),
  };
}

export function interceptionView(row: InterceptionRecord): z.infer<typeof InterceptionView> {
  return {
    id: row.id,
    api_key_id: row.api_key_id,
    initiator: minimalUserView(row.initiator),
    provider: row.provider,
    model: row.model,
    client: row.client,
    metadata: row.metadata,
    started_at: goTime(row.started_at),
    ended_at: row.ended_at === null ? null : goTime(row.ended_at),
    cost_micros: row.cost_micros,
    token_usages: row.token_usages.map(tokenUsageView),
    user_prompts: row.user_prompts.map(userPromptView),
    tool_usages: row.tool_usages.map(toolUsageView),
  };
}

export function sessionView(row: SessionRecord): z.infer<typeof SessionView> {
  return {
    id: row.id,
    initiator: minimalUserView(row.initiator),
    providers: row.providers ?? [],
    models: row.models ?? [],
    client: row.client || null,
    metadata: row.metadata,
    started_at: goTime(row.started_at),
    ...(row.ended_at ? { ended_at: goTime(row.ended_at) } : {}),
    last_active_at: goTime(row.last_active_at),
    threads: row.threads,
    token_usage_summary: {
      input_tokens: row.input_tokens,
      output_tokens: row.output_tokens,
      cache_read_input_tokens: row.cache_read_input_tokens,
      cache_write_input_tokens: row.cache_write_input_tokens,
    },
    cost_micros: row.cost_micros,
    unpriced_interceptions: row.unpriced_interceptions,
    ...(row.last_prompt ? { last_prompt: row.last_prompt } : {}),
  };
}
