import type { ConversationStart } from '../conversation/fingerprint.js';
import { JsonSyntaxError, RawJson, type Span } from '../json/raw-json.js';
import type { SessionHints } from '../session.js';
import type { PromptSource } from './interception.js';

/** The request body cannot be bridged as it is (→ 400 in the provider's shape). */
export class PayloadError extends Error {}

/** What recording needs from a request body, read without decoding the rest of it. */
export interface Payload {
  model: string;
  stream: boolean;
  prompt: PromptSource | undefined;
  /** The tool call this request answers, if its last message is a tool result. */
  toolCallId: string | undefined;
  sessionHints: SessionHints;
  /** The request's cap on output tokens (`max_tokens`, `max_completion_tokens`, `max_output_tokens`). */
  maxTokens: number | undefined;
  /**
   * How the conversation began, hashed on demand: only a request without a client session id
   * or lineage needs it.
   */
  conversation?: (() => ConversationStart | undefined) | undefined;
  /** The recorded response this request continues (Responses `previous_response_id`). */
  previousResponseId?: string | undefined;
  /** A later request may continue this one's response by its id (a Responses request not `store: false`). */
  continuable?: boolean | undefined;
  /** Set only when the body had to change on its way upstream. */
  upstreamBody?: Buffer | undefined;
  /** aibridge asked for stream usage the client did not: hide it from the client's stream. */
  usageAdded?: boolean;
}

/** A body opened for reading: its top-level members, the model and the stream flag. */
export interface OpenedBody {
  json: RawJson;
  root: Span;
  fields: Map<string, Span>;
  model: string;
  stream: boolean;
  maxTokens: number | undefined;
}

/** The output cap fields of the three APIs, first found wins. */
const MAX_TOKEN_FIELDS = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'];

/**
 * Opens a body as a JSON object with a model (else `fallbackModel`, an Azure deployment), or
 * explains (PayloadError) why it cannot be bridged.
 */
export function openBody(body: Buffer, fallbackModel?: string): OpenedBody {
  if (body.length === 0) throw new PayloadError('the request body is empty; expected a JSON object');
  const json = new RawJson(body);
  const root = json.root();
  if (json.kind(root) !== 'object') {
    if (json.kind(root) === 'array' || json.value(root) !== undefined) {
      throw new PayloadError('the request body must be a JSON object');
    }
    throw new JsonSyntaxError('not a JSON value');
  }
  const fields = json.fields(root);
  const model = json.string(fields.get('model')) || fallbackModel;
  if (!model) throw new PayloadError('the request body needs a "model" (a non-empty string)');
  let maxTokens: number | undefined;
  for (const name of MAX_TOKEN_FIELDS) {
    const value = json.value(fields.get(name));
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
      maxTokens = value;
      break;
    }
  }
  return { json, root, fields, model, stream: json.isTrue(fields.get('stream')), maxTokens };
}

/** Runs a payload reader, turning malformed JSON anywhere in what it reads into a PayloadError. */
export function readSafely(read: () => Payload): Payload {
  try {
    return read();
  } catch (error) {
    if (error instanceof JsonSyntaxError || error instanceof SyntaxError) {
      throw new PayloadError(`the request body is not valid JSON: ${error.message}`);
    }
    throw error;
  }
}

/**
 * The members of the last message that is not a `system` entry: Claude Code puts system
 * entries into `messages[]`, after the user's turn, so "the last message" skips them.
 */
export function lastMessage(
  json: RawJson,
  messages: Span | undefined,
  skippedRoles: ReadonlySet<string>,
): Map<string, Span> | undefined {
  if (!messages) return undefined;
  const items = json.elements(messages);
  for (let i = items.length - 1; i >= 0; i--) {
    const fields = json.fields(items[i] as Span);
    const role = json.string(fields.get('role'));
    if (role === undefined || !skippedRoles.has(role)) return fields;
  }
  return undefined;
}

/**
 * The strings at some spans as a prompt, decoded only when written; undefined when missing or
 * empty. `detach` copies just those bytes, so the prompt outlives the body's memory.
 */
export function promptFrom(
  json: RawJson,
  spans: readonly Span[],
  separator = '\n',
): PromptSource | undefined {
  let source = json;
  let strings = spans.filter((span) => json.kind(span) === 'string' && span.end - span.start > 2);
  if (strings.length === 0) return undefined;
  const bytes = strings.reduce((sum, span) => sum + span.end - span.start, 0);
  return {
    bytes,
    read: () => strings.map((span) => decodeLeniently(source, span)).join(separator),
    detach: () => {
      if (source !== json) return;
      const copy = Buffer.allocUnsafe(bytes);
      let at = 0;
      strings = strings.map((span) => {
        const start = at;
        at += json.buf.copy(copy, at, span.start, span.end);
        return { start, end: at };
      });
      source = new RawJson(copy);
    },
  };
}

/** Scans an array backwards for the first object whose `type` is `type`; returns its members. */
export function lastBlockOfType(
  json: RawJson,
  array: Span | undefined,
  type: string,
): Map<string, Span> | undefined {
  if (!array) return undefined;
  const items = json.elements(array);
  for (let i = items.length - 1; i >= 0; i--) {
    const fields = json.fields(items[i] as Span);
    if (json.string(fields.get('type')) === type) return fields;
  }
  return undefined;
}

function decodeLeniently(json: RawJson, span: Span): string {
  try {
    return json.string(span) ?? '';
  } catch {
    return json.buf.toString('utf8', span.start + 1, span.end - 1);
  }
}
