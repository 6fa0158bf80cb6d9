import { describe, expect, it } from 'vitest';
import { loadTxtar, section } from '../../../../test/fixtures.js';
import { CollectingSink, readStream } from '../../../../test/sink.js';
import { readResponsesResponse } from './blocking.js';
import { ResponsesStreamReader } from './streaming.js';

describe('ResponsesStreamReader', () => {
  it('reports tool calls and reasoning summaries from finished items, usage from response.completed', () => {
    const sink = new CollectingSink();
    const reader = readStream(
      new ResponsesStreamReader(sink),
      section(loadTxtar('openai/responses/streaming/builtin_tool.txtar'), 'streaming'),
    );
    expect(reader.sawFinalEvent).toBe(true);
    const id = 'resp_0c3fb28cfcf463a500695fa2f0239481a095ec6ce3dfe4d458';
    expect(new Set(sink.responseIds)).toEqual(new Set([id]));
    expect(sink.tools).toEqual([
      {
        providerResponseId: id,
        callId: 'call_7VaiUXZYuuuwWwviCrckxq6t',
        name: 'add',
        input: '{"a":3,"b":5}',
      },
    ]);
    expect(sink.thoughts).toEqual([
      ['The user wants to add 3 and 5. Let me call the add function.', 'reasoning_summary'],
    ]);
    expect(sink.tokenRows.map((t) => [t.input, t.output, t.metadata.total_tokens])).toEqual([[58, 18, 76]]);
  });

  it('reads events that come without an event line, and items only from completed when no item events came', () => {
    const completed = {
      type: 'response.completed',
      response: {
        id: 'r1',
        status: 'completed',
        output: [{ type: 'custom_tool_call', call_id: 'c1', name: 'apply_patch', input: '*** Begin Patch' }],
        usage: { input_tokens: 5, output_tokens: 2 },
      },
    };
    const sink = new CollectingSink();
    readStream(new ResponsesStreamReader(sink), `data: ${JSON.stringify(completed)}\n\n`);
    expect(sink.tools).toEqual([
      { providerResponseId: 'r1', callId: 'c1', name: 'apply_patch', input: '*** Begin Patch' },
    ]);
    expect(sink.tokenRows.map((t) => [t.input, t.output])).toEqual([[5, 2]]);
  });

  it('records commentary-phase assistant text as thoughts in blocking responses', () => {
    const sink = new CollectingSink();
    readResponsesResponse(
      {
        id: 'r',
        output: [
          {
            type: 'message',
            phase: 'commentary',
            content: [{ type: 'output_text', text: 'checking files' }],
          },
          { type: 'message', content: [{ type: 'output_text', text: 'answer' }] },
        ],
      },
      sink,
    );
    expect(sink.thoughts).toEqual([['checking files', 'commentary']]);
  });
});
