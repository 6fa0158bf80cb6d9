import { randomUUID } from 'node:crypto';
import { afterAll, beforeEach, expect, it } from 'vitest';
import { FakeUpstream, replay } from '../fake-upstream.js';
import { loadTxtar, section } from '../fixtures.js';
import { callGateway, gatewayOverrides, interceptionId, waitForRecording } from '../gateway.js';
import { describeEachServer } from '../server.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

const SIMPLE = loadTxtar('anthropic/simple.txtar');
const TOOL = loadTxtar('anthropic/single_builtin_tool.txtar');
const CALL_IDS = {
  streaming: 'toolu_01RX68weRSquLx6HUTj65iBo',
  'non-streaming': 'toolu_01AusGgY5aKFhzWrFBv9JfHq',
} as const;

const CLAUDE_CODE = (session: string) => ({
  'user-agent': 'claude-cli/2.1.197 (external, cli)',
  'x-claude-code-session-id': session,
});

function readFoo(stream: boolean, callId?: string) {
  const messages: unknown[] = [{ role: 'user', content: 'read the foo file' }];
  if (callId) {
    messages.push(
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: callId, name: 'Read', input: { file_path: '/tmp/blah/foo' } }],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: callId, content: 'foo contents' }] },
    );
  }
  return { model: 'claude-sonnet-4-5', max_tokens: 64, stream, messages };
}

describeEachServer(
  'fast recording mode',
  (server) => {
    beforeEach(() => upstream.reset());

    for (const mode of ['streaming', 'non-streaming'] as const) {
      const stream = mode === 'streaming';

      it(`${mode}: relays the answer and records the interception with its batch`, async () => {
        const before = server().running.recorder.stats.startStatements;
        upstream.next(replay(section(SIMPLE, mode)));
        const res = await callGateway(server(), '/anthropic/v1/messages', {
          json: readFoo(stream),
          headers: CLAUDE_CODE(`s-${randomUUID()}`),
        });
        expect(res.status).toBe(200);
        expect(await res.text()).toBe(section(SIMPLE, mode));
        const recorded = await waitForRecording(server().running.db, interceptionId(res));
        expect(recorded.interception).toMatchObject({ provider: 'anthropic', client: 'Claude Code' });
        expect(recorded.tokens).toHaveLength(1);
        expect(recorded.prompts.map((p) => p.prompt)).toEqual(['read the foo file']);
        // No start row was committed ahead of the upstream call: the batches wrote it.
        expect(server().running.recorder.stats.startStatements).toBe(before);
      });

      it(`${mode}: a tool loop is still one thread and one session`, async () => {
        const session = `s-${randomUUID()}`;
        upstream.next(replay(section(TOOL, mode)));
        const first = await callGateway(server(), '/anthropic/v1/messages?beta=true', {
          json: readFoo(stream),
          headers: CLAUDE_CODE(session),
        });
        await first.arrayBuffer();
        const parent = await waitForRecording(server().running.db, interceptionId(first));
        expect(parent.tools.map((t) => t.provider_tool_call_id)).toEqual([CALL_IDS[mode]]);

        upstream.next(replay(section(SIMPLE, mode)));
        const second = await callGateway(server(), '/anthropic/v1/messages?beta=true', {
          json: readFoo(stream, CALL_IDS[mode]),
          headers: CLAUDE_CODE(session),
        });
        await second.arrayBuffer();
        const child = await waitForRecording(server().running.db, interceptionId(second));
        expect(child.interception).toMatchObject({
          thread_parent_id: parent.interception.id,
          thread_root_id: parent.interception.id,
          session_id: session,
        });
      });
    }
  },
  { ...gatewayOverrides(upstream), recordingMode: 'fast' },
);
