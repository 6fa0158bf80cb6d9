import { type ModelTurn, providerId, type TurnUsage } from '../model.js';
import { chunkChars, chunkText, epochSeconds, sse } from './chunks.js';

type Item = Record<string, unknown> & { type: string; id: string };

/**
 * Output items in the order a reasoning model emits them: a reasoning item with its summary,
 * a commentary message before tool calls (or the final answer), then the calls — function
 * calls with JSON arguments, custom tool calls (Codex's apply_patch) with raw text.
 */
function items(turn: ModelTurn): Item[] {
  const all: Item[] = [];
  if (turn.thinking) {
    all.push({
      id: providerId('rs_'),
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: turn.thinking }],
      encrypted_content: providerId('gAAAA', 64),
    });
  }
  if (turn.text) {
    all.push({
      id: providerId('msg_'),
      type: 'message',
      status: 'completed',
      role: 'assistant',
      ...(turn.calls.length > 0 ? { phase: 'commentary' } : {}),
      content: [{ type: 'output_text', text: turn.text, annotations: [], logprobs: [] }],
    });
  }
  for (const call of turn.calls) {
    all.push(
      typeof call.input === 'string'
        ? {
            id: providerId('ctc_'),
            type: 'custom_tool_call',
            status: 'completed',
            call_id: providerId('call_'),
            name: call.name,
            input: call.input,
          }
        : {
            id: providerId('fc_'),
            type: 'function_call',
            status: 'completed',
            call_id: providerId('call_'),
            name: call.name,
            arguments: JSON.stringify(call.input),
          },
    );
  }
  return all;
}

/** A blocking Responses API answer. */
export function responsesObject(model: string, turn: ModelTurn, usage: TurnUsage): Record<string, unknown> {
  const prompt = usage.input + usage.cacheRead;
  return {
    id: providerId('resp_', 32),
    object: 'response',
    created_at: epochSeconds(),
    status: 'completed',
    error: null,
    incomplete_details: null,
    model,
    output: items(turn),
    parallel_tool_calls: true,
    store: false,
    usage: {
      input_tokens: prompt,
      input_tokens_details: { cached_tokens: usage.cacheRead },
      output_tokens: usage.output,
      output_tokens_details: { reasoning_tokens: usage.reasoning },
      total_tokens: prompt + usage.output,
    },
  };
}

/**
 * The same answer as the Responses API streams it: created / in_progress, each item as
 * added → deltas → done (reasoning summary text, output text, function arguments, custom tool
 * input), then response.completed repeating the whole response with its usage.
 */
export function responsesEvents(model: string, turn: ModelTurn, usage: TurnUsage): string[] {
  const response = responsesObject(model, turn, usage);
  const output = response.output as Item[];
  let sequence = 0;
  const event = (type: string, fields: Record<string, unknown>) =>
    sse(type, { type, sequence_number: sequence++, ...fields });
  const pending = { ...response, status: 'in_progress', output: [], usage: null };
  const events = [
    event('response.created', { response: pending }),
    event('response.in_progress', { response: pending }),
  ];
  output.forEach((item, output_index) => {
    const at = { item_id: item.id, output_index };
    events.push(event('response.output_item.added', { output_index, item: emptied(item) }));
    if (item.type === 'reasoning') {
      const text = (item.summary as Array<{ text: string }>)[0]?.text ?? '';
      const part = { type: 'summary_text', text: '' };
      events.push(event('response.reasoning_summary_part.added', { ...at, summary_index: 0, part }));
      for (const delta of chunkText(text)) {
        events.push(event('response.reasoning_summary_text.delta', { ...at, summary_index: 0, delta }));
      }
      events.push(event('response.reasoning_summary_text.done', { ...at, summary_index: 0, text }));
      events.push(
        event('response.reasoning_summary_part.done', { ...at, summary_index: 0, part: { ...part, text } }),
      );
    } else if (item.type === 'message') {
      const text = (item.content as Array<{ text: string }>)[0]?.text ?? '';
      const part = { type: 'output_text', text: '', annotations: [] };
      events.push(event('response.content_part.added', { ...at, content_index: 0, part }));
      for (const delta of chunkText(text)) {
        events.push(event('response.output_text.delta', { ...at, content_index: 0, delta, logprobs: [] }));
      }
      events.push(event('response.output_text.done', { ...at, content_index: 0, text, logprobs: [] }));
      events.push(event('response.content_part.done', { ...at, content_index: 0, part: { ...part, text } }));
    } else if (item.type === 'function_call') {
      const args = String(item.arguments);
      for (const delta of chunkChars(args)) {
        events.push(event('response.function_call_arguments.delta', { ...at, delta }));
      }
      events.push(event('response.function_call_arguments.done', { ...at, arguments: args }));
    } else if (item.type === 'custom_tool_call') {
      const input = String(item.input);
      for (const delta of chunkChars(input, 40)) {
        events.push(event('response.custom_tool_call_input.delta', { ...at, delta }));
      }
      events.push(event('response.custom_tool_call_input.done', { ...at, input }));
    }
    events.push(event('response.output_item.done', { output_index, item }));
  });
  events.push(event('response.completed', { response }));
  return events;
}

/** An item as `output_item.added` announces it, before its content streams in. */
function emptied(item: Item): Item {
  switch (item.type) {
    case 'reasoning':
      return { ...item, summary: [] };
    case 'message':
      return { ...item, status: 'in_progress', content: [] };
    case 'function_call':
      return { ...item, status: 'in_progress', arguments: '' };
    default:
      return { ...item, status: 'in_progress', input: '' };
  }
}
