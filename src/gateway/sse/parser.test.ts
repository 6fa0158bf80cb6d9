import { describe, expect, it } from 'vitest';
import { SseParser } from './parser.js';

type Seen = Array<[string | undefined, string | undefined]>;

function parse(chunks: string[], wantData?: (name: string | undefined) => boolean): Seen {
  const seen: Seen = [];
  const parser = new SseParser((name, data) => seen.push([name, data?.toString('utf8')]), wantData);
  for (const chunk of chunks) parser.feed(Buffer.from(chunk));
  parser.flush();
  return seen;
}

const STREAM =
  'event: message_start\ndata: {"a":1}\n\n' +
  ': comment\n' +
  'event: ping\r\ndata: {"type": "ping"}\r\n\r\n' +
  'data: first\ndata: second\n\n' +
  'data:no-space\n\n' +
  'data: [DONE]\n\n';

const EXPECTED: Seen = [
  ['message_start', '{"a":1}'],
  ['ping', '{"type": "ping"}'],
  [undefined, 'first\nsecond'],
  [undefined, 'no-space'],
  [undefined, '[DONE]'],
];

describe('SseParser', () => {
  it('parses named events, comments, CRLF, multi-line data and data-only events', () => {
    expect(parse([STREAM])).toEqual(EXPECTED);
  });

  it('gives the same events whatever the chunk boundaries', () => {
    for (let size = 1; size <= 17; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < STREAM.length; i += size) chunks.push(STREAM.slice(i, i + size));
      expect(parse(chunks)).toEqual(EXPECTED);
    }
  });

  it('skips the data of events the filter rejects but still reports them', () => {
    const seen = parse([STREAM], (name) => name !== 'ping');
    expect(seen[1]).toEqual(['ping', undefined]);
    expect(seen[0]).toEqual(['message_start', '{"a":1}']);
  });

  it('delivers a last event that lacks its blank line, and multi-byte text split across chunks', () => {
    const bytes = Buffer.from('data: {"t":"héllo ✓"}');
    const seen: Seen = [];
    const parser = new SseParser((name, data) => seen.push([name, data?.toString('utf8')]));
    for (const byte of bytes) parser.feed(Buffer.from([byte]));
    parser.flush();
    expect(seen).toEqual([[undefined, '{"t":"héllo ✓"}']]);
  });

  it('delivers a 10 MB event that arrives in 16 KB chunks, as TLS records bring it, whole', () => {
    const text = 'x'.repeat(10 * 1024 * 1024);
    const bytes = Buffer.from(
      `event: content_block_delta\ndata: ${text}\n\nevent: message_stop\ndata: {}\n\n`,
    );
    const seen: Array<[string | undefined, number | undefined]> = [];
    const parser = new SseParser((name, data) => seen.push([name, data?.length]));
    for (let i = 0; i < bytes.length; i += 16 * 1024) parser.feed(bytes.subarray(i, i + 16 * 1024));
    parser.flush();
    expect(seen).toEqual([
      ['content_block_delta', text.length],
      ['message_stop', 2],
    ]);
  });
});
