import type { RecordSink } from '../sink.js';
import { isRecord, record, text } from '../values.js';
import { messageTokens, reportContent } from './usage.js';

/** Bytes that can only appear in a blocking message that calls a tool. */
export const MESSAGES_TOOL_MARKERS = ['"tool_use"'] as const;

/** Reads a complete `/v1/messages` response: its id, one token row, its thoughts and tool calls. */
export function readMessagesResponse(body: unknown, sink: RecordSink): void {
  if (!isRecord(body) || body.type === 'error') return;
  const id = text(body.id) ?? '';
  sink.responseId(id);
  reportContent(id, body.content, sink);
  if (isRecord(body.usage)) sink.tokens(messageTokens(id, record(body, 'usage')));
}
