import { conversationStart } from '../../conversation/fingerprint.js';
import type { RawJson, Span } from '../../json/raw-json.js';
import {
  lastBlockOfType,
  lastMessage,
  type OpenedBody,
  openBody,
  type Payload,
  promptFrom,
  readSafely,
} from '../payload.js';

const SYSTEM_ENTRIES: ReadonlySet<string> = new Set(['system']);
const SHAPE = { instructionRoles: new Set(['system', 'developer']) };

/**
 * Reads a `/chat/completions` body in place: model, stream flag, the prompt (last non-system
 * message if it is the user's: its string content or last text part) and the tool result it
 * carries (a last `tool` message's `tool_call_id`). Streaming requests get
 * `stream_options.include_usage` forced on, the only edit made to a body, so usage is never
 * silently missing (and `usageAdded`, so the client's stream does not show it).
 */
export function readChatPayload(body: Buffer, fallbackModel?: string): Payload {
  return readSafely(() => {
    const opened = openBody(body, fallbackModel);
    const { json, fields, model, stream } = opened;
    const last = lastMessage(json, fields.get('messages'), SYSTEM_ENTRIES);
    const upstreamBody = stream ? withUsageReported(opened) : undefined;
    const role = json.string(last?.get('role'));
    const content = last?.get('content');
    return {
      model,
      stream,
      maxTokens: opened.maxTokens,
      prompt: role === 'user' && content ? userText(json, content) : undefined,
      toolCallId: role === 'tool' ? json.string(last?.get('tool_call_id')) : undefined,
      sessionHints: {},
      conversation: () => {
        const messages = fields.get('messages');
        return conversationStart(json, [], messages ? json.elements(messages) : [], SHAPE);
      },
      upstreamBody,
      usageAdded: upstreamBody !== undefined,
    };
  });
}

function userText(json: RawJson, content: Span) {
  if (json.kind(content) === 'string') return promptFrom(json, [content]);
  const text = lastBlockOfType(json, content, 'text')?.get('text');
  return text ? promptFrom(json, [text]) : undefined;
}

/**
 * The body with `stream_options.include_usage: true`, or undefined when it already says so.
 * Only the bytes of `stream_options` change (or are inserted after the opening brace); the rest
 * of the body is copied as it came.
 */
function withUsageReported({ json, root, fields }: OpenedBody): Buffer | undefined {
  const options = fields.get('stream_options');
  const buf = json.buf;
  if (!options) {
    const insertAt = root.start + 1;
    return Buffer.concat([
      buf.subarray(0, insertAt),
      Buffer.from('"stream_options":{"include_usage":true},'),
      buf.subarray(insertAt),
    ]);
  }
  if (json.isTrue(json.field(options, 'include_usage'))) return undefined;
  const current = json.value(options);
  const replaced = {
    ...(typeof current === 'object' && current !== null ? current : {}),
    include_usage: true,
  };
  return Buffer.concat([
    buf.subarray(0, options.start),
    Buffer.from(JSON.stringify(replaced)),
    buf.subarray(options.end),
  ]);
}
