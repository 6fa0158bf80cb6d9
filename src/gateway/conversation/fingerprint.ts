import { createHash, type Hash } from 'node:crypto';
import type { RawJson, Span } from '../json/raw-json.js';

/** How a conversation began, as far as a request shows it. */
export interface ConversationStart {
  /** sha256 (hex) of the system prompt and the first user message(s), as sent. */
  opening: string;
  /**
   * Only on a later turn (history past those first messages): sha256 of the opening and the
   * first entry after it (the assistant's first answer), which tells apart conversations that
   * opened alike.
   */
  answered?: string | undefined;
}

/** Where one API keeps the parts of a conversation. */
export interface ConversationShape {
  /** Roles of leading entries that are instructions (`system`, `developer`): part of the start. */
  instructionRoles: ReadonlySet<string>;
  /** Roles skipped wherever they appear (Claude Code puts `system` entries among the messages). */
  ignoredRoles?: ReadonlySet<string>;
}

/** Values longer than this are hashed by their head, their tail and their length. */
const WHOLE_VALUE_BYTES = 64 * 1024;
const EDGE_BYTES = 32 * 1024;
/** Prompt-caching markers move to the newest message each turn; they are not content. */
const UNHASHED_KEYS: ReadonlySet<string> = new Set(['cache_control']);

/**
 * The start of the conversation a request belongs to: a digest of its instructions (top-level
 * `system` / `instructions` spans and leading instruction entries) and of the run of user
 * messages that opens it, hashing raw bytes in place (no decoding) and at most 64 KiB per value,
 * so a body of megabytes costs what its first messages cost. Undefined when no user message
 * opens the conversation (nothing to tell two conversations apart by).
 */
export function conversationStart(
  json: RawJson,
  instructions: readonly (Span | undefined)[],
  items: readonly Span[],
  shape: ConversationShape,
): ConversationStart | undefined {
  const hash = createHash('sha256');
  for (const span of instructions) if (span) addValue(json, hash, span);
  let i = 0;
  let users = 0;
  let phase: 'instructions' | 'users' = 'instructions';
  for (; i < items.length; i++) {
    const fields = json.fields(items[i] as Span);
    const role = json.string(fields.get('role'));
    if (role !== undefined && shape.ignoredRoles?.has(role)) continue;
    const type = json.string(fields.get('type'));
    const isMessage = type === undefined || type === 'message';
    if (phase === 'instructions' && isMessage && role !== undefined && shape.instructionRoles.has(role)) {
      hash.update('\u0001');
      addContent(json, hash, fields.get('content'));
      continue;
    }
    phase = 'users';
    if (!isMessage || role !== 'user') break;
    hash.update('\u0002');
    addContent(json, hash, fields.get('content'));
    users++;
  }
  if (users === 0) return undefined;
  const opening = hash.digest('hex');
  const reply = items.slice(i).find((item) => {
    const role = json.string(json.field(item, 'role'));
    return role === undefined || !shape.ignoredRoles?.has(role);
  });
  if (!reply) return { opening };
  const answered = createHash('sha256').update(opening);
  addValue(json, answered, reply);
  return { opening, answered: answered.digest('hex') };
}

/** A request's own string input (Responses `input: "…"`): always a conversation's first turn. */
export function singleMessageStart(
  json: RawJson,
  instructions: readonly (Span | undefined)[],
  input: Span,
): ConversationStart {
  const hash = createHash('sha256');
  for (const span of instructions) if (span) addValue(json, hash, span);
  hash.update('\u0002');
  addContent(json, hash, input);
  return { opening: hash.digest('hex') };
}

function addContent(json: RawJson, hash: Hash, content: Span | undefined): void {
  if (content) addValue(json, hash, content);
}

/** A string's bytes; an array's elements; an object's members but its caching markers. */
function addValue(json: RawJson, hash: Hash, span: Span): void {
  const kind = json.kind(span);
  if (kind === 'array') {
    for (const element of json.elements(span)) {
      hash.update('\u0003');
      addValue(json, hash, element);
    }
    return;
  }
  if (kind === 'object') {
    for (const [key, value] of json.fields(span)) {
      if (UNHASHED_KEYS.has(key)) continue;
      hash.update(`\u0004${key}\u0005`);
      addValue(json, hash, value);
    }
    return;
  }
  addBytes(json.buf, hash, span);
}

function addBytes(buf: Buffer, hash: Hash, { start, end }: Span): void {
  if (end - start <= WHOLE_VALUE_BYTES) {
    hash.update(buf.subarray(start, end));
    return;
  }
  hash.update(buf.subarray(start, start + EDGE_BYTES));
  hash.update(buf.subarray(end - EDGE_BYTES, end));
  hash.update(`\u0006${end - start}`);
}
