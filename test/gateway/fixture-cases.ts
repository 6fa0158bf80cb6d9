/** A fixture section name: the upstream answer to a streaming or a blocking request. */
export type Mode = 'streaming' | 'non-streaming';

/** What INDEX.md lists for a fixture, in the shape the recorded rows take. */
export interface Expected {
  responseId?: string;
  prompt?: string;
  tokens: Array<{ input: number; output: number; cacheRead?: number; cacheWrite?: number }>;
  tools?: Array<{ id: string; name: string; input: unknown }>;
  thoughts?: string[];
}

const ANGELS = 'how many angels can dance on the head of a pin\n';
const FOO_THOUGHT = 'The user wants me to read a file called "foo". Let me find and read it.';
const READ_FOO = { name: 'Read', input: { file_path: '/tmp/blah/foo' } };
const ADD = { name: 'add', input: { a: 3, b: 5 } };
const ADD_SUMMARY = 'The user wants to add 3 and 5. Let me call the add function.';
const WORKSPACES = { name: 'bmcp_coder_coder_list_workspaces', input: { owner: 'admin' } };

/**
 * Every fixture of test/fixtures/coder-aibridge, in each mode it has, with the values
 * INDEX.md lists. Two deliberate differences from the reference's numbers: Anthropic's
 * streamed `output_tokens` is cumulative, so single_builtin_tool records 61 (not 5 + 61 = 66,
 * PRODUCT §4.4); and the `*_injected_tool` fixtures are relayed as plain responses (MCP
 * injection is out of scope), so only their first upstream answer is used.
 */
