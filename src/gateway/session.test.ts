import { describe, expect, it } from 'vitest';
import { captureHeaders, loadClientCaptures } from '../../test/fixtures.js';
import { CLIENTS, guessClient } from './client.js';
import { readMessagesPayload } from './intercept/messages/payload.js';
import { readResponsesPayload } from './intercept/responses/payload.js';
import { guessSession, MAX_SESSION_ID_LENGTH, shortenSessionId } from './session.js';

/** What each real capture in test/fixtures/clients must be recorded as. */
const EXPECTED: Record<string, [client: string, session: string | undefined, threadSource?: string]> = {
  'anthropic-sdk-js': [CLIENTS.anthropicSdkJs, undefined],
  'claude-code-interactive-title': [CLIENTS.claudeCode, 'a3acad36-7a3a-49fc-83e6-bc93427f246d'],
  'claude-code-interactive': [CLIENTS.claudeCode, 'a3acad36-7a3a-49fc-83e6-bc93427f246d'],
  'claude-code-print-bearer-prefix': [CLIENTS.claudeCode, '9e600f1f-cdfe-4eb3-9082-57eb340e2a76'],
  'claude-code-print-preconnect': [CLIENTS.unknown, undefined],
  'claude-code-print-toolresult': [CLIENTS.claudeCode, '55610728-f210-47c2-9776-377673feec20'],
  'claude-code-print': [CLIENTS.claudeCode, 'ea27243a-cad6-47f9-8fdf-5419e1e1ffd0'],
  'codex-builtin-openai-websocket': [CLIENTS.codex, '01a22221-7fbd-7b90-a551-171cfe1ebb8e', 'user'],
  'codex-builtin-openai': [CLIENTS.codex, '01a22221-7fbd-7b90-a551-171cfe1ebb8e'],
  'codex-exec-resume': [CLIENTS.codex, '01a2223a-a788-7412-ae5c-26411ec0dcc8'],
  'codex-exec-toolresult': [CLIENTS.codex, '01a2223a-b072-7990-a64e-1c30beb58f5b'],
  'codex-exec': [CLIENTS.codex, '01a2223a-a4b1-7c70-a9a5-179ea34888cf'],
  'codex-tui-title': [CLIENTS.codex, '01a22223-cee3-7170-afe0-d474d0ac49a3', 'thread_title'],
  'codex-tui': [CLIENTS.codex, '01a22223-9a4b-7e62-ac89-5a78a5250192', 'user'],
  'langchain-anthropic': [CLIENTS.anthropicSdkJs, undefined],
  'langchain-openai-chat': [CLIENTS.langchainJs, undefined],
  'openai-agents-js': [CLIENTS.openaiAgentsSdk, undefined],
  'opencode-chat': [CLIENTS.opencode, 'ses_dbda2c1cfffepF7Lg9fYT0P41Y'],
  'opencode-messages': [CLIENTS.opencode, 'ses_dbda221f6ffeqLNLaqf1w3Lx55'],
  'openai-sdk-js-chat': [CLIENTS.openaiSdkJs, undefined],
  'openai-sdk-js-responses': [CLIENTS.openaiSdkJs, undefined],
  'vercel-ai-sdk-anthropic': [CLIENTS.vercelAiSdk, undefined],
  'vercel-ai-sdk-generate-responses': [CLIENTS.vercelAiSdk, undefined],
  'vercel-ai-sdk-stream-responses': [CLIENTS.vercelAiSdk, undefined],
};

describe('client detection and session ids on real client captures', () => {
  for (const capture of loadClientCaptures()) {
    it(capture.name, () => {
      const expected = EXPECTED[capture.name];
      expect(expected, `no expectation for ${capture.name}`).toBeDefined();
      const [client, session, threadSource] = expected ?? [];
      const headers = captureHeaders(capture);
      const body = Buffer.from(capture.body ? JSON.stringify(capture.body) : '{"model":"m"}');
      const hints = capture.url.includes('/messages')
        ? readMessagesPayload(body).sessionHints
        : readResponsesPayload(body).sessionHints;
      expect(guessClient(headers)).toBe(client);
      const guessed = guessSession(guessClient(headers), headers, hints);
      expect(guessed.id).toBe(session);
      if (threadSource) expect(guessed.threadSource).toBe(threadSource);
    });
  }
});

