import { describe, expect, it } from 'vitest';
import { loadClientCapture } from '../../../../test/fixtures.js';
import { PayloadError } from '../payload.js';
import { readMessagesPayload } from './payload.js';

const read = (body: unknown) => readMessagesPayload(Buffer.from(JSON.stringify(body)));

describe('readMessagesPayload', () => {
  it("takes Claude Code's prompt from the last user message, past the system entries it appends", () => {
    const payload = read(loadClientCapture('claude-code-interactive').body);
    expect(payload).toMatchObject({ model: 'claude-opus-4-8', stream: true, toolCallId: undefined });
    expect(payload.prompt?.read()).toBe('say hi interactively');
    expect(payload.sessionHints.metadataUserId).toContain('a3acad36-7a3a-49fc-83e6-bc93427f246d');
  });

  it('keeps the prompt once detached, after the body memory is reused for another request', () => {
    const body = Buffer.from(
      JSON.stringify({
        model: 'm',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'first "part"' },
              { type: 'text', text: 'the ask ✓\n' },
            ],
          },
        ],
      }),
    );
    const prompt = readMessagesPayload(body).prompt;
    prompt?.detach?.();
    body.fill(0x20);
    expect(prompt?.read()).toBe('the ask ✓\n');
  });

  it('finds the tool result of an agent loop and records no prompt for it', () => {
    const payload = read(loadClientCapture('claude-code-print-toolresult').body);
    expect(payload.toolCallId).toBe('toolu_fake_1946ca7ed9134be9ac58afb4');
    expect(payload.prompt).toBeUndefined();
  });

  it('reads string content, escapes included, and nothing for an assistant prefill or empty text', () => {
    expect(read({ model: 'm', messages: [{ role: 'user', content: 'a "quoted"\n✓' }] }).prompt?.read()).toBe(
      'a "quoted"\n✓',
    );
    expect(
      read({
        model: 'm',
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'pre' },
        ],
      }).prompt,
    ).toBeUndefined();
    expect(read({ model: 'm', messages: [{ role: 'user', content: '' }] }).prompt).toBeUndefined();
    expect(read({ model: 'm' }).prompt).toBeUndefined();
  });

  it('rejects bodies it cannot bridge, with a reason', () => {
    expect(() => readMessagesPayload(Buffer.from('{"model":"m","messages":[{"role" "user"}]}'))).toThrow(
      PayloadError,
    );
    expect(() => read({ messages: [] })).toThrow(/"model"/);
  });
});
