import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type {
  NewInterception,
  NewModelThought,
  NewTokenUsage,
  NewToolUsage,
  NewUserPrompt,
  Schema,
} from '../src/db/schema/index.js';

/** One upstream response's token counts. */
export interface SeedTokens {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/** A tool call the model made in an interception. */
export interface SeedTool {
  tool: string;
  input: unknown;
  injected?: boolean;
  error?: string;
  callId?: string;
}

/** An interception as a test describes it; everything but who and when has a default. */
export interface SeedInterception {
  id?: string;
  initiatorId: string;
  provider?: string;
  model?: string;
  client?: string | null;
  clientSessionId?: string | null;
  threadRootId?: string | null;
  threadParentId?: string | null;
  startedAt: Date;
  /** Defaults to two seconds after the start; null leaves it in flight. */
  endedAt?: Date | null;
  tokens?: SeedTokens[];
  prompt?: string;
  tools?: SeedTool[];
  thinking?: string[];
  metadata?: Record<string, unknown>;
}

const CHUNK = 1000;

/**
 * Writes interceptions and their token, prompt, tool and thought rows straight into the
 * database in multi-row batches — the shape the recorder produces — for tests that need
 * data before (or without) traffic through the gateway. Returns the interception ids.
 */
export async function seedInterceptions(db: Kysely<Schema>, specs: SeedInterception[]): Promise<string[]> {
  const interceptions: NewInterception[] = [];
  const tokens: NewTokenUsage[] = [];
  const prompts: NewUserPrompt[] = [];
  const tools: NewToolUsage[] = [];
  const thoughts: NewModelThought[] = [];
  for (const spec of specs) {
    const id = spec.id ?? randomUUID();
    const endedAt = spec.endedAt === undefined ? new Date(spec.startedAt.getTime() + 2000) : spec.endedAt;
    const at = (offsetMs: number) => new Date(spec.startedAt.getTime() + offsetMs);
    const responseId = `resp_${id.slice(0, 8)}`;
    interceptions.push({
      id,
      initiator_id: spec.initiatorId,
      api_key_id: null,
      provider: spec.provider ?? 'anthropic',
      model: spec.model ?? 'claude-sonnet-4-5',
      client: spec.client === undefined ? 'Claude Code' : spec.client,
      client_session_id: spec.clientSessionId ?? null,
      thread_root_id: spec.threadRootId ?? null,
      thread_parent_id: spec.threadParentId ?? null,
      metadata: spec.metadata ?? {},
      started_at: spec.startedAt,
      ended_at: endedAt,
    });
    if (spec.prompt !== undefined) {
      prompts.push({
        id: randomUUID(),
        interception_id: id,
        provider_response_id: responseId,
        prompt: spec.prompt,
        metadata: {},
        created_at: at(1),
      });
    }
    for (const [index, usage] of (spec.tokens ?? []).entries()) {
      tokens.push({
        id: randomUUID(),
        interception_id: id,
        provider_response_id: responseId,
        input_tokens: usage.input,
        output_tokens: usage.output,
        cache_read_input_tokens: usage.cacheRead ?? 0,
        cache_write_input_tokens: usage.cacheWrite ?? 0,
        metadata: {},
        created_at: at(1000 + index),
      });
    }
    for (const [index, tool] of (spec.tools ?? []).entries()) {
      tools.push({
        id: randomUUID(),
        interception_id: id,
        provider_response_id: responseId,
        provider_tool_call_id: tool.callId ?? `toolu_${randomUUID().slice(0, 12)}`,
        server_url: tool.injected ? 'http://mcp.local/mcp' : null,
        tool: tool.tool,
        input: typeof tool.input === 'string' ? tool.input : JSON.stringify(tool.input),
        injected: tool.injected ?? false,
        invocation_error: tool.error ?? null,
        metadata: {},
        created_at: at(1500 + index),
      });
    }
    for (const [index, content] of (spec.thinking ?? []).entries()) {
      thoughts.push({ interception_id: id, content, metadata: {}, created_at: at(500 + index) });
    }
  }
  for (const rows of chunks(interceptions))
    await db.insertInto('aibridge_interceptions').values(rows).execute();
  for (const rows of chunks(tokens)) await db.insertInto('aibridge_token_usages').values(rows).execute();
  for (const rows of chunks(prompts)) await db.insertInto('aibridge_user_prompts').values(rows).execute();
  for (const rows of chunks(tools)) await db.insertInto('aibridge_tool_usages').values(rows).execute();
  for (const rows of chunks(thoughts)) await db.insertInto('aibridge_model_thoughts').values(rows).execute();
  return interceptions.map((row) => row.id);
}

function* chunks<T>(rows: T[]): Generator<T[]> {
  for (let start = 0; start < rows.length; start += CHUNK) yield rows.slice(start, start + CHUNK);
}
