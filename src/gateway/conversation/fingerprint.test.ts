import { describe, expect, it } from 'vitest';
import { readChatPayload } from '../intercept/chat-completions/payload.js';
import { readMessagesPayload } from '../intercept/messages/payload.js';
import { readResponsesPayload } from '../intercept/responses/payload.js';

const start = (read: (body: Buffer) => { conversation?: (() => unknown) | undefined }, body: unknown) =>
  read(Buffer.from(JSON.stringify(body))).conversation?.() as
    | { opening: string; answered?: string }
    | undefined;

describe('conversation fingerprints', () => {
  it('chat completions: turns of one conversation share the opening; a later turn also has its first answer', () => {
    const opening = [
      { role: 'system', content: 'be terse' },
      { role: 'user', content: 'hi' },
    ];
    const turn1 = start(readChatPayload, { model: 'm', messages: opening });
    const turn2 = start(readChatPayload, {
      model: 'm',
      messages: [...opening, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'more' }],
    });
    const turn3 = start(readChatPayload, {
      model: 'm',
      messages: [
        ...opening,
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'more' },
        { role: 'assistant', content: 'sure' },
        { role: 'user', content: 'thanks' },
      ],
    });
    expect(turn1?.answered).toBeUndefined();
    expect(turn2?.opening).toBe(turn1?.opening);
    expect(turn3).toEqual(turn2);
    const otherAnswer = start(readChatPayload, {
      model: 'm',
      messages: [...opening, { role: 'assistant', content: 'hey' }, { role: 'user', content: 'more' }],
    });
    expect(otherAnswer?.opening).toBe(turn1?.opening);
    expect(otherAnswer?.answered).not.toBe(turn2?.answered);
    const otherSystem = start(readChatPayload, {
      model: 'm',
      messages: [{ role: 'system', content: 'x' }, opening[1]],
    });
    expect(otherSystem?.opening).not.toBe(turn1?.opening);
  });

  it('messages: the system prompt counts, prompt-caching markers and Claude Code system entries do not', () => {
    const text = (t: string, cached = false) => ({
      type: 'text',
      text: t,
      ...(cached ? { cache_control: { type: 'ephemeral' } } : {}),
    });
    const turn1 = start(readMessagesPayload, {
      model: 'm',
      system: 'you help',
      messages: [{ role: 'user', content: [text('question', true)] }],
    });
    const turn2 = start(readMessagesPayload, {
      model: 'm',
      system: 'you help',
      messages: [
        { role: 'user', content: [text('question')] },
        { role: 'system', content: 'inserted by the client' },
        { role: 'assistant', content: [text('answer')] },
        { role: 'user', content: [text('next', true)] },
      ],
    });
    expect(turn2?.opening).toBe(turn1?.opening);
    expect(turn2?.answered).toBeDefined();
    expect(
      start(readMessagesPayload, { model: 'm', system: 'other', messages: [{ role: 'user', content: 'q' }] })
        ?.opening,
    ).not.toBe(
      start(readMessagesPayload, {
        model: 'm',
        system: 'you help',
        messages: [{ role: 'user', content: 'q' }],
      })?.opening,
    );
    expect(
      start(readMessagesPayload, { model: 'm', messages: [{ role: 'assistant', content: 'prefill' }] }),
    ).toBeUndefined();
  });

  it('responses: a string input and instructions; an array input with items after the opening', () => {
    const first = start(readResponsesPayload, { model: 'm', instructions: 'sys', input: 'hi' });
    expect(first?.answered).toBeUndefined();
    const later = start(readResponsesPayload, {
      model: 'm',
      instructions: 'sys',
      input: [
        { role: 'user', content: 'hi' },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: '1' },
      ],
    });
    expect(later?.answered).toBeDefined();
    expect(
      start(readResponsesPayload, {
        model: 'm',
        input: [{ type: 'function_call_output', call_id: 'c', output: '' }],
      }),
    ).toBeUndefined();
  });

  it('hashes a long value by its head, its tail and its length', () => {
    const long = (middle: string, end = 'end') => `${'a'.repeat(40_000)}${middle}${'b'.repeat(40_000)}${end}`;
    const of = (content: string) =>
      start(readChatPayload, { model: 'm', messages: [{ role: 'user', content }] })?.opening;
    expect(of(long('x'))).toBe(of(long('y')));
    expect(of(long('x'))).not.toBe(of(long('x', 'END')));
    expect(of(long('x'))).not.toBe(of(long('xx')));
  });
});
