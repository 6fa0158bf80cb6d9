import { z } from 'zod';
import type { JsonObject } from '../../db/schema/index.js';
import type { TokenUsageRecord } from '../../store/records.js';
import type { ThreadPage, ThreadRecord, ThreadStep } from '../../store/session-threads.js';
import type { SessionRecord } from '../../store/sessions.js';
import {
  costSumFields,
  goTime,
  hiddenByPolicy,
  MinimalUserView,
  metadata,
  minimalUserView,
  time,
  tokenCountFields,
} from './aibridge.js';

/** Token totals of a thread, a step or the session, with summed numeric metadata (reference shape). */
const ThreadTokenUsageView = z
  .object({
    ...tokenCountFields,
    metadata: z
      .record(z.string(), z.int())
      .describe('Sums of the numeric token-usage metadata, nested keys joined with dots.'),
    ...costSumFields,
  })
  .meta({ id: 'AIBridgeSessionThreadsTokenUsage' });

/** One piece of model thinking, as the reference nests it under an agentic action. */
const ModelThoughtView = z.object({ text: z.string() }).meta({ id: 'AIBridgeModelThought' });

/** A tool call inside an agentic action (the reference's shape, plus invocation_error for injected tools). */
const ToolCallView = z
  .object({
    id: z.uuid(),
    interception_id: z.uuid(),
    provider_response_id: z.string(),
    server_url: z.string(),
    tool: z.string(),
    injected: z.boolean(),
    input: z.string(),
    input_hidden: hiddenByPolicy,
    invocation_error: z
      .string()
      .optional()
      .describe(
        'aibridge addition: why the invocation of an injected tool failed; omitted when it did not (always for client-side tools).',
      ),
    metadata,
    created_at: time,
  })
  .meta({ id: 'AIBridgeToolCall' });

/** One tool-calling step of a thread: its model, tokens, thinking and calls. */
const AgenticActionView = z
  .object({
    model: z.string(),
    token_usage: ThreadTokenUsageView,
    thinking: z.array(ModelThoughtView),
    tool_calls: z.array(ToolCallView),
  })
  .meta({ id: 'AIBridgeAgenticAction' });

/** One thread: the human prompt and its agentic loop. */
const ThreadView = z
  .object({
    id: z.uuid().describe('The id of the thread’s root interception.'),
    prompt: z.string().optional(),
    prompt_hidden: hiddenByPolicy,
    model: z.string(),
    provider: z.string(),
    started_at: time,
    ended_at: time.optional(),
    token_usage: ThreadTokenUsageView,
    agentic_actions: z.array(AgenticActionView),
  })
  .meta({ id: 'AIBridgeThread' });

/** The session detail response: the whole session's header and one page of threads. */
export const SessionThreadsView = z
  .object({
    id: z.string(),
    initiator: MinimalUserView,
    providers: z.array(z.string()),
    models: z.array(z.string()),
    client: z.string().optional(),
    metadata,
    page_started_at: time.optional(),
    page_ended_at: time.optional(),
    started_at: time,
    ended_at: time.optional(),
    last_active_at: time,
    token_usage_summary: ThreadTokenUsageView.describe('Totals over every thread of the session.'),
    threads: z.array(ThreadView),
  })
  .meta({ id: 'AIBridgeSessionThreadsResponse' });

type ThreadTokenUsage = z.infer<typeof ThreadTokenUsageView>;

/** The session detail: the whole session's header and one page of its threads. */
export function sessionThreadsView(
  session: SessionRecord,
  page: ThreadPage,
  sessionTokenMetadata: JsonObject[],
): z.infer<typeof SessionThreadsView> {
  const steps = page.threads.flatMap((t) => t.steps);
  const pageStart = steps.map((s) => s.started_at).sort()[0];
  const pageEnd = steps
    .flatMap((s) => (s.ended_at ? [s.ended_at] : []))
    .sort()
    .at(-1);
  return {
    id: session.id,
    initiator: minimalUserView(session.initiator),
    providers: session.providers ?? [],
    models: session.models ?? [],
    ...(session.client ? { client: session.client } : {}),
    metadata: session.metadata,
    ...(pageStart ? { page_started_at: goTime(pageStart) } : {}),
    ...(pageEnd ? { page_ended_at: goTime(pageEnd) } : {}),
    started_at: goTime(session.started_at),
    ...(session.ended_at ? { ended_at: goTime(session.ended_at) } : {}),
    last_active_at: goTime(session.last_active_at),
    token_usage_summary: {
      input_tokens: session.input_tokens,
      output_tokens: session.output_tokens,
      cache_read_input_tokens: session.cache_read_input_tokens,
      cache_write_input_tokens: session.cache_write_input_tokens,
      metadata: sumMetadata(sessionTokenMetadata),
      cost_micros: session.cost_micros,
      unpriced_interceptions: session.unpriced_interceptions,
    },
    threads: page.threads.map((thread) => threadView(thread, page)),
  };
}

