import { randomUUID } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresUnavailable } from '../databases.js';
import { FakeUpstream, replay } from '../fake-upstream.js';
import { loadTxtar, section } from '../fixtures.js';
import { callGateway, gatewayOverrides, interceptionId, waitForRecording } from '../gateway.js';
import { describeEachServer, startTestServer, type TestServer } from '../server.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

type Mode = 'streaming' | 'non-streaming';

/** One API's two-step tool loop: a prompt that makes the model call a tool, then the tool's result. */
interface Loop {
  path: string;
  /** The fixture whose answer calls a tool, per mode, and that call's id. */
  toolAnswer: Record<Mode, [fixture: string, callId: string]>;
  /** A plain answer for the follow-up. */
  finalAnswer: Record<Mode, string>;
  client: { name: string; headers: (session: string) => Record<string, string> };
  first(stream: boolean): unknown;
  followUp(stream: boolean, callId: string): unknown;
}

const LOOPS: Record<string, Loop> = {
  messages: {
    path: '/anthropic/v1/messages?beta=true',
    toolAnswer: {
      streaming: ['anthropic/single_builtin_tool.txtar', 'toolu_01RX68weRSquLx6HUTj65iBo'],
      'non-streaming': ['anthropic/single_builtin_tool.txtar', 'toolu_01AusGgY5aKFhzWrFBv9JfHq'],
    },
    finalAnswer: { streaming: 'anthropic/simple.txtar', 'non-streaming': 'anthropic/simple.txtar' },
    client: {
      name: 'Claude Code',
      headers: (session) => ({
        'user-agent': 'claude-cli/2.1.197 (external, cli)',
        'x-claude-code-session-id': session,
      }),
    },
    first: (stream) => ({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      stream,
      messages: [{ role: 'user', content: 'read the foo file' }],
    }),
    followUp: (stream, callId) => ({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      stream,
      messages: [
        { role: 'user', content: 'read the foo file' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: callId, name: 'Read', input: { file_path: '/tmp/blah/foo' } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: callId, content: 'foo contents' }] },
        { role: 'system', content: 'Claude Code puts system entries after the turn' },
      ],
    }),
  },
  'chat-completions': {
    path: '/openai/v1/chat/completions',
    toolAnswer: {
      streaming: ['openai/chatcompletions/single_builtin_tool.txtar', 'call_HjeqP7YeRkoNj0de9e3U4X4B'],
      'non-streaming': ['openai/chatcompletions/single_builtin_tool.txtar', 'call_KjzAbhiZC6nk81tQzL7pwlpc'],
    },
    finalAnswer: {
      streaming: 'openai/chatcompletions/simple.txtar',
      'non-streaming': 'openai/chatcompletions/simple.txtar',
    },
    client: {
      name: 'Mux',
      headers: (session) => ({ 'user-agent': 'mux/0.9.0', 'x-mux-workspace-id': session }),
    },
    first: (stream) => ({
      model: 'gpt-4.1',
      stream,
      messages: [{ role: 'user', content: 'how large is README.md' }],
    }),
    followUp: (stream, callId) => ({
      model: 'gpt-4.1',
      stream,
      messages: [
        { role: 'user', content: 'how large is README.md' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: callId,
              type: 'function',
              function: { name: 'read_file', arguments: '{"path":"README.md"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: callId, content: '42 bytes' },
      ],
    }),
  },
  responses: {
    path: '/openai/v1/responses',
    toolAnswer: {
      streaming: ['openai/responses/streaming/builtin_tool.txtar', 'call_7VaiUXZYuuuwWwviCrckxq6t'],
      'non-streaming': [
        'openai/responses/blocking/single_builtin_tool.txtar',
        'call_CJSaa2u51JG996575oVljuNq',
      ],
    },
    finalAnswer: {
      streaming: 'openai/responses/streaming/simple.txtar',
      'non-streaming': 'openai/responses/blocking/simple.txtar',
    },
    client: {
      name: 'Codex',
      headers: (session) => ({
        'user-agent': 'codex_exec/0.171.0 (Debian 12.0.0; x86_64)',
        originator: 'codex_exec',
        'session-id': session,
      }),
    },
    first: (stream) => ({
      model: 'gpt-5',
      stream,
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'add 3 and 5' }] }],
    }),
    followUp: (stream, callId) => ({
      model: 'gpt-5',
      stream,
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'add 3 and 5' }] },
        { type: 'function_call', call_id: callId, name: 'add', arguments: '{"a":3,"b":5}' },
        { type: 'function_call_output', call_id: callId, output: '8' },
      ],
    }),
  },
};

