import { afterAll, beforeEach, expect, it } from 'vitest';
import { ARGUMENTS_HIDDEN, PROMPT_HIDDEN } from '../../src/audit/prompt-policy.js';
import { runCli } from '../cli.js';
import { FakeUpstream, replay } from '../fake-upstream.js';
import { loadTxtar, section } from '../fixtures.js';
import { callGateway, gatewayOverrides, interceptionId, waitForRecording } from '../gateway.js';
import { describeEachServer, type TestServer } from '../server.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

const FIXTURE = loadTxtar('anthropic/single_builtin_tool.txtar');
const PROMPT = 'read the foo file and then tell me everything that is in it';
const ARGUMENTS = '{"file_path":"/tmp/blah/foo"}';

/** One Claude Code turn whose answer calls the Read tool, as `token`; resolves when it is recorded. */
async function turn(server: TestServer, mode: 'streaming' | 'non-streaming', token: string, session: string) {
  upstream.next(replay(section(FIXTURE, mode)));
  const res = await callGateway(server, '/anthropic/v1/messages', {
    token,
    headers: { 'user-agent': 'claude-cli/2.1.197 (external, cli)', 'x-claude-code-session-id': session },
    json: {
      model: 'claude-sonnet-4-20250514',
      max_tokens: 64,
      stream: mode === 'streaming',
      messages: [{ role: 'user', content: PROMPT }],
    },
  });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  return waitForRecording(server.running.db, interceptionId(res));
}

/** Everything the API shows `token` about its interceptions, sessions and the session's threads. */
async function readAll(server: TestServer, token: string, session: string): Promise<string> {
  const get = async (path: string) => {
    const res = await server.request(path, { token });
    expect(res.status).toBe(200);
    return res.text();
  };
  return [
    await get('/api/v2/aibridge/interceptions'),
    await get('/api/v2/aibridge/sessions'),
    await get(`/api/v2/aibridge/sessions/${session}`),
  ].join('\n');
}

describeEachServer(
  'prompt policy: truncated recording, owners-only reading',
  (server) => {
    beforeEach(() => upstream.reset());

    it.each(['streaming', 'non-streaming'] as const)(
      'keeps the first characters of prompts and tool arguments (%s)',
      async (mode) => {
        const member = await server().createUser(`trunc-${mode}`);
        const recorded = await turn(server(), mode, member.token, `s-trunc-${mode}`);
        expect(recorded.prompts.map((p) => p.prompt)).toEqual([PROMPT.slice(0, 12)]);
        expect(recorded.tools.map((t) => t.input)).toEqual([ARGUMENTS.slice(0, 12)]);
      },
    );

    it('shows members the marker instead of their own prompts, and owners and auditors the text', async () => {
      const member = await server().createUser('hidden-member');
      const auditor = await server().createUser('sees-prompts', 'auditor');
      await turn(server(), 'streaming', member.token, 's-hidden');
      const own = await readAll(server(), member.token, 's-hidden');
      expect(own).not.toContain(PROMPT.slice(0, 12));
      expect(own).not.toContain('file_path');
      expect(own).toContain(PROMPT_HIDDEN);
      expect(own).toContain(ARGUMENTS_HIDDEN);
      expect(own).toContain('"prompt_hidden":true');
      expect(own).toContain('"last_prompt_hidden":true');
      const env = { AIBRIDGE_URL: server().url, AIBRIDGE_TOKEN: member.token, COLUMNS: '200' };
      for (const args of [
        ['interceptions', 'list', '-o', 'json'],
        ['sessions', 'list'],
        ['sessions', 'show', 's-hidden'],
      ]) {
        const cli = await runCli(args, env);
        expect(cli.code, cli.stderr).toBe(0);
        expect(cli.stdout).not.toContain(PROMPT.slice(0, 12));
        expect(cli.stdout).toContain(args[0] === 'interceptions' ? ARGUMENTS_HIDDEN : 'hidden by policy');
      }
      for (const token of [server().ownerToken, auditor.token]) {
        const all = await readAll(server(), token, 's-hidden');
        expect(all).toContain(PROMPT.slice(0, 12));
        expect(all).not.toContain(PROMPT_HIDDEN);
      }
    });
  },
  gatewayOverrides(upstream, { prompts: { recording: 'truncated', truncateChars: 12, readers: 'owners' } }),
);

describeEachServer(
  'prompt policy: recording off, everyone reads their own',
  (server) => {
    beforeEach(() => upstream.reset());

    it.each(['streaming', 'non-streaming'] as const)(
      'records neither prompt text nor tool arguments (%s)',
      async (mode) => {
        const member = await server().createUser(`off-${mode}`);
        const recorded = await turn(server(), mode, member.token, `s-off-${mode}`);
        expect(recorded.prompts.map((p) => p.prompt)).toEqual(['']);
        expect(recorded.tools.map((t) => [t.tool, t.input])).toEqual([['Read', '']]);
        const shown = await readAll(server(), member.token, `s-off-${mode}`);
        expect(shown).not.toContain('foo file');
        expect(shown).not.toContain(PROMPT_HIDDEN);
      },
    );
  },
  gatewayOverrides(upstream, { prompts: { recording: 'off', truncateChars: 2000, readers: 'everyone' } }),
);

describeEachServer(
  'prompt policy: the default records and shows everything to its owner',
  (server) => {
    beforeEach(() => upstream.reset());

    it('shows a member their own prompt in full', async () => {
      const member = await server().createUser('full-member');
      const recorded = await turn(server(), 'non-streaming', member.token, 's-full');
      expect(recorded.prompts.map((p) => p.prompt)).toEqual([PROMPT]);
      const shown = await readAll(server(), member.token, 's-full');
      expect(shown).toContain(PROMPT);
      expect(shown).not.toContain(PROMPT_HIDDEN);
    });
  },
  gatewayOverrides(upstream),
);