function threadView(thread: ThreadRecord, page: ThreadPage): z.infer<typeof ThreadView> {
  const root = thread.steps.find((s) => s.id === thread.id) ?? thread.steps[0];
  const prompt = root ? page.userPrompts.get(root.id)?.[0] : undefined;
  const ended = thread.steps.flatMap((s) => (s.ended_at ? [s.ended_at] : [])).sort();
  const startedAt = thread.steps.map((s) => s.started_at).sort()[0];
  const tokensOf = (id: string) => page.tokenUsages.get(id) ?? [];
  return {
    id: thread.id,
    ...(prompt ? { prompt: prompt.prompt } : {}),
    model: root?.model ?? '',
    provider: root?.provider ?? '',
    started_at: startedAt ? goTime(startedAt) : '',
    ...(ended.length > 0 ? { ended_at: goTime(ended.at(-1) as string) } : {}),
    token_usage: sumTokens(
      thread.steps.flatMap((s) => tokensOf(s.id)),
      thread.steps,
    ),
    agentic_actions: thread.steps.flatMap((step) => {
      const tools = page.toolUsages.get(step.id) ?? [];
      if (tools.length === 0) return [];
      return [
        {
          model: step.model,
          token_usage: sumTokens(tokensOf(step.id), [step]),
          thinking: (page.modelThoughts.get(step.id) ?? []).map((t) => ({ text: t.content })),
          tool_calls: tools.map((t) => ({
            id: t.id,
            interception_id: t.interception_id,
            provider_response_id: t.provider_response_id,
            server_url: t.server_url ?? '',
            tool: t.tool,
            injected: t.injected,
            input: t.input,
            ...(t.invocation_error ? { invocation_error: t.invocation_error } : {}),
            metadata: t.metadata,
            created_at: goTime(t.created_at),
          })),
        },
      ];
    }),
  };
}

/** Token sums of some steps' rows, and their cost: priced steps summed, unpriced ones counted. */
function sumTokens(rows: TokenUsageRecord[], steps: readonly ThreadStep[]): ThreadTokenUsage {
  const total = {
    input_tokens: 0,
    output_tokens: 0,
    cache_read_input_tokens: 0,
    cache_write_input_tokens: 0,
  };
  for (const row of rows) {
    total.input_tokens += row.input_tokens;
    total.output_tokens += row.output_tokens;
    total.cache_read_input_tokens += row.cache_read_input_tokens;
    total.cache_write_input_tokens += row.cache_write_input_tokens;
  }
  let cost = 0;
  let unpriced = 0;
  for (const step of steps) {
    if (step.cost_micros === null) unpriced++;
    else cost += Number(step.cost_micros);
  }
  return {
    ...total,
    metadata: sumMetadata(rows.flatMap((r) => (r.metadata ? [r.metadata] : []))),
    cost_micros: cost,
    unpriced_interceptions: unpriced,
  };
}

/**
 * Key-wise sums of the integer leaves of token-usage metadata, nested objects flattened with
 * dots (`{"cache": {"read": 10}}` → `cache.read`); strings, booleans, arrays and nulls are
 * skipped, as the reference does. Keys come out sorted, as Go encodes maps.
 */
function sumMetadata(objects: JsonObject[]): Record<string, number> {
  const sums = new Map<string, number>();
  const walk = (prefix: string, object: JsonObject) => {
    for (const [key, value] of Object.entries(object)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (typeof value === 'number') {
        if (Number.isInteger(value)) sums.set(path, (sums.get(path) ?? 0) + value);
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        walk(path, value as JsonObject);
      }
    }
  };
  for (const object of objects) walk('', object);
  return Object.fromEntries([...sums].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