/** Sends one request of a loop and waits for its recording. */
async function send(
  server: TestServer,
  loop: Loop,
  body: unknown,
  answer: string,
  headers: Record<string, string>,
  token?: string,
) {
  upstream.next(replay(answer));
  const res = await callGateway(server, loop.path, { json: body, headers, ...(token ? { token } : {}) });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  return waitForRecording(server.running.db, interceptionId(res));
}

describeEachServer(
  'threads and sessions',
  (server) => {
    beforeEach(() => upstream.reset());

    for (const [api, loop] of Object.entries(LOOPS)) {
      for (const mode of ['streaming', 'non-streaming'] as const) {
        it(`${api} (${mode}): a tool loop is one thread and, with a client session id, one session`, async () => {
          const stream = mode === 'streaming';
          const [fixture, callId] = loop.toolAnswer[mode];
          const session = `session-${randomUUID()}`;
          const headers = loop.client.headers(session);
          const first = await send(
            server(),
            loop,
            loop.first(stream),
            section(loadTxtar(fixture), mode),
            headers,
          );
          expect(first.tools.map((t) => t.provider_tool_call_id)).toEqual([callId]);
          expect(first.interception).toMatchObject({
            thread_parent_id: null,
            thread_root_id: null,
            client: loop.client.name,
          });

          const finalAnswer = section(loadTxtar(loop.finalAnswer[mode]), mode);
          const second = await send(server(), loop, loop.followUp(stream, callId), finalAnswer, headers);
          expect(second.interception).toMatchObject({
            thread_parent_id: first.interception.id,
            thread_root_id: first.interception.id,
            client_session_id: session,
            session_id: session,
          });
          expect(first.interception.session_id).toBe(session);
          expect(second.prompts).toEqual([]);

          // The same call id from another user is not theirs to continue.
          const other = await server().createUser(`other-${api.slice(0, 4)}-${mode.slice(0, 3)}`);
          const stranger = await send(
            server(),
            loop,
            loop.followUp(stream, callId),
            finalAnswer,
            {},
            other.token,
          );
          expect(stranger.interception).toMatchObject({ thread_parent_id: null, thread_root_id: null });

          // Without a client session id the thread root is the session.
          await send(server(), loop, loop.first(stream), section(loadTxtar(fixture), mode), {});
          const bare = await send(server(), loop, loop.followUp(stream, callId), finalAnswer, {});
          expect(bare.interception.session_id).toBe(bare.interception.thread_root_id);
        });
      }
    }

    it('keeps the root when a thread goes on: A → B → C', async () => {
      const loop = LOOPS.messages as Loop;
      const tool = section(loadTxtar('anthropic/single_builtin_tool.txtar'), 'streaming');
      const a = await send(server(), loop, loop.first(true), tool, {});
      const b = await send(server(), loop, loop.followUp(true, 'toolu_01RX68weRSquLx6HUTj65iBo'), tool, {});
      const c = await send(server(), loop, loop.followUp(true, 'toolu_01RX68weRSquLx6HUTj65iBo'), tool, {});
      expect(b.interception.thread_parent_id).toBe(a.interception.id);
      expect(c.interception).toMatchObject({
        thread_parent_id: b.interception.id,
        thread_root_id: a.interception.id,
      });
    });
  },
  gatewayOverrides(upstream),
);

describe.skipIf(postgresUnavailable !== undefined)('lineage across replicas [postgres]', () => {
  it('a tool result sent to another replica the moment the answer ends still finds its parent', async () => {
    // Replica A lingers a minute before writing batches (longer than this test may run): only
    // the tool-call gate can make the row visible to replica B before the answer ends.
    const a = await startTestServer('postgres', gatewayOverrides(upstream), {
      recorder: { lingerMs: 60_000 },
    });
    const b = await startTestServer('postgres', gatewayOverrides(upstream), { replicaOf: a });
    try {
      upstream.reset();
      for (const mode of ['streaming', 'non-streaming'] as const) {
        for (const loop of Object.values(LOOPS)) {
          const [fixture, callId] = loop.toolAnswer[mode];
          upstream.next(
            replay(section(loadTxtar(fixture), mode)),
            replay(section(loadTxtar(loop.finalAnswer[mode]), mode)),
          );
          const first = await callGateway(a, loop.path, { json: loop.first(mode === 'streaming') });
          await first.arrayBuffer();
          const second = await callGateway(b, loop.path, {
            json: loop.followUp(mode === 'streaming', callId),
          });
          await second.arrayBuffer();
          const recorded = await waitForRecording(b.running.db, interceptionId(second));
          expect(recorded.interception.thread_parent_id, `${loop.path} ${mode}`).toBe(interceptionId(first));
        }
      }
    } finally {
      await b.close();
      await a.close();
    }
  });
});
