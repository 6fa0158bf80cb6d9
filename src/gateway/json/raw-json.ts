/** A value's bytes inside a buffer: `[start, end)`. */
export interface Span {
  start: number;
  end: number;
}

/** What a span holds, read from its first byte. */
export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'literal';

/** The body is not JSON we can walk (unbalanced, unterminated or misplaced tokens). */
export class JsonSyntaxError extends Error {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

function closerOf(open: number | undefined): number {
  return open === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
}

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Reads a JSON document in place, without decoding it: the gateway needs a handful of fields
 * (model, stream, the last message) out of request bodies that can be megabytes long, and must
 * forward the original bytes untouched. Walking the structure costs a `memchr` per string, so a
 * 1 MiB prompt is skipped in microseconds where `JSON.parse` would take milliseconds; only the
 * small spans recording needs are ever decoded.
 *
 * It checks structure (brackets, quotes, separators), not the spelling of numbers and literals:
 * the provider validates the body it receives, the gateway only reads it.
 */
export class RawJson {
  /**
   * Where each object or array walked so far ends, by where it starts: the first walk over a
   * container (the root's, which checks the whole document) learns every container inside it,
   * so reading members or elements later jumps over their values instead of scanning the
   * bytes again (a 3 MB history was otherwise walked three times).
   */
  private readonly ends = new Map<number, number>();

  constructor(readonly buf: Buffer) {}

  /** The span of the whole document, or a JsonSyntaxError. */
  root(): Span {
    const start = this.skipSpace(0);
    if (start >= this.buf.length) throw new JsonSyntaxError('empty document');
    const end = this.skipValue(start);
    if (this.skipSpace(end) !== this.buf.length) throw new JsonSyntaxError('trailing bytes after the value');
    return { start, end };
  }

  kind(span: Span): JsonKind {
    const byte = this.buf[span.start];
    if (byte === OPEN_OBJECT) return 'object';
    if (byte === OPEN_ARRAY) return 'array';
    if (byte === QUOTE) return 'string';
    if (byte === 0x74 || byte === 0x66 || byte === 0x6e) return 'literal';
    return 'number';
  }

  /** Every member of an object by key (the last one wins, as with JSON.parse); empty if not an object. */
  fields(span: Span): Map<string, Span> {
    const out = new Map<string, Span>();
    if (this.buf[span.start] !== OPEN_OBJECT) return out;
    let i = this.skipSpace(span.start + 1);
    if (this.buf[i] === CLOSE_OBJECT) return out;
    for (;;) {
      if (this.buf[i] !== QUOTE) throw new JsonSyntaxError(`expected a key at byte ${i}`);
      const keyEnd = this.skipString(i);
      const key = this.decodeKey(i, keyEnd);
      i = this.skipSpace(keyEnd);
      if (this.buf[i] !== COLON) throw new JsonSyntaxError(`expected ':' at byte ${i}`);
      const valueStart = this.skipSpace(i + 1);
      const valueEnd = this.skipValue(valueStart);
      out.set(key, { start: valueStart, end: valueEnd });
      i = this.skipSpace(valueEnd);
      if (this.buf[i] === COMMA) i = this.skipSpace(i + 1);
      else if (this.buf[i] === CLOSE_OBJECT) return out;
      else throw new JsonSyntaxError(`expected ',' or '}' at byte ${i}`);
    }
  }

  /** One member of an object, or undefined. */
  field(span: Span | undefined, name: string): Span | undefined {
    return span ? this.fields(span).get(name) : undefined;
  }

  /** The elements of an array, in order; empty if not an array. */
  elements(span: Span): Span[] {
    const out: Span[] = [];
    if (this.buf[span.start] !== OPEN_ARRAY) return out;
    let i = this.skipSpace(span.start + 1);
    if (this.buf[i] === CLOSE_ARRAY) return out;
    for (;;) {
      const end = this.skipValue(i);
      out.push({ start: i, end });
      i = this.skipSpace(end);
      if (this.buf[i] === COMMA) i = this.skipSpace(i + 1);
      else if (this.buf[i] === CLOSE_ARRAY) return out;
      else throw new JsonSyntaxError(`expected ',' or ']' at byte ${i}`);
    }
  }

