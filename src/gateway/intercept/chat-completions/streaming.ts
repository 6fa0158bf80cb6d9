import type { RecordSink, StreamReader } from '../sink.js';
import { argumentsText, isRecord, type JsonRecord, list, record, text } from '../values.js';
import { chatTokens } from './usage.js';

const DONE = Buffer.from('[DONE]');
const TOOL_CALLS = Buffer.from('"tool_calls"');
const ERROR = Buffer.from('"error"');
const USAGE = Buffer.from('"usage"');
const FINISH_REASON = Buffer.from('"finish_reason"');

/** A tool call being streamed in pieces, by its index in the choice. */
interface PartialCall {
  id: string | undefined;
  name: string;
  parts: string[];
}

/**
 * Reads a Chat Completions stream as it is relayed. Most chunks are text deltas that recording
 * does not need; they are recognised with a few byte searches (no `tool_calls`, no `error`,
 * `usage` and `finish_reason` absent or null) and skipped without JSON parsing. Tool calls are
 * assembled from their deltas and reported when their choice finishes; usage (forced on by the
 * request rewrite) becomes one token row, at `[DONE]` or when the stream ends.
 */
export class ChatStreamReader implements StreamReader {
  sawFinalEvent = false;
  private id: string | undefined;
  private usage: JsonRecord | undefined;
  private readonly calls = new Map<number, PartialCall>();

  constructor(private readonly sink: RecordSink) {}

  wantsData(): boolean {
    return true;
  }

  event(_name: string | undefined, data: Buffer | undefined): void {
    if (!data) return;
    if (data.length === DONE.length && data.equals(DONE)) {
      this.flush();
      this.sawFinalEvent = true;
      return;
    }
    if (this.id !== undefined && !worthParsing(data)) return;
    let chunk: unknown;
    try {
      chunk = JSON.parse(data.toString('utf8'));
    } catch {
      return;
    }
    if (!isRecord(chunk)) return;
    if (chunk.error !== undefined && chunk.error !== null) this.sink.failed();
    if (this.id === undefined && text(chunk.id)) {
      this.id = text(chunk.id) as string;
      this.sink.responseId(this.id);
    }
    for (const choice of list(chunk.choices)) this.readChoice(choice);
    if (isRecord(chunk.usage)) this.usage = chunk.usage;
  }

  flush(): void {
    this.reportCalls();
    if (this.usage) this.sink.tokens(chatTokens(this.id ?? '', this.usage));
    this.usage = undefined;
  }

  private readChoice(choice: unknown): void {
    const delta = record(choice, 'delta');
    for (const piece of list(delta.tool_calls)) {
      if (!isRecord(piece)) continue;
      const index = typeof piece.index === 'number' ? piece.index : 0;
      const fn = record(piece, 'function');
      let call = this.calls.get(index);
      if (!call) {
        call = { id: undefined, name: '', parts: [] };
        this.calls.set(index, call);
      }
      call.id ??= text(piece.id);
      if (text(fn.name)) call.name += fn.name as string;
      if (typeof fn.arguments === 'string') call.parts.push(fn.arguments);
    }
    if (isRecord(choice) && typeof choice.finish_reason === 'string') this.reportCalls();
  }

  private reportCalls(): void {
    for (const index of [...this.calls.keys()].sort((a, b) => a - b)) {
      const call = this.calls.get(index) as PartialCall;
      this.sink.tool({
        providerResponseId: this.id ?? '',
        callId: call.id,
        name: call.name,
        input: argumentsText(call.parts.join('')),
      });
    }
    this.calls.clear();
  }
}

/** True unless the chunk is certainly a plain content delta (a false positive only costs a parse). */
export function worthParsing(data: Buffer): boolean {
  return (
    data.includes(TOOL_CALLS) ||
    data.includes(ERROR) ||
    hasNonNullMember(data, USAGE) ||
    hasNonNullMember(data, FINISH_REASON)
  );
}

/** A quoted key followed by `:` can only be an object member; checks whether its value is `null`. */
function hasNonNullMember(data: Buffer, key: Buffer): boolean {
  let at = data.indexOf(key);
  while (at !== -1) {
    let i = at + key.length;
    while (data[i] === 0x20 || data[i] === 0x09 || data[i] === 0x0a || data[i] === 0x0d) i++;
    if (data[i] === 0x3a) {
      i++;
      while (data[i] === 0x20 || data[i] === 0x09 || data[i] === 0x0a || data[i] === 0x0d) i++;
      if (data[i] !== 0x6e) return true;
    }
    at = data.indexOf(key, at + 1);
  }
  return false;
}