export const CASES: Array<[fixture: string, mode: Mode, expected: Expected]> = [
  [
    'anthropic/simple.txtar',
    'streaming',
    {
      responseId: 'msg_01Pvyf26bY17RcjmWfJsXGBn',
      prompt: ANGELS,
      tokens: [{ input: 18, output: 240 }],
      thoughts: [
        "This is a classic philosophical question about medieval scholasticism. I'll give a thoughtful answer.",
      ],
    },
  ],
  [
    'anthropic/simple.txtar',
    'non-streaming',
    {
      responseId: 'msg_01Pvyf26bY17RcjmWfJsXGBn',
      prompt: ANGELS,
      tokens: [{ input: 18, output: 254 }],
      thoughts: [
        "This is a classic philosophical question about medieval scholasticism. I'll give a thoughtful answer.",
      ],
    },
  ],
  [
    'anthropic/single_builtin_tool.txtar',
    'streaming',
    {
      responseId: 'msg_015SQewixvT9s4cABCVvUE6g',
      prompt: 'read the foo file',
      tokens: [{ input: 2, output: 61, cacheRead: 13993, cacheWrite: 22 }],
      tools: [{ id: 'toolu_01RX68weRSquLx6HUTj65iBo', ...READ_FOO }],
      thoughts: [FOO_THOUGHT],
    },
  ],
  [
    'anthropic/single_builtin_tool.txtar',
    'non-streaming',
    {
      responseId: 'msg_01JHKqEmh7wYuPXqUWUvusfL',
      prompt: 'read the foo file',
      tokens: [{ input: 5, output: 84, cacheRead: 23490, cacheWrite: 0 }],
      tools: [{ id: 'toolu_01AusGgY5aKFhzWrFBv9JfHq', ...READ_FOO }],
      thoughts: [FOO_THOUGHT],
    },
  ],
  [
    'anthropic/multi_thinking_builtin_tool.txtar',
    'streaming',
    {
      tokens: [{ input: 2, output: 61, cacheRead: 13993, cacheWrite: 22 }],
      tools: [{ id: 'toolu_01RX68weRSquLx6HUTj65iBo', ...READ_FOO }],
      thoughts: [FOO_THOUGHT, 'I should use the Read tool to access the file contents.'],
    },
  ],
  [
    'anthropic/multi_thinking_builtin_tool.txtar',
    'non-streaming',
    {
      tokens: [{ input: 5, output: 84, cacheRead: 23490 }],
      tools: [{ id: 'toolu_01AusGgY5aKFhzWrFBv9JfHq', ...READ_FOO }],
      thoughts: [FOO_THOUGHT, 'I should use the Read tool to access the file contents.'],
    },
  ],
  [
    'anthropic/single_injected_tool.txtar',
    'streaming',
    {
      responseId: 'msg_01JWGa2JHsKBHL28Cjr2dvPK',
      prompt: 'list coder workspace IDs for admin',
      tokens: [{ input: 7545, output: 74 }],
      tools: [{ id: 'toolu_01TSQLR6R6wBUqoxGPjQKDAj', ...WORKSPACES }],
    },
  ],
  [
    'anthropic/single_injected_tool.txtar',
    'non-streaming',
    {
      responseId: 'msg_01FwkWU26guw9EwkL8zeacPL',
      tokens: [{ input: 7545, output: 75 }],
      tools: [{ id: 'toolu_01QjNz5b3HxAqAccTVnSMsKP', ...WORKSPACES }],
    },
  ],
  // The stream breaks with an error event after message_start: the usage seen so far is kept.
  ['anthropic/stream_error.txtar', 'streaming', { prompt: 'yo', tokens: [{ input: 18, output: 1 }] }],
  ['anthropic/non_stream_error.txtar', 'streaming', { tokens: [] }],
  ['anthropic/non_stream_error.txtar', 'non-streaming', { tokens: [] }],
  [
    'openai/chatcompletions/simple.txtar',
    'streaming',
    {
      responseId: 'chatcmpl-BwoiPTGRbKkY5rncfaM0s9KtWrq5N',
      prompt: ANGELS,
      tokens: [{ input: 19, output: 238 }],
    },
  ],
  [
    'openai/chatcompletions/simple.txtar',
    'non-streaming',
    {
      responseId: 'chatcmpl-BwoiPTGRbKkY5rncfaM0s9KtWrq5N',
      prompt: ANGELS,
      tokens: [{ input: 19, output: 200 }],
    },
  ],
  [
    'openai/chatcompletions/single_builtin_tool.txtar',
    'streaming',
    {
      prompt: 'how large is the README.md file in my current path',
      tokens: [{ input: 60, output: 15 }],
      tools: [{ id: 'call_HjeqP7YeRkoNj0de9e3U4X4B', name: 'read_file', input: { path: 'README.md' } }],
    },
  ],
  [
    'openai/chatcompletions/single_builtin_tool.txtar',
    'non-streaming',
    {
      tokens: [{ input: 60, output: 15 }],
      tools: [{ id: 'call_KjzAbhiZC6nk81tQzL7pwlpc', name: 'read_file', input: { path: 'README.md' } }],
    },
  ],
  [
    'openai/chatcompletions/single_injected_tool.txtar',
    'streaming',
    {
      tokens: [{ input: 4862, output: 45 }],
      tools: [{ id: 'call_0TxntkwDB66KH8z4RwNqeWrZ', ...WORKSPACES }],
    },
  ],
  [
    'openai/chatcompletions/single_injected_tool.txtar',
    'non-streaming',
    {
      tokens: [{ input: 4862, output: 45 }],
      tools: [{ id: 'call_aEuQAWKQYInC6fQ4z0iatdVP', ...WORKSPACES }],
    },
  ],
  [
    'openai/chatcompletions/stream_error.txtar',
    'streaming',
    {
      responseId: 'chatcmpl-BwoiPTGRbKkY5rncfaM0s9KtWrq5N',
      prompt: ANGELS,
      tokens: [],
    },
  ],
  [
    'openai/responses/blocking/simple.txtar',
    'non-streaming',
    {
      responseId: 'resp_0388c79043df3e3400695f9f83cd6481959062cec6830d8d51',
      prompt: 'tell me a joke',
      tokens: [{ input: 11, output: 18 }],
    },
  ],
  [
    'openai/responses/blocking/single_builtin_tool.txtar',
    'non-streaming',
    {
      prompt: 'Is 3 + 5 a prime number? Use the add function to calculate the sum.',
      tokens: [{ input: 58, output: 18 }],
      tools: [{ id: 'call_CJSaa2u51JG996575oVljuNq', ...ADD }],
      thoughts: [ADD_SUMMARY],
    },
  ],
  [
    'openai/responses/blocking/cached_input_tokens.txtar',
    'non-streaming',
    {
      prompt: 'This was a large input...',
      tokens: [{ input: 129, output: 44, cacheRead: 11904 }],
    },
  ],
  [
    'openai/responses/streaming/simple.txtar',
    'streaming',
    {
      responseId: 'resp_0f9c4b2f224d858000695fa062bf048197a680f357bbb09000',
      prompt: 'tell me a joke',
      tokens: [{ input: 11, output: 18 }],
    },
  ],
  [
    'openai/responses/streaming/builtin_tool.txtar',
    'streaming',
    {
      tokens: [{ input: 58, output: 18 }],
      tools: [{ id: 'call_7VaiUXZYuuuwWwviCrckxq6t', ...ADD }],
      thoughts: [ADD_SUMMARY],
    },
  ],
];