  /** The decoded string at a span, or undefined when the span is missing or not a string. */
  string(span: Span | undefined): string | undefined {
    if (!span || this.buf[span.start] !== QUOTE) return undefined;
    if (this.buf.subarray(span.start + 1, span.end - 1).indexOf(BACKSLASH) === -1) {
      return this.buf.toString('utf8', span.start + 1, span.end - 1);
    }
    return JSON.parse(this.buf.toString('utf8', span.start, span.end)) as string;
  }

  /** True only for the literal `true`. */
  isTrue(span: Span | undefined): boolean {
    return (
      span !== undefined &&
      span.end - span.start === 4 &&
      this.buf.toString('latin1', span.start, span.end) === 'true'
    );
  }

  /** The value at a span, decoded with JSON.parse; undefined for a missing span or bad JSON. */
  value(span: Span | undefined): unknown {
    if (!span) return undefined;
    try {
      return JSON.parse(this.buf.toString('utf8', span.start, span.end));
    } catch {
      return undefined;
    }
  }

  private skipSpace(i: number): number {
    while (isSpace(this.buf[i])) i++;
    return i;
  }

  /** Position just past the closing quote of the string opening at `i`. */
  private skipString(i: number): number {
    const buf = this.buf;
    // Short strings (keys, enum values) end within a few bytes: a plain loop beats a native call.
    const inlineEnd = Math.min(i + 48, buf.length);
    for (let j = i + 1; j < inlineEnd; j++) {
      const b = buf[j];
      if (b === QUOTE) return j + 1;
      if (b === BACKSLASH) break;
    }
    let quote = buf.indexOf(QUOTE, i + 1);
    for (;;) {
      if (quote === -1) throw new JsonSyntaxError(`unterminated string at byte ${i}`);
      let backslashes = 0;
      while (buf[quote - 1 - backslashes] === BACKSLASH) backslashes++;
      if ((backslashes & 1) === 0) return quote + 1;
      quote = buf.indexOf(QUOTE, quote + 1);
    }
  }

  /** Position just past the value starting at `i`. */
  private skipValue(i: number): number {
    const byte = this.buf[i];
    if (byte === QUOTE) return this.skipString(i);
    if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) return this.skipContainer(i);
    let j = i;
    for (;;) {
      const b = this.buf[j];
      if (b === undefined || b === COMMA || b === CLOSE_OBJECT || b === CLOSE_ARRAY || isSpace(b)) break;
      if (b === QUOTE || b === OPEN_OBJECT || b === OPEN_ARRAY || b === COLON) break;
      j++;
    }
    if (j === i) throw new JsonSyntaxError(`expected a value at byte ${i}`);
    return j;
  }

  /** Position just past the object or array opening at `i`, checking brackets pair up. */
  private skipContainer(i: number): number {
    const known = this.ends.get(i);
    if (known !== undefined) return known;
    const buf = this.buf;
    const length = buf.length;
    const opens: number[] = [];
    let j = i;
    while (j < length) {
      const b = buf[j] as number;
      if (b === QUOTE) {
        j = this.skipString(j);
        continue;
      }
      if (b === OPEN_OBJECT || b === OPEN_ARRAY) opens.push(j);
      else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
        const open = opens.pop();
        if (open === undefined || closerOf(buf[open]) !== b)
          throw new JsonSyntaxError(`mismatched '${String.fromCharCode(b)}' at byte ${j}`);
        this.ends.set(open, j + 1);
        if (opens.length === 0) return j + 1;
      }
      j++;
    }
    throw new JsonSyntaxError(`unterminated ${buf[i] === OPEN_OBJECT ? 'object' : 'array'} at byte ${i}`);
  }

  private decodeKey(start: number, end: number): string {
    return this.string({ start, end }) as string;
  }
}
