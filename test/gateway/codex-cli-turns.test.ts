import { rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CODEX_BIN,
  CODEX_RESUME_LAST,
  CODEX_STREAM,
  runCodex,
  runCodexOverSocket,
  scratchHome,
} from '../clients/real-cli.js';
import { FakeUpstream, type ReceivedRequest, reply, stream } from '../fake-upstream.js';
import { gatewayOverrides, waitForAllRecordings } from '../gateway.js';
import { startTestServer, type TestServer } from '../server.js';

const WS_BETA = 'responses_websockets=2026-02-06';
const NO_ERROR = /ERROR|failed to connect to Responses WebSocket/;

/** The Responses turns the fake provider received (each bridged from a WebSocket message). */
function turns(upstream: FakeUpstream): ReceivedRequest[] {
  return upstream.received.filter((r) => r.url.startsWith('/v1/responses'));
}

/** The model list Codex asks for, empty; every other path is a Responses turn. */
function modelsOr(turn: (req: ReceivedRequest, res: ServerResponse) => void) {
  return (req: ReceivedRequest, res: ServerResponse) =>
    req.url.startsWith('/v1/responses')
      ? turn(req, res)
      : reply(200, '{"object":"list","data":[]}')(req, res);
}

/**
 * The real Codex CLI (AIBRIDGE_CODEX_BIN) over WebSocket beyond one turn: the built-in provider,
 * `resume --last`, and a tool loop, each recorded as one session.
 */
describe.skipIf(!CODEX_BIN)('the real Codex CLI over WebSocket: built-in provider and resume', () => {
  const home = scratchHome('codex-turns');
  let upstream: FakeUpstream;
  let server: TestServer;
  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    upstream.always(modelsOr(stream(CODEX_STREAM)));
    server = await startTestServer('pglite', gatewayOverrides(upstream));
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
    rmSync(home, { recursive: true, force: true });
  });
  const builtin = () => ({
    baseUrl: `${server.url}/api/v2/aibridge/openai/v1`,
    envKey: 'CODEX_API_KEY',
    websockets: true,
    builtin: true,
  });

  it('new thread: built-in openai provider with openai_base_url, over WebSocket, one session', async () => {
    const { output } = await runCodex(home, builtin(), { CODEX_API_KEY: server.ownerToken });
    expect(output).toContain('hello from the fake');
    expect(output).not.toMatch(NO_ERROR);
    expect(turns(upstream).length).toBeGreaterThan(0);
    expect(turns(upstream).every((r) => r.headers['openai-beta'] === WS_BETA)).toBe(true);
    const rows = await waitForAllRecordings(server.running.db);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.interception.client === 'Codex' && r.interception.provider === 'openai')).toBe(
      true,
    );
    expect(new Set(rows.map((r) => r.interception.session_id)).size).toBe(1);
    expect(rows.flatMap((r) => r.prompts.map((p) => p.prompt))).toContain('say hello');
  }, 60_000);

  it('exec resume --last: continues that thread over WebSocket and joins the same session', async () => {
    const before = (await waitForAllRecordings(server.running.db)).length;
    const sent = turns(upstream).length;
    const { output } = await runCodex(
      home,
      builtin(),
      { CODEX_API_KEY: server.ownerToken },
      CODEX_RESUME_LAST,
    );
    expect(output).toContain('hello from the fake');
    expect(output).not.toMatch(NO_ERROR);
    const resumed = turns(upstream).slice(sent);
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.every((r) => r.headers['openai-beta'] === WS_BETA)).toBe(true);
    // The resumed turn carries the first thread's history and the new prompt.
    const last = resumed.at(-1)?.body.toString('utf8') ?? '';
    expect(last).toContain('say hello');
    expect(last).toContain('say more');
    const rows = await waitForAllRecordings(server.running.db);
    expect(rows.length).toBeGreaterThan(before);
    expect(new Set(rows.map((r) => r.interception.session_id)).size).toBe(1);
    expect(rows.at(-1)?.prompts.map((p) => p.prompt)).toContain('say more');
  }, 60_000);
});

/** A whole Responses stream with `item` as its only output. */
function responseStream(id: string, item: Record<string, unknown>): string {
  const response = { id, object: 'response', model: 'gpt-4o-mini' };
  const usage = { input_tokens: 11, output_tokens: 2, total_tokens: 13 };
  return [
    { type: 'response.created', response: { ...response, status: 'in_progress', output: [] } },
    { type: 'response.output_item.done', output_index: 0, item },
    { type: 'response.completed', response: { ...response, status: 'completed', output: [item], usage } },
  ]
    .map((event, i) => ({ ...event, sequence_number: i }))
    .map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
    .join('');
}

/** The shell tool Codex offered, called with `echo hi` in the arguments that tool takes. */
function shellCall(req: ReceivedRequest): Record<string, unknown> {
  const offered = ((req.json as { tools?: { name?: string }[] }).tools ?? []).map((t) => t.name);
  const [name, args] = offered.includes('exec_command')
    ? ['exec_command', { cmd: 'echo hi' }]
    : offered.includes('shell_command')
      ? ['shell_command', { command: 'echo hi' }]
      : ['shell', { command: ['echo', 'hi'] }];
  return {
    id: 'fc_1',
    type: 'function_call',
    status: 'completed',
    call_id: 'call_1',
    name,
    arguments: JSON.stringify(args),
  };
}

describe.skipIf(!CODEX_BIN)('the real Codex CLI over WebSocket: a tool loop', () => {
  const home = scratchHome('codex-tool');
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('tool loop: function_call, Codex runs echo hi and sends the output, final text; one thread', async () => {
    const upstream = await FakeUpstream.start();
    upstream.always(
      modelsOr((req, res) => {
        const body = req.body.toString('utf8');
        const text = { type: 'output_text', text: 'the command said hi', annotations: [] };
        const item = body.includes('function_call_output')
          ? { id: 'msg_2', type: 'message', role: 'assistant', status: 'completed', content: [text] }
          : shellCall(req);
        void stream(responseStream(`resp_${upstream.received.length}`, item))(req, res);
      }),
    );
    const server = await startTestServer('pglite', gatewayOverrides(upstream));
    try {
      const { output } = await runCodexOverSocket(home, server, server.ownerToken);
      expect(output).toContain('the command said hi');
      expect(output).not.toMatch(NO_ERROR);
      const sent = turns(upstream);
      expect(sent.every((r) => r.headers['openai-beta'] === WS_BETA)).toBe(true);
      const result = sent.find((r) => r.body.includes('function_call_output'));
      const input =
        ((result?.json ?? {}) as { input?: { type?: string; call_id?: string; output?: string }[] }).input ??
        [];
      const toolResult = input.find((item) => item.type === 'function_call_output');
      expect(toolResult?.call_id).toBe('call_1');
      expect(toolResult?.output).toMatch(/^hi$/m);
      const rows = await waitForAllRecordings(server.running.db);
      const called = rows.filter((r) => r.tools.length > 0);
      expect(called).toHaveLength(1);
      expect(called[0]?.tools.map((t) => t.tool)).toEqual([shellCall(sent[0] as ReceivedRequest).name]);
      const root = called[0]?.interception.id;
      const after = rows.slice(rows.indexOf(called[0] as (typeof rows)[number]) + 1);
      expect(after.length).toBeGreaterThan(0);
      expect(after.every((r) => r.interception.thread_root_id === root)).toBe(true);
      expect(new Set(rows.map((r) => r.interception.session_id)).size).toBe(1);
    } finally {
      await server.close();
      await upstream.close();
    }
  }, 60_000);
});