describe('guessSession', () => {
  it.each([
    [CLIENTS.mux, 'x-mux-workspace-id'],
    [CLIENTS.copilotVsCode, 'x-interaction-id'],
    [CLIENTS.copilotCli, 'x-client-session-id'],
    [CLIENTS.kiloCode, 'x-kilocode-taskid'],
    [CLIENTS.coderAgents, 'x-coder-chat-id'],
    [CLIENTS.cline, 'x-task-id'],
    [CLIENTS.unknown, 'x-session-id'],
    [CLIENTS.vercelAiSdk, 'x-session-affinity'],
  ] as const)('reads %s sessions from %s, trimmed', (client, header) => {
    expect(guessSession(client, { [header]: '  s-1 ' }, {}).id).toBe('s-1');
    expect(guessSession(client, { [header]: '   ' }, {}).id).toBeUndefined();
  });

  it("prefers a client's own header to the generic ones", () => {
    const headers = {
      'x-mux-workspace-id': 'mux',
      'x-session-id': 'generic',
      'x-session-affinity': 'sticky',
    };
    expect(guessSession(CLIENTS.mux, headers, {}).id).toBe('mux');
    expect(guessSession(CLIENTS.opencode, { 'x-session-affinity': 'ses_1' }, {}).id).toBe('ses_1');
    expect(
      guessSession(CLIENTS.opencode, { 'x-session-id': 'ses_2', 'x-session-affinity': 'ses_1' }, {}).id,
    ).toBe('ses_2');
  });

  it('has no session for clients that send none', () => {
    for (const client of [
      CLIENTS.zed,
      CLIENTS.rooCode,
      CLIENTS.cursor,
      CLIENTS.charmCrush,
      CLIENTS.unknown,
    ]) {
      expect(
        guessSession(client, { 'x-claude-code-session-id': 'x', 'session-id': 'y' }, {}).id,
      ).toBeUndefined();
    }
  });

  it("reads Claude Code's metadata.user_id, JSON and legacy, when the header is missing", () => {
    const json = JSON.stringify({ device_id: 'd', account_uuid: '', session_id: 'json-session' });
    expect(guessSession(CLIENTS.claudeCode, {}, { metadataUserId: json }).id).toBe('json-session');
    const legacy = 'user_1a2b_account_acc-1_session_2b3c4d5e-0000-4000-8000-000000000000';
    expect(guessSession(CLIENTS.claudeCode, {}, { metadataUserId: legacy }).id).toBe(
      '2b3c4d5e-0000-4000-8000-000000000000',
    );
    expect(guessSession(CLIENTS.claudeCode, {}, { metadataUserId: 'plain' }).id).toBeUndefined();
    expect(guessSession(CLIENTS.claudeCode, {}, { metadataUserId: '{broken' }).id).toBeUndefined();
  });

  it("reads Codex's session_id, session-id, turn metadata, then prompt_cache_key", () => {
    const turn = JSON.stringify({ session_id: 'turn', thread_source: 'thread_title' });
    const hints = { promptCacheKey: 'cache-key' };
    expect(guessSession(CLIENTS.codex, { session_id: 'a', 'session-id': 'b' }, hints).id).toBe('a');
    expect(guessSession(CLIENTS.codex, { 'session-id': 'b', 'x-codex-turn-metadata': turn }, hints).id).toBe(
      'b',
    );
    expect(guessSession(CLIENTS.codex, { 'x-codex-turn-metadata': turn }, hints)).toEqual({
      id: 'turn',
      threadSource: 'thread_title',
    });
    expect(guessSession(CLIENTS.codex, { 'x-codex-turn-metadata': '{trunc' }, hints).id).toBe('cache-key');
  });

  it('shortens ids longer than 256 characters deterministically, keeping them apart', () => {
    const long = `s-${'x'.repeat(400)}`;
    const other = `s-${'x'.repeat(399)}y`;
    const short = guessSession(CLIENTS.mux, { 'x-mux-workspace-id': long }, {}).id as string;
    expect(short.length).toBe(MAX_SESSION_ID_LENGTH);
    expect(short.startsWith('s-xxx')).toBe(true);
    expect(shortenSessionId(long)).toBe(short);
    expect(shortenSessionId(other)).not.toBe(short);
    expect(shortenSessionId('x'.repeat(256))).toBe('x'.repeat(256));
    expect(Array.from(shortenSessionId('✓'.repeat(300))).length).toBe(MAX_SESSION_ID_LENGTH);
  });
});
