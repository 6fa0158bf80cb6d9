import { type ModelTurn, providerId, type TurnUsage } from '../model.js';
import { chunkChars, chunkText, sse } from './chunks.js';

type Block =
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

function blocks(turn: ModelTurn): Block[] {
  const all: Block[] = [];
  if (turn.thinking) all.push({ type: 'thinking', thinking: turn.thinking, signature: providerId('Eq', 48) });
  if (turn.text) all.push({ type: 'text', text: turn.text });
  for (const call of turn.calls) {
    all.push({ type: 'tool_use', id: providerId('toolu_01'), name: call.name, input: call.input });
  }
  return all;
}

function usageJson(usage: TurnUsage, output: number) {
  return {
    input_tokens: usage.input,
    cache_creation_input_tokens: usage.cacheWrite,
    cache_read_input_tokens: usage.cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: usage.cacheWrite, ephemeral_1h_input_tokens: 0 },
    output_tokens: output,
    service_tier: 'standard',
  };
}

const stopReason = (turn: ModelTurn) => (turn.calls.length > 0 ? 'tool_use' : 'end_turn');

/** A blocking Anthropic Messages response. */
export function anthropicMessage(model: string, turn: ModelTurn, usage: TurnUsage): unknown {
  return {
    id: providerId('msg_01'),
    type: 'message',
    role: 'assistant',
    model,
    content: blocks(turn),
    stop_reason: stopReason(turn),
    stop_sequence: null,
    usage: usageJson(usage, usage.output),
  };
}

/**
 * The same answer as Anthropic streams it: message_start (input and cache usage), a ping,
 * each content block as start / deltas / stop (thinking with its signature, text, tool input
 * as partial JSON), message_delta with the cumulative output count, message_stop.
 */
export function anthropicEvents(model: string, turn: ModelTurn, usage: TurnUsage): string[] {
  const message = anthropicMessage(model, turn, usage) as { id: string; content: Block[] };
  const events = [
    sse('message_start', {
      type: 'message_start',
      message: {
        ...message,
        content: [],
        stop_reason: null,
        usage: usageJson(usage, 1),
      },
    }),
    sse('ping', { type: 'ping' }),
  ];
  message.content.forEach((block, index) => {
    const start =
      block.type === 'thinking'
        ? { type: 'thinking', thinking: '', signature: '' }
        : block.type === 'text'
          ? { type: 'text', text: '' }
          : { type: 'tool_use', id: block.id, name: block.name, input: {} };
    events.push(sse('content_block_start', { type: 'content_block_start', index, content_block: start }));
    const deltas =
      block.type === 'thinking'
        ? [
            ...chunkText(block.thinking).map((thinking) => ({ type: 'thinking_delta', thinking })),
            { type: 'signature_delta', signature: block.signature },
          ]
        : block.type === 'text'
          ? chunkText(block.text).map((text) => ({ type: 'text_delta', text }))
          : chunkChars(JSON.stringify(block.input)).map((partial_json) => ({
              type: 'input_json_delta',
              partial_json,
            }));
    for (const delta of deltas) {
      events.push(sse('content_block_delta', { type: 'content_block_delta', index, delta }));
    }
    events.push(sse('content_block_stop', { type: 'content_block_stop', index }));
  });
  events.push(
    sse('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason(turn), stop_sequence: null },
      usage: usageJson(usage, usage.output),
    }),
    sse('message_stop', { type: 'message_stop' }),
  );
  return events;
}
