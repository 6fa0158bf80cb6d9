import { RawJson, type Span } from '../../json/raw-json.js';

const DATA = Buffer.from('data:');
const USAGE_KEY = Buffer.from('"usage"');

/**
 * Takes out of a chat-completions stream what `stream_options.include_usage` added when aibridge
 * asked for it and the client did not: the usage-only chunk (`"choices":[]` with `usage`) and
 * the `"usage":null` member the provider then puts on every other chunk. The recording reader
 * sees the stream before this, so usage is still recorded; the client gets what it asked for.
 *
 * Bytes pass through untouched except those members and events. An event split across reads is
 * held until its blank line arrives (a client can do nothing with half an event anyway).
 */
export class HiddenUsageFilter {
  private pending: Buffer | undefined;

  /** The bytes of `chunk` the client should get (possibly none). */
  chunk(chunk: Buffer): Buffer {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    const out: Buffer[] = [];
    let start = 0;
    for (;;) {
      const end = eventEnd(buf, start);
      if (end === -1) break;
      out.push(rewriteEvent(buf.subarray(start, end)));
      start = end;
    }
    if (start < buf.length) this.pending = Buffer.from(buf.subarray(start));
    return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
  }

  /** What is still held when the stream ends (an unterminated last event), as it came. */
  end(): Buffer {
    const rest = this.pending ?? Buffer.alloc(0);
    this.pending = undefined;
    return rest;
  }
}

/** The offset just past the blank line that ends the event starting at `from`, or -1. */
function eventEnd(buf: Buffer, from: number): number {
  for (let i = buf.indexOf(10, from); i !== -1; i = buf.indexOf(10, i + 1)) {
    const next = buf[i + 1];
    if (next === 10) return i + 2;
    if (next === 13 && buf[i + 2] === 10) return i + 3;
  }
  return -1;
}

function rewriteEvent(event: Buffer): Buffer {
  const dataAt = event.indexOf(DATA);
  if (dataAt === -1 || event.indexOf(USAGE_KEY, dataAt) === -1) return event;
  let jsonStart = dataAt + DATA.length;
  while (event[jsonStart] === 32) jsonStart++;
  if (event[jsonStart] !== 123) return event;
  let jsonEnd = event.indexOf(10, jsonStart);
  if (jsonEnd === -1) jsonEnd = event.length;
  if (event[jsonEnd - 1] === 13) jsonEnd--;
  const data = event.subarray(jsonStart, jsonEnd);
  try {
    const json = new RawJson(data);
    const fields = json.fields(json.root());
    const usage = fields.get('usage');
    if (!usage) return event;
    const choices = fields.get('choices');
    if (json.kind(usage) === 'object' && choices && json.elements(choices).length === 0) {
      return Buffer.alloc(0);
    }
    if (json.value(usage) !== null) return event;
    const cut = memberBounds(data, usage);
    if (!cut) return event;
    return Buffer.concat([event.subarray(0, jsonStart + cut.start), event.subarray(jsonStart + cut.end)]);
  } catch {
    return event;
  }
}

/** The bytes of the top-level member whose value is `value`, with one adjoining comma. */
function memberBounds(data: Buffer, value: Span): Span | undefined {
  const keyAt = data.lastIndexOf(USAGE_KEY, value.start);
  if (
    keyAt === -1 ||
    data
      .subarray(keyAt + USAGE_KEY.length, value.start)
      .toString()
      .trim() !== ':'
  ) {
    return undefined;
  }
  let before = keyAt - 1;
  while (isSpace(data[before])) before--;
  if (data[before] === 44) return { start: before, end: value.end };
  let after = value.end;
  while (isSpace(data[after])) after++;
  if (data[after] === 44) return { start: keyAt, end: after + 1 };
  return { start: keyAt, end: value.end };
}

function isSpace(byte: number | undefined): boolean {
  return byte === 32 || byte === 9 || byte === 10 || byte === 13;
}
