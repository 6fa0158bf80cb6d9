import type { RecordSink, TokenCounts } from '../sink.js';
import { argumentsText, count, isRecord, type JsonRecord, list, record, text } from '../values.js';

/**
 * Folds a later usage report into an earlier one. Anthropic's `message_delta` usage is
 * cumulative (it repeats the totals so far), so a field it carries replaces the earlier value
 * rather than adding to it: `output_tokens` 61 after a `message_start` of 5 means 61, not 66.
 */
export function mergeUsage(earlier: JsonRecord, later: JsonRecord): JsonRecord {
  const merged: JsonRecord = { ...earlier };
  for (const [key, value] of Object.entries(later)) {
    if (value === null || value === undefined) continue;
    merged[key] =
      isRecord(value) && isRecord(earlier[key]) ? mergeUsage(earlier[key] as JsonRecord, value) : value;
  }
  return merged;
}

/** One token row for one upstream message: input, output, cache read and cache write apart. */
export function messageTokens(providerResponseId: string, usage: JsonRecord): TokenCounts {
  const cacheCreation = record(usage, 'cache_creation');
  return {
    providerResponseId,
    input: count(usage.input_tokens),
    output: count(usage.output_tokens),
    cacheRead: count(usage.cache_read_input_tokens),
    cacheWrite: count(usage.cache_creation_input_tokens),
    metadata: {
      web_search_requests: count(record(usage, 'server_tool_use').web_search_requests),
      cache_creation_input: count(usage.cache_creation_input_tokens),
      cache_read_input: count(usage.cache_read_input_tokens),
      cache_ephemeral_1h_input: count(cacheCreation.ephemeral_1h_input_tokens),
      cache_ephemeral_5m_input: count(cacheCreation.ephemeral_5m_input_tokens),
    },
  };
}

/**
 * Reports the content blocks of a complete message: thinking blocks as thoughts (redacted
 * thinking has no text to keep), `tool_use` blocks as tool calls.
 */
export function reportContent(providerResponseId: string, content: unknown, sink: RecordSink): void {
  for (const block of list(content)) {
    if (!isRecord(block)) continue;
    if (block.type === 'thinking') {
      const thinking = text(block.thinking);
      if (thinking) sink.thought(thinking, 'thinking');
    } else if (block.type === 'tool_use') {
      sink.tool({
        providerResponseId,
        callId: text(block.id),
        name: text(block.name) ?? '',
        input: argumentsText(JSON.stringify(block.input ?? {})),
      });
    }
  }
}
