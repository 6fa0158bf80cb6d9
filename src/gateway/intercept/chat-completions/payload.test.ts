import { describe, expect, it } from 'vitest';
import { loadClientCapture } from '../../../../test/fixtures.js';
import { readChatPayload } from './payload.js';

const read = (body: string | unknown) =>
  readChatPayload(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));

describe('readChatPayload', () => {
  it('reads the prompt and leaves a body that already asks for usage untouched', () => {
    const payload = read(loadClientCapture('openai-sdk-js-chat').body);
    expect(payload.prompt?.read()).toBe('say hi');
    expect(payload.upstreamBody).toBeUndefined();
  });

  it('forces stream_options.include_usage on streaming requests, changing nothing else', () => {
    const body = '{ "model" : "gpt-4o",\n  "stream": true, "messages": [{"role":"user","content":"hi"}] }';
    const rewritten = read(body).upstreamBody?.toString();
    expect(rewritten).toBe(
      `{"stream_options":{"include_usage":true}, "model" : "gpt-4o",\n  "stream": true, "messages": [{"role":"user","content":"hi"}] }`,
    );
    const withOptions = read({
      model: 'm',
      stream: true,
      stream_options: { include_usage: false, extra: 1 },
    });
    expect(JSON.parse(withOptions.upstreamBody?.toString() ?? '')).toEqual({
      model: 'm',
      stream: true,
      stream_options: { include_usage: true, extra: 1 },
    });
    expect(read({ model: 'm', stream: false }).upstreamBody).toBeUndefined();
  });

  it('finds the tool call a tool message answers, and text parts of a user message', () => {
    expect(
      read({
        model: 'm',
        messages: [
          { role: 'user', content: 'q' },
          { role: 'tool', tool_call_id: 'call_1', content: 'r' },
        ],
      }),
    ).toMatchObject({
      toolCallId: 'call_1',
      prompt: undefined,
    });
    const parts = read({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [{ type: 'text', text: 'a' }, { type: 'image_url' }, { type: 'text', text: 'b' }],
        },
      ],
    });
    expect(parts.prompt?.read()).toBe('b');
  });
});
