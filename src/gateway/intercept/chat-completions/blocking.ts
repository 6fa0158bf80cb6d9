import type { RecordSink } from '../sink.js';
import { isRecord, record, text } from '../values.js';
import { chatTokens, reportToolCalls } from './usage.js';

/** Bytes that can only appear in a blocking completion that calls a tool. */
export const CHAT_TOOL_MARKERS = ['"tool_calls"'] as const;

/** Reads a complete `/chat/completions` response: its id, tool calls and one token row. */
export function readChatResponse(body: unknown, sink: RecordSink): void {
  if (!isRecord(body) || isRecord(body.error)) return;
  const id = text(body.id) ?? '';
  sink.responseId(id);
  reportToolCalls(id, body.choices, sink);
  if (isRecord(body.usage)) sink.tokens(chatTokens(id, record(body, 'usage')));
}
