import type { RecordSink, TokenCounts } from '../sink.js';
import { argumentsText, count, isRecord, type JsonRecord, list, record, text } from '../values.js';

/**
 * One token row from a Chat Completions `usage`: OpenAI counts cached prompt tokens inside
 * `prompt_tokens`, so they are taken out of input once and reported as cache reads.
 */
export function chatTokens(providerResponseId: string, usage: JsonRecord): TokenCounts {
  const prompt = record(usage, 'prompt_tokens_details');
  const completion = record(usage, 'completion_tokens_details');
  const cached = count(prompt.cached_tokens);
  return {
    providerResponseId,
    input: Math.max(0, count(usage.prompt_tokens) - cached),
    output: count(usage.completion_tokens),
    cacheRead: cached,
    cacheWrite: 0,
    metadata: {
      prompt_audio: count(prompt.audio_tokens),
      prompt_cached: cached,
      completion_accepted_prediction: count(completion.accepted_prediction_tokens),
      completion_rejected_prediction: count(completion.rejected_prediction_tokens),
      completion_audio: count(completion.audio_tokens),
      completion_reasoning: count(completion.reasoning_tokens),
    },
  };
}

/** Reports the tool calls of complete choices (`message.tool_calls` of a blocking response). */
export function reportToolCalls(providerResponseId: string, choices: unknown, sink: RecordSink): void {
  for (const choice of list(choices)) {
    for (const call of list(record(choice, 'message').tool_calls)) {
      if (!isRecord(call)) continue;
      const fn = record(call, 'function');
      sink.tool({
        providerResponseId,
        callId: text(call.id),
        name: text(fn.name) ?? '',
        input: argumentsText(
          typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {}),
        ),
      });
    }
  }
}
