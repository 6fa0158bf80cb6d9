import { type ModelTurn, providerId, type TurnUsage } from '../model.js';
import { chunkChars, chunkText, epochSeconds, sse } from './chunks.js';

interface ChatCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

function calls(turn: ModelTurn): ChatCall[] {
  return turn.calls.map((call) => ({
    id: providerId('call_'),
    type: 'function',
    function: {
      name: call.name,
      arguments: typeof call.input === 'string' ? call.input : JSON.stringify(call.input),
    },
  }));
}

function usageJson(usage: TurnUsage) {
  const prompt = usage.input + usage.cacheRead;
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.output,
    total_tokens: prompt + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

const finishReason = (turn: ModelTurn) => (turn.calls.length > 0 ? 'tool_calls' : 'stop');

/** A blocking Chat Completions answer (OpenAI counts cached tokens inside prompt_tokens). */
export function chatCompletion(model: string, turn: ModelTurn, usage: TurnUsage): unknown {
  const toolCalls = calls(turn);
  return {
    id: providerId('chatcmpl-', 29),
    object: 'chat.completion',
    created: epochSeconds(),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: turn.text ?? null,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          annotations: [],
        },
        logprobs: null,
        finish_reason: finishReason(turn),
      },
    ],
    usage: usageJson(usage),
    service_tier: 'default',
    system_fingerprint: 'fp_demo',
  };
}

/**
 * The same answer as chunks: the role, content pieces, each tool call announced with its id
 * and name then its arguments in fragments, the finish reason, and — when the request asked
 * for it with `stream_options.include_usage` — a last chunk with no choices and the usage.
 */
export function chatEvents(
  model: string,
  turn: ModelTurn,
  usage: TurnUsage,
  includeUsage: boolean,
): string[] {
  const id = providerId('chatcmpl-', 29);
  const created = epochSeconds();
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    sse(null, {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: 'fp_demo',
      choices,
      ...extra,
    });
  const delta = (d: Record<string, unknown>, finish: string | null = null) => ({
    index: 0,
    delta: d,
    logprobs: null,
    finish_reason: finish,
  });
  const events = [chunk([delta({ role: 'assistant', content: '', refusal: null })])];
  for (const piece of chunkText(turn.text ?? '')) events.push(chunk([delta({ content: piece })]));
  calls(turn).forEach((call, index) => {
    events.push(
      chunk([
        delta({
          tool_calls: [
            { index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } },
          ],
        }),
      ]),
    );
    for (const piece of chunkChars(call.function.arguments)) {
      events.push(chunk([delta({ tool_calls: [{ index, function: { arguments: piece } }] })]));
    }
  });
  events.push(chunk([delta({}, finishReason(turn))]));
  if (includeUsage) events.push(chunk([], { usage: usageJson(usage) }));
  events.push(sse(null, '[DONE]'));
  return events;
}
