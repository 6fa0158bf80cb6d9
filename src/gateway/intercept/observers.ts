import { RawJson } from '../json/raw-json.js';
import type { RelayObserver } from '../relay.js';
import { SseParser } from '../sse/parser.js';
import type { Interception } from './interception.js';
import type { RecordSink, StreamReader } from './sink.js';

/** A relay observer that records what it sees. */
export interface RecordingObserver extends RelayObserver {
  /**
   * The exchange is over (completed, broken or abandoned by the client): report what is still
   * held, e.g. usage seen so far or a blocking body not yet read.
   */
  flush(): void;
}

/**
 * Feeds a streamed (SSE) response to an API's reader as it passes. The chunk that completes
 * the response is held only if the response selected tools, until their rows are committed:
 * clients (Codex) act on the final event before the connection ends.
 */
export class SseObserver implements RecordingObserver {
  private readonly parser: SseParser;
  private heldForTools = false;

  constructor(
    private readonly reader: StreamReader,
    private readonly interception: Interception,
  ) {
    this.parser = new SseParser(
      (name, data) => reader.event(name, data),
      (name) => reader.wantsData(name),
    );
  }

  chunk(chunk: Buffer): Promise<void> | undefined {
    this.parser.feed(chunk);
    if (this.heldForTools || !this.reader.sawFinalEvent) return undefined;
    this.heldForTools = true;
    return this.interception.linksDurable();
  }

  complete(): Promise<void> | undefined {
    this.parser.flush();
    return this.interception.linksDurable();
  }

  flush(): void {
    this.reader.flush();
  }
}

/** Reads a complete blocking response body (parsed JSON) into records. */
export type BodyReader = (body: unknown, sink: RecordSink) => void;

/** Above this, a blocking body is relayed but not kept for recording. */
const MAX_RECORDED_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Keeps a blocking (JSON) response's chunks while they are relayed, and reads it once complete.
 * When the body may contain tool calls (a cheap byte search for the API's marker) or its id may
 * be continued, it is read before its last chunk goes out and that chunk waits for those rows;
 * otherwise reading happens after the client has everything, and when no thought can be in it
 * either, only its id and usage are decoded.
 */
export class JsonObserver implements RecordingObserver {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private gated = false;
  private read = false;

  constructor(
    private readonly readBody: BodyReader,
    private readonly toolMarkers: readonly string[],
    private readonly detailMarkers: readonly string[],
    private readonly interception: Interception,
    private readonly contentLength: number | undefined,
  ) {}

  chunk(chunk: Buffer): Promise<void> | undefined {
    this.size += chunk.length;
    if (this.size <= MAX_RECORDED_BODY_BYTES) this.chunks.push(chunk);
    if (this.contentLength !== undefined && this.size >= this.contentLength) return this.gate();
    return undefined;
  }

  complete(): Promise<void> | undefined {
    return this.gate();
  }

  flush(): void {
    if (!this.read) this.readNow(this.body());
  }

  private gate(): Promise<void> | undefined {
    if (this.gated) return undefined;
    this.gated = true;
    const body = this.body();
    const continuable = this.interception.continuable;
    if (!continuable && !this.toolMarkers.some((marker) => body.includes(marker))) return undefined;
    this.readNow(body);
    return this.interception.linksDurable();
  }

  private body(): Buffer {
    if (this.chunks.length === 1) return this.chunks[0] as Buffer;
    const joined = Buffer.concat(this.chunks);
    this.chunks.length = 0;
    this.chunks.push(joined);
    return joined;
  }

  private readNow(body: Buffer): void {
    this.read = true;
    if (this.size > MAX_RECORDED_BODY_BYTES || body.length === 0) return;
    let parsed: unknown;
    try {
      const detailed = [...this.toolMarkers, ...this.detailMarkers].some((marker) => body.includes(marker));
      parsed = detailed ? JSON.parse(body.toString('utf8')) : summary(body);
    } catch {
      return;
    }
    this.readBody(parsed, this.interception);
  }
}

const SUMMARY_FIELDS = ['id', 'type', 'object', 'status', 'error', 'usage'];

/**
 * The members of a response object that recording reads when it has no tool calls or
 * thoughts, decoded without parsing the (possibly long) generated text.
 */
function summary(body: Buffer): Record<string, unknown> {
  const json = new RawJson(body);
  const fields = json.fields(json.root());
  const out: Record<string, unknown> = {};
  for (const name of SUMMARY_FIELDS) {
    const span = fields.get(name);
    if (span) out[name] = json.value(span);
  }
  return out;
}
