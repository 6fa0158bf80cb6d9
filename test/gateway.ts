import { afterAll, beforeEach, vi } from 'vitest';
import type { Config } from '../src/config.js';
import type { Database } from '../src/db/database.js';
import type {
  InterceptionRow,
  ModelThoughtRow,
  TokenUsageRow,
  ToolUsageRow,
  UserPromptRow,
} from '../src/db/schema/index.js';
import { FakeUpstream } from './fake-upstream.js';
import type { TestServer } from './server.js';

/**
 * A fake upstream for the whole test file (call at its top level): closed after the file's tests
 * and reset before each one, so no test sees another's queued replies or received requests.
 */
export async function useFakeUpstream(): Promise<FakeUpstream> {
  const upstream = await FakeUpstream.start();
  afterAll(() => upstream.close());
  beforeEach(() => upstream.reset());
  return upstream;
}

/** An OpenAI chat completion as a fake upstream answers it (3 prompt and 1 completion tokens). */
export const CHAT_COMPLETION = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1 },
};
/** {@link CHAT_COMPLETION} as the bytes the upstream sends and the client must receive. */
export const CHAT_ANSWER = JSON.stringify(CHAT_COMPLETION);
/** A streamed chat completion: one content chunk, then the usage chunk (4 and 2 tokens) aibridge asks for. */
export const CHAT_STREAM = [
  'data: {"id":"chatcmpl-2","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n',
  'data: {"id":"chatcmpl-2","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":4,"completion_tokens":2}}\n\n',
  'data: [DONE]\n\n',
].join('');
/** What the client sees of {@link CHAT_STREAM}: it asked for no usage, so the chunk aibridge asked for is hidden. */
export const CHAT_STREAM_SEEN = CHAT_STREAM.replace(/data: [^\n]*"usage"[^\n]*\n\n/, '');

/** Provider keys the gateway is configured with in tests; they must reach the fake upstream only. */
export const OPENAI_KEY = 'sk-openai-upstream-test-key';
export const ANTHROPIC_KEY = 'sk-ant-upstream-test-key';

/** The key sealing provider keys in tests (so nothing is generated into the working directory). */
export const TEST_SECRET_KEY = Buffer.alloc(32, 7);

/** Server settings that send both providers to the fake upstream. */
export function gatewayOverrides(upstream: FakeUpstream, extra: Partial<Config> = {}): Partial<Config> {
  return {
    secretKey: TEST_SECRET_KEY,
    openai: { baseUrl: `${upstream.url}/v1/`, key: OPENAI_KEY },
    anthropic: { baseUrl: `${upstream.url}/`, key: ANTHROPIC_KEY },
    ...extra,
  };
}

/** How a test calls a gateway route. */
export interface GatewayCall {
  method?: string;
  /** The aibridge token (the owner's unless given; null sends none). */
  token?: string | null;
  /** Send the token as `X-Api-Key` (Anthropic style) instead of `Authorization: Bearer`. */
  asApiKey?: boolean;
  json?: unknown;
  body?: string | Buffer;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Calls `/api/v2/aibridge<path>` on the test server. */
export function callGateway(server: TestServer, path: string, call: GatewayCall = {}): Promise<Response> {
  const headers = new Headers(call.headers);
  const token = call.token === undefined ? server.ownerToken : call.token;
  if (token !== null) {
    if (call.asApiKey) headers.set('x-api-key', token);
    else headers.set('authorization', `Bearer ${token}`);
  }
  if (call.json !== undefined && !headers.has('content-type'))
    headers.set('content-type', 'application/json');
  return fetch(`${server.url}/api/v2/aibridge${path}`, {
    method: call.method ?? 'POST',
    headers,
    body: call.json !== undefined ? JSON.stringify(call.json) : call.body,
    signal: call.signal,
  });
}

/** Everything recorded for one interception. */
export interface Recorded {
  interception: InterceptionRow;
  tokens: TokenUsageRow[];
  prompts: UserPromptRow[];
  tools: ToolUsageRow[];
  thoughts: ModelThoughtRow[];
}

/**
 * Waits until the interception has ended (its child rows are committed in the same or an
 * earlier transaction) and returns every row recorded for it.
 */
export async function waitForRecording(db: Database, id: string, timeoutMs = 30_000): Promise<Recorded> {
  const interception = await vi.waitFor(
    async () => {
      const row = await db.kysely
        .selectFrom('aibridge_interceptions')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row?.ended_at) throw new Error(`interception ${id} did not end within ${timeoutMs} ms`);
      return row;
    },
    { timeout: timeoutMs, interval: 20 },
  );
  const [tokens, prompts, tools, thoughts] = await Promise.all([
    db.kysely
      .selectFrom('aibridge_token_usages')
      .selectAll()
      .where('interception_id', '=', id)
      .orderBy('created_at')
      .execute(),
    db.kysely
      .selectFrom('aibridge_user_prompts')
      .selectAll()
      .where('interception_id', '=', id)
      .orderBy('created_at')
      .execute(),
    db.kysely
      .selectFrom('aibridge_tool_usages')
      .selectAll()
      .where('interception_id', '=', id)
      .orderBy('created_at')
      .execute(),
    db.kysely
      .selectFrom('aibridge_model_thoughts')
      .selectAll()
      .where('interception_id', '=', id)
      .orderBy('created_at')
      .execute(),
  ]);
  return { interception, tokens, prompts, tools, thoughts };
}

/** Everything recorded for every interception, oldest first, once each has ended. */
export async function waitForAllRecordings(db: Database): Promise<Recorded[]> {
  const rows = await db.kysely
    .selectFrom('aibridge_interceptions')
    .select('id')
    .orderBy('started_at')
    .execute();
  return Promise.all(rows.map((r) => waitForRecording(db, r.id)));
}

/** The interception id a gateway response carries. */
export function interceptionId(res: Response): string {
  const id = res.headers.get('x-aibridge-interception-id');
  if (!id) throw new Error(`no interception id on a ${res.status} response`);
  return id;
}

/** Sums a field over token rows. */
export function total(
  rows: TokenUsageRow[],
  field: 'input_tokens' | 'output_tokens' | 'cache_read_input_tokens' | 'cache_write_input_tokens',
): number {
  return rows.reduce((sum, row) => sum + Number(row[field]), 0);
}
