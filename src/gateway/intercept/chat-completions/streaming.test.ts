import { describe, expect, it } from 'vitest';
import { loadTxtar, section } from '../../../../test/fixtures.js';
import { CollectingSink, readStream } from '../../../../test/sink.js';
import { ChatStreamReader, worthParsing } from './streaming.js';

const run = (fixture: string, name = 'streaming', chunkSize?: number) => {
  const sink = new CollectingSink();
  const reader = readStream(new ChatStreamReader(sink), section(loadTxtar(fixture), name), chunkSize);
  return { sink, reader };
};

describe('ChatStreamReader', () => {
  it('assembles streamed tool calls and reports usage once', () => {
    const { sink, reader } = run('openai/chatcompletions/single_builtin_tool.txtar');
    expect(reader.sawFinalEvent).toBe(true);
    expect(sink.tools).toEqual([
      {
        providerResponseId: 'chatcmpl-BwkwXxA0yAyLKZelloERJWtxKor9z',
        callId: 'call_HjeqP7YeRkoNj0de9e3U4X4B',
        name: 'read_file',
        input: '{"path":"README.md"}',
      },
    ]);
    expect(sink.tokenRows.map((t) => [t.input, t.output, t.cacheRead])).toEqual([[60, 15, 0]]);
    expect(run('openai/chatcompletions/single_builtin_tool.txtar', 'streaming', 3).sink).toEqual(sink);
  });

  it('subtracts cached tokens from input once', () => {
    const { sink } = run('openai/chatcompletions/single_injected_tool.txtar', 'streaming/tool-call');
    expect(sink.tokenRows.map((t) => [t.input, t.cacheRead, t.output])).toEqual([[185, 4864, 60]]);
  });

  it('notes a mid-stream error object', () => {
    expect(run('openai/chatcompletions/stream_error.txtar').sink.failures).toBe(1);
  });

  it('parses only chunks that can matter to recording', () => {
    const chunk = (s: string) => Buffer.from(s);
    expect(
      worthParsing(
        chunk('{"choices":[{"index":0,"delta":{"content":"usage"},"finish_reason":null}],"usage":null}'),
      ),
    ).toBe(false);
    expect(
      worthParsing(chunk('{"choices":[{"delta":{"content":"\\"usage\\": 1"},"finish_reason": null}]}')),
    ).toBe(false);
    expect(worthParsing(chunk('{"choices":[],"usage":{"prompt_tokens":1}}'))).toBe(true);
    expect(worthParsing(chunk('{"choices":[{"delta":{},"finish_reason":"stop"}]}'))).toBe(true);
    expect(worthParsing(chunk('{"choices":[{"delta":{"tool_calls":[]}}]}'))).toBe(true);
    expect(worthParsing(chunk('{"error":{"message":"x"}}'))).toBe(true);
  });
});
