import { conversationStart, singleMessageStart } from '../../conversation/fingerprint.js';
import type { RawJson, Span } from '../../json/raw-json.js';
import { lastMessage, openBody, type Payload, promptFrom, readSafely } from '../payload.js';

const INSTRUCTION_ENTRIES: ReadonlySet<string> = new Set(['system', 'developer']);
const SHAPE = { instructionRoles: INSTRUCTION_ENTRIES };
const TOOL_OUTPUTS: ReadonlySet<string> = new Set(['function_call_output', 'custom_tool_call_output']);

/**
 * Reads a `/responses` body in place: model, stream flag, `prompt_cache_key` (Codex's session
 * id), the prompt (a string `input`, or the last input item if it is the user's message: its
 * string content or its `input_text` parts joined by newlines) and the tool result it carries
 * (a last `function_call_output` / `custom_tool_call_output` item's `call_id`), and the
 * `previous_response_id` it continues.
 */
export function readResponsesPayload(body: Buffer, fallbackModel?: string): Payload {
  return readSafely(() => {
    const { json, fields, model, stream, maxTokens } = openBody(body, fallbackModel);
    const input = fields.get('input');
    const last =
      input && json.kind(input) === 'array' ? lastMessage(json, input, INSTRUCTION_ENTRIES) : undefined;
    const type = json.string(last?.get('type'));
    return {
      model,
      stream,
      maxTokens,
      prompt: input && json.kind(input) === 'string' ? promptFrom(json, [input]) : userText(json, last),
      toolCallId: type && TOOL_OUTPUTS.has(type) ? json.string(last?.get('call_id')) : undefined,
      sessionHints: { promptCacheKey: json.string(fields.get('prompt_cache_key')) },
      conversation: () => {
        const instructions = [fields.get('instructions')];
        if (!input) return undefined;
        if (json.kind(input) === 'string') return singleMessageStart(json, instructions, input);
        return conversationStart(json, instructions, json.elements(input), SHAPE);
      },
      previousResponseId: json.string(fields.get('previous_response_id')),
      continuable: !isFalse(json, fields.get('store')),
    };
  });
}

function userText(json: RawJson, item: Map<string, Span> | undefined) {
  if (!item || json.string(item.get('role')) !== 'user') return undefined;
  const content = item.get('content');
  if (!content) return undefined;
  if (json.kind(content) === 'string') return promptFrom(json, [content]);
  const texts: Span[] = [];
  for (const part of json.elements(content)) {
    const fields = json.fields(part);
    const text = fields.get('text');
    if (text && json.string(fields.get('type')) === 'input_text') texts.push(text);
  }
  return promptFrom(json, texts);
}

function isFalse(json: RawJson, span: Span | undefined): boolean {
  return span !== undefined && json.buf.toString('latin1', span.start, span.end) === 'false';
}
