import type { RecordSink, TokenCounts } from '../sink.js';
import { argumentsText, count, isRecord, type JsonRecord, list, record, text } from '../values.js';

/**
 * One token row from a Responses `usage`: cached input tokens taken out of input once;
 * reasoning tokens are inside `output_tokens` (billed as output, never added again); the
 * response's `web_search_call` items are counted for their per-call fee.
 */
function responsesTokens(providerResponseId: string, usage: JsonRecord, webSearches: number): TokenCounts {
  const cached = count(record(usage, 'input_tokens_details').cached_tokens);
  return {
    providerResponseId,
    input: Math.max(0, count(usage.input_tokens) - cached),
    output: count(usage.output_tokens),
    cacheRead: cached,
    cacheWrite: 0,
    metadata: {
      input_cached: cached,
      output_reasoning: count(record(usage, 'output_tokens_details').reasoning_tokens),
      total_tokens: count(usage.total_tokens),
      web_search_requests: webSearches,
    },
  };
}

/**
 * Reports one output item: `function_call` (arguments as JSON text, or raw when not JSON) and
 * `custom_tool_call` (raw input) as tool calls, reasoning summaries as thoughts, and the text of
 * assistant messages in the `commentary` phase as thoughts too.
 */
export function reportOutputItem(providerResponseId: string, item: unknown, sink: RecordSink): void {
  if (!isRecord(item)) return;
  switch (item.type) {
    case 'function_call':
      sink.tool({
        providerResponseId,
        callId: text(item.call_id),
        name: text(item.name) ?? '',
        input:
          typeof item.arguments === 'string'
            ? argumentsText(item.arguments)
            : JSON.stringify(item.arguments ?? {}),
      });
      return;
    case 'custom_tool_call':
      sink.tool({
        providerResponseId,
        callId: text(item.call_id),
        name: text(item.name) ?? '',
        input: typeof item.input === 'string' ? item.input : JSON.stringify(item.input ?? ''),
      });
      return;
    case 'reasoning':
      for (const part of list(item.summary)) {
        const summary = isRecord(part) ? text(part.text) : undefined;
        if (summary) sink.thought(summary, 'reasoning_summary');
      }
      return;
    case 'message':
      if (item.phase !== 'commentary') return;
      for (const part of list(item.content)) {
        const said = isRecord(part) && part.type === 'output_text' ? text(part.text) : undefined;
        if (said) sink.thought(said, 'commentary');
      }
      return;
  }
}

/**
 * Reports a complete response object: its output items (and their web searches) and its
 * usage; a stream that already reported its items passes the web searches it counted.
 */
export function reportResponse(
  response: JsonRecord,
  sink: RecordSink,
  withItems: boolean,
  streamedWebSearches = 0,
): void {
  const id = text(response.id) ?? '';
  sink.responseId(id);
  let webSearches = streamedWebSearches;
  if (withItems) {
    for (const item of list(response.output)) {
      reportOutputItem(id, item, sink);
      if (isRecord(item) && item.type === 'web_search_call') webSearches++;
    }
  }
  if (isRecord(response.usage)) sink.tokens(responsesTokens(id, response.usage, webSearches));
  if (response.status === 'failed' || isRecord(response.error)) sink.failed();
}
