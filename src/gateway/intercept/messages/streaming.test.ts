import { describe, expect, it } from 'vitest';
import { loadTxtar, section } from '../../../../test/fixtures.js';
import { CollectingSink, readStream } from '../../../../test/sink.js';
import { MessagesStreamReader } from './streaming.js';
import { mergeUsage, messageTokens } from './usage.js';

const run = (fixture: string, chunkSize?: number) => {
  const sink = new CollectingSink();
  const reader = readStream(
    new MessagesStreamReader(sink),
    section(loadTxtar(fixture), 'streaming'),
    chunkSize,
  );
  return { sink, reader };
};

describe('MessagesStreamReader', () => {
  it('reports one token row per message from the cumulative usage, plus thoughts and tool calls', () => {
    const { sink, reader } = run('anthropic/single_builtin_tool.txtar');
    expect(reader.sawFinalEvent).toBe(true);
    expect(sink.responseIds).toEqual(['msg_015SQewixvT9s4cABCVvUE6g']);
    expect(sink.tokenRows).toEqual([
      {
        providerResponseId: 'msg_015SQewixvT9s4cABCVvUE6g',
        input: 2,
        output: 61,
        cacheRead: 13993,
        cacheWrite: 22,
        metadata: {
          web_search_requests: 0,
          cache_creation_input: 22,
          cache_read_input: 13993,
          cache_ephemeral_1h_input: 0,
          cache_ephemeral_5m_input: 0,
        },
      },
    ]);
    expect(sink.tools).toEqual([
      {
        providerResponseId: 'msg_015SQewixvT9s4cABCVvUE6g',
        callId: 'toolu_01RX68weRSquLx6HUTj65iBo',
        name: 'Read',
        input: '{"file_path":"/tmp/blah/foo"}',
      },
    ]);
    expect(sink.thoughts).toEqual([
      ['The user wants me to read a file called "foo". Let me find and read it.', 'thinking'],
    ]);
  });

  it('reports the same whatever the chunk boundaries', () => {
    const whole = run('anthropic/multi_thinking_builtin_tool.txtar').sink;
    for (const size of [1, 7, 64])
      expect(run('anthropic/multi_thinking_builtin_tool.txtar', size).sink).toEqual(whole);
  });

  it('skips text deltas without reading them unless a thinking or tool block is open', () => {
    const reader = new MessagesStreamReader(new CollectingSink());
    expect(reader.wantsData('content_block_delta')).toBe(false);
    expect(reader.wantsData('ping')).toBe(false);
    reader.event(
      'content_block_start',
      Buffer.from(
        '{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}',
      ),
    );
    expect(reader.wantsData('content_block_delta')).toBe(true);
  });

  it('keeps the usage seen so far and notes the failure when the stream errors', () => {
    const { sink, reader } = run('anthropic/stream_error.txtar');
    expect(reader.sawFinalEvent).toBe(false);
    expect(sink.failures).toBe(1);
    expect(sink.tokenRows.map((t) => [t.input, t.output])).toEqual([[18, 1]]);
  });
});

describe('Anthropic usage', () => {
  it('replaces cumulative counters instead of adding them', () => {
    const merged = mergeUsage(
      { input_tokens: 10, output_tokens: 1, cache_creation: { ephemeral_5m_input_tokens: 3 } },
      { output_tokens: 50, input_tokens: null, cache_creation: { ephemeral_1h_input_tokens: 2 } },
    );
    expect(merged).toEqual({
      input_tokens: 10,
      output_tokens: 50,
      cache_creation: { ephemeral_5m_input_tokens: 3, ephemeral_1h_input_tokens: 2 },
    });
    expect(messageTokens('m', merged)).toMatchObject({
      input: 10,
      output: 50,
      metadata: { cache_ephemeral_5m_input: 3, cache_ephemeral_1h_input: 2 },
    });
  });
});
