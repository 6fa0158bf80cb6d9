import type {
  RecordSink,
  StreamReader,
  ThoughtSource,
  TokenCounts,
  ToolCall,
} from '../src/gateway/intercept/sink.js';
import { SseParser } from '../src/gateway/sse/parser.js';

/** A RecordSink that keeps what readers report, for unit tests of the per-API readers. */
export class CollectingSink implements RecordSink {
  responseIds: string[] = [];
  tokenRows: TokenCounts[] = [];
  tools: ToolCall[] = [];
  thoughts: Array<[string, ThoughtSource]> = [];
  failures = 0;
  responseId(id: string): void {
    this.responseIds.push(id);
  }
  tokens(counts: TokenCounts): void {
    this.tokenRows.push(counts);
  }
  tool(call: ToolCall): void {
    this.tools.push(call);
  }
  thought(text: string, source: ThoughtSource): void {
    this.thoughts.push([text, source]);
  }
  failed(): void {
    this.failures++;
  }
}

/** Feeds an SSE body to a reader the way the relay does, in chunks of `chunkSize` bytes. */
export function readStream(reader: StreamReader, body: string, chunkSize = 1 << 20): StreamReader {
  const parser = new SseParser(
    (name, data) => reader.event(name, data),
    (name) => reader.wantsData(name),
  );
  const bytes = Buffer.from(body);
  for (let i = 0; i < bytes.length; i += chunkSize) parser.feed(bytes.subarray(i, i + chunkSize));
  parser.flush();
  reader.flush();
  return reader;
}
