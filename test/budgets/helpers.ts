import type { FakeUpstream, Responder } from '../fake-upstream.js';
import { stream } from '../fake-upstream.js';
import { callGateway, waitForRecording } from '../gateway.js';
import type { TestServer } from '../server.js';

/** Claude Sonnet 4.5's rates: $3 input, $15 output per million tokens. */
export const MODEL = 'claude-sonnet-4-5';
export const OUTPUT_TOKENS = 2000;
/** 10 input tokens at $3/M + 2,000 output tokens at $15/M, in micro-dollars. */
export const COST_MICROS = 10 * 3 + OUTPUT_TOKENS * 15;

/** A streamed Anthropic answer that reports 10 input and OUTPUT_TOKENS output tokens. */
export function messagesStream(delayMs = 0): Responder {
  const events = [
    `event: message_start\ndata: {"type":"message_start","message":{"id":"msg_b","type":"message","role":"assistant","content":[],"model":"${MODEL}","usage":{"input_tokens":10,"output_tokens":1}}}\n\n`,
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ok"}}\n\n',
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
    `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":${OUTPUT_TOKENS}}}\n\n`,
    'event: message_stop\ndata: {"type":"message_stop"}\n\n',
  ];
  return stream(events.join(''), { delayMs });
}

/** Sends one streamed Messages request as `token`; resolves to its status, body and headers. */
export async function ask(server: TestServer, token: string) {
  const res = await callGateway(server, '/anthropic/v1/messages', {
    token,
    json: {
      model: MODEL,
      max_tokens: OUTPUT_TOKENS,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    },
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** Waits until every interception the server started has ended (so every cost is settled). */
export async function settled(server: TestServer, ids: string[]): Promise<void> {
  for (const id of ids) await waitForRecording(server.running.db, id);
}

/** Sets a budget through the API and returns its id. */
export async function setBudget(server: TestServer, body: Record<string, unknown>): Promise<string> {
  const res = await server.request('/api/v2/aibridge/budgets', { method: 'POST', json: body });
  if (res.status !== 201) throw new Error(`set budget: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** The settled spend of every budget period, in micro-dollars, straight from the counters. */
export async function spentMicros(server: TestServer, budgetId: string): Promise<number> {
  const rows = await server.running.db.kysely
    .selectFrom('aibridge_budget_usage')
    .select('spent_micros')
    .where('budget_id', '=', budgetId)
    .execute();
  return rows.reduce((sum, r) => sum + Number(r.spent_micros), 0);
}

/** Upstream answers every request with the streamed answer. */
export function answerAll(upstream: FakeUpstream, delayMs = 0): void {
  upstream.always(messagesStream(delayMs));
}
