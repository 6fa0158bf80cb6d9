import { conversationStart } from '../../conversation/fingerprint.js';
import type { RawJson, Span } from '../../json/raw-json.js';
import { lastBlockOfType, lastMessage, openBody, type Payload, promptFrom, readSafely } from '../payload.js';

const SYSTEM_ENTRIES: ReadonlySet<string> = new Set(['system']);
const SHAPE = { instructionRoles: new Set<string>(), ignoredRoles: SYSTEM_ENTRIES };

/**
 * Reads an Anthropic `/v1/messages` body in place: model, stream flag, Claude Code's
 * `metadata.user_id`, the prompt (the last non-system message, if it is the user's: its string
 * content or its last text block) and the tool result it carries (last `tool_result` block).
 */
export function readMessagesPayload(body: Buffer, fallbackModel?: string): Payload {
  return readSafely(() => {
    const { json, fields, model, stream, maxTokens } = openBody(body, fallbackModel);
    const last = lastMessage(json, fields.get('messages'), SYSTEM_ENTRIES);
    const content = last?.get('content');
    const isUser = json.string(last?.get('role')) === 'user';
    return {
      model,
      stream,
      maxTokens,
      prompt: isUser && content ? userText(json, content) : undefined,
      toolCallId: json.string(lastBlockOfType(json, content, 'tool_result')?.get('tool_use_id')),
      sessionHints: { metadataUserId: json.string(json.field(fields.get('metadata'), 'user_id')) },
      conversation: () => {
        const messages = fields.get('messages');
        return conversationStart(
          json,
          [fields.get('system')],
          messages ? json.elements(messages) : [],
          SHAPE,
        );
      },
    };
  });
}

function userText(json: RawJson, content: Span) {
  if (json.kind(content) === 'string') return promptFrom(json, [content]);
  const text = lastBlockOfType(json, content, 'text')?.get('text');
  return text ? promptFrom(json, [text]) : undefined;
}
