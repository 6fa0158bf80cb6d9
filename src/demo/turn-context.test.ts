import { describe, expect, it } from 'vitest';
import { anthropicTurn, chatTurn, responsesTurn } from './turn-context.js';

describe('reading where a conversation stands', () => {
  it('Messages: the last text of the last human message, one step per assistant message since', () => {
    const body = {
      thinking: { type: 'adaptive' },
      tools: [{ name: 'Read' }, { name: 'Bash' }],
      messages: [
        { role: 'user', content: 'earlier prompt' },
        { role: 'assistant', content: [{ type: 'text', text: 'done' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: '<system-reminder/>' },
            { type: 'text', text: 'now this' },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Read', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'x' }] },
        { role: 'system', content: 'Claude Code puts system entries here' },
      ],
    };
    expect(anthropicTurn(body, JSON.stringify(body))).toEqual({
      prompt: 'now this',
      step: 1,
      tools: ['Read', 'Bash'],
      thinking: true,
      fresh: false,
      cacheControl: false,
    });
    const first = { messages: [{ role: 'user', content: 'hi' }], system: [{ cache_control: {} }] };
    expect(anthropicTurn(first, JSON.stringify(first))).toMatchObject({
      step: 0,
      fresh: true,
      cacheControl: true,
    });
  });

  it('Responses: the last user message, one step per run of model output items since', () => {
    const body = {
      reasoning: { summary: 'auto' },
      tools: [
        { type: 'function', name: 'exec_command' },
        { type: 'custom', name: 'apply_patch' },
        { type: 'web_search' },
      ],
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'rules' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'add a flag' }] },
        { type: 'reasoning', summary: [] },
        { type: 'function_call', call_id: 'c1', name: 'exec_command', arguments: '{}' },
        { type: 'function_call', call_id: 'c2', name: 'exec_command', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: '' },
        { type: 'function_call_output', call_id: 'c2', output: '' },
        { type: 'custom_tool_call', call_id: 'c3', name: 'apply_patch', input: '' },
        { type: 'custom_tool_call_output', call_id: 'c3', output: '' },
      ],
    };
    expect(responsesTurn(body)).toEqual({
      prompt: 'add a flag',
      step: 2,
      tools: ['exec_command', 'apply_patch'],
      thinking: true,
      fresh: false,
      cacheControl: false,
    });
    expect(responsesTurn({ input: 'plain string' })).toMatchObject({
      prompt: 'plain string',
      step: 0,
      fresh: true,
    });
  });

  it('Chat Completions: the last user message, one step per assistant message since', () => {
    const body = {
      tools: [{ type: 'function', function: { name: 'get_weather' } }],
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'weather in Oslo?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1' }] },
        { role: 'tool', tool_call_id: 'c1', content: '4 °C' },
      ],
    };
    expect(chatTurn(body)).toEqual({
      prompt: 'weather in Oslo?',
      step: 1,
      tools: ['get_weather'],
      thinking: false,
      fresh: false,
      cacheControl: false,
    });
  });
});
