import type { RecordSink } from '../sink.js';
import { isRecord } from '../values.js';
import { reportResponse } from './usage.js';

/** Bytes that can only appear in a blocking response that calls a tool. */
export const RESPONSES_TOOL_MARKERS = ['"function_call"', '"custom_tool_call"'] as const;

/** Reads a complete `/responses` response object: id, output items (tools, thoughts) and usage. */
export function readResponsesResponse(body: unknown, sink: RecordSink): void {
  if (!isRecord(body)) return;
  reportResponse(body, sink, true);
}
