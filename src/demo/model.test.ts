import { describe, expect, it } from 'vitest';
import { estimateUsage, planTurn, type Task, taskBook } from './model.js';

const task: Task = {
  prompt: 'fix the parser',
  steps: [
    { thinking: 'read it first', calls: [{ name: 'Read', input: { file_path: 'a.ts' } }] },
    {
      calls: [
        { name: 'Edit', input: {} },
        { name: 'apply_patch', input: '*** Begin Patch' },
      ],
    },
  ],
  answer: 'fixed',
  finalThinking: 'done',
};
const book = taskBook([task]);
const context = { prompt: 'fix the parser', step: 0, tools: ['Read', 'Edit'], thinking: true };

describe('the scripted model', () => {
  it('works through a known task step by step, then answers', () => {
    expect(planTurn(book, context)).toEqual({
      thinking: 'read it first',
      text: undefined,
      calls: [{ name: 'Read', input: { file_path: 'a.ts' } }],
    });
    expect(planTurn(book, { ...context, thinking: false }).thinking).toBeUndefined();
    // Only the tools the client offers are called.
    expect(planTurn(book, { ...context, step: 1 }).calls.map((c) => c.name)).toEqual(['Edit']);
    expect(planTurn(book, { ...context, step: 2 })).toEqual({ thinking: 'done', text: 'fixed', calls: [] });
    expect(planTurn(book, { ...context, tools: [] })).toMatchObject({ text: 'fixed', calls: [] });
  });

  it('improvises a short, repeatable loop over the offered tools for prompts it does not know', () => {
    const unknown = { prompt: 'something else entirely', step: 0, tools: ['Bash', 'Read'], thinking: false };
    const first = planTurn(book, unknown);
    expect(planTurn(book, unknown)).toEqual(first);
    for (const call of first.calls) expect(['Bash', 'Read']).toContain(call.name);
    expect(planTurn(book, { ...unknown, step: 5 }).calls).toEqual([]);
    expect(planTurn(book, { ...unknown, tools: [] })).toMatchObject({ calls: [], text: expect.any(String) });
  });

  it('prices requests like the providers: Anthropic cache writes then reads, OpenAI caching big prompts in 128s', () => {
    const turn = { thinking: undefined, text: 'ok', calls: [] };
    const fresh = estimateUsage(40_000, turn, { kind: 'anthropic', fresh: true });
    expect(fresh.cacheRead).toBe(0);
    expect(fresh.cacheWrite).toBeGreaterThan(fresh.input);
    const later = estimateUsage(40_000, turn, { kind: 'anthropic', fresh: false });
    expect(later.cacheRead).toBeGreaterThan(later.cacheWrite);
    expect(later.input + later.cacheRead + later.cacheWrite).toBe(10_000);
    expect(estimateUsage(2_000, turn, { kind: 'openai', fresh: false }).cacheRead).toBe(0);
    const cached = estimateUsage(40_000, turn, { kind: 'openai', fresh: false });
    expect(cached.cacheRead % 128).toBe(0);
    expect(cached.input + cached.cacheRead).toBe(10_000);
    expect(estimateUsage(40_000, turn, { kind: 'openai', fresh: true }).cacheRead).toBe(0);
  });
});
