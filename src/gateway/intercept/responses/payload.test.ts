import { describe, expect, it } from 'vitest';
import { loadClientCapture } from '../../../../test/fixtures.js';
import { readResponsesPayload } from './payload.js';

const read = (body: unknown) => readResponsesPayload(Buffer.from(JSON.stringify(body)));

describe('readResponsesPayload', () => {
  it.each([
    ['codex-exec', 'say hi'],
    ['codex-exec-resume', 'continue the last session'],
    ['openai-sdk-js-responses', 'say hi'],
  ])('reads the prompt of %s', (name, prompt) => {
    expect(read(loadClientCapture(name).body).prompt?.read()).toBe(prompt);
  });

  it("finds Codex's function_call_output and its prompt_cache_key", () => {
    const payload = read(loadClientCapture('codex-exec-toolresult').body);
    expect(payload.toolCallId).toBe('call_fake_a75dba136d7843be807865f8');
    expect(payload.prompt).toBeUndefined();
    expect(payload.sessionHints.promptCacheKey).toBe('01a2223a-b072-7990-a64e-1c30beb58f5b');
  });

  it('joins input_text parts with newlines and follows custom tool outputs', () => {
    const parts = read({
      model: 'm',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'a' },
            { type: 'input_image' },
            { type: 'input_text', text: 'b' },
          ],
        },
      ],
    });
    expect(parts.prompt?.read()).toBe('a\nb');
    expect(
      read({ model: 'm', input: [{ type: 'custom_tool_call_output', call_id: 'c1', output: 'x' }] })
        .toolCallId,
    ).toBe('c1');
    expect(read({ model: 'm', input: [{ role: 'assistant', content: 'x' }] }).prompt).toBeUndefined();
  });
});
