import { afterAll, afterEach, expect, it, vi } from 'vitest';
import { FakeUpstream, replay } from '../fake-upstream.js';
import { loadTxtar, section } from '../fixtures.js';
import { callGateway, gatewayOverrides } from '../gateway.js';
import { describeEachServer, type TestServer } from '../server.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());
upstream.always((req, res) => {
  const part = (req.json as { stream?: boolean }).stream ? 'streaming' : 'non-streaming';
  const fixture = req.url.startsWith('/v1/messages')
    ? 'anthropic/simple.txtar'
    : 'openai/chatcompletions/simple.txtar';
  return replay(section(loadTxtar(fixture), part))(req, res);
});

const CLAUDE_CODE = 'claude-cli/2.1.197 (external, cli)';
const messages = (stream: boolean) => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 5,
  stream,
  messages: [{ role: 'user', content: 'hi' }],
});
const chat = { model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }] };

interface TokenClient {
  key_id: string;
  client: string;
  client_version: string;
  last_used_at: string;
}

async function clientsOf(server: TestServer, user: string, token: string): Promise<TokenClient[]> {
  const response = await server.request(`/api/v2/users/${user}/keys/clients`, { token });
  expect(response.status).toBe(200);
  return ((await response.json()) as { clients: TokenClient[] }).clients;
}

async function use(server: TestServer, token: string, userAgent: string, stream = false): Promise<void> {
  const path = userAgent.startsWith('claude') ? '/anthropic/v1/messages' : '/openai/v1/chat/completions';
  const response = await callGateway(server, path, {
    token,
    headers: { 'user-agent': userAgent },
    json: path.includes('messages') ? messages(stream) : { ...chat, stream },
  });
  expect(response.status).toBe(200);
  await response.text();
}

describeEachServer(
  'which clients used a token (connect page)',
  (server) => {
    afterEach(() => vi.useRealTimers());

    it('lists each client and version per token once the gateway flushes, no write per request', async () => {
      const alice = await server().createUser('tc-alice');
      const keyId = alice.token.split('-')[0];
      await use(server(), alice.token, CLAUDE_CODE, true);
      await use(server(), alice.token, CLAUDE_CODE, false);
      await use(server(), alice.token, 'OpenAI/JS 6.49.0');
      await use(server(), alice.token, 'curl/8.5.0', true);
      // Nothing is written until the batch goes out.
      expect(await clientsOf(server(), 'me', alice.token)).toEqual([]);
      await server().running.clientUse.flush();
      const clients = await clientsOf(server(), 'me', alice.token);
      expect(clients.map((c) => [c.key_id, c.client, c.client_version]).sort()).toEqual([
        [keyId, 'Claude Code', '2.1.197'],
        [keyId, 'OpenAI SDK (JS)', '6.49.0'],
        [keyId, 'Unknown', 'curl/8.5.0'],
      ]);
    });

    it('moves the time forward on a later use, and forgets a revoked token', async () => {
      const bob = await server().createUser('tc-bob');
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date('2026-12-08T10:00:00Z'));
      await use(server(), bob.token, CLAUDE_CODE);
      await server().running.clientUse.flush();
      vi.setSystemTime(new Date('2026-12-08T10:05:00Z'));
      await use(server(), bob.token, CLAUDE_CODE);
      await server().running.clientUse.flush();
      vi.useRealTimers();
      const [row] = await clientsOf(server(), 'me', bob.token);
      expect(row?.last_used_at).toBe('2026-12-08T10:05:00.000Z');

      const other = await server().request(`/api/v2/users/${bob.id}/keys`, { method: 'POST', json: {} });
      const second = ((await other.json()) as { key: string }).key;
      const revoked = await server().request(`/api/v2/users/${bob.id}/keys/${bob.token.split('-')[0]}`, {
        method: 'DELETE',
      });
      expect(revoked.status).toBe(204);
      expect(await clientsOf(server(), 'me', second)).toEqual([]);
    });

    it('shows a person only their own tokens; owners and auditors see anyone', async () => {
      const carol = await server().createUser('tc-carol');
      const dave = await server().createUser('tc-dave');
      await use(server(), carol.token, CLAUDE_CODE);
      await server().running.clientUse.flush();
      const peek = await server().request(`/api/v2/users/${carol.id}/keys/clients`, { token: dave.token });
      expect(peek.status).toBe(404);
      const owner = await clientsOf(server(), carol.id, server().ownerToken);
      expect(owner.map((c) => c.client)).toEqual(['Claude Code']);
    });
  },
  gatewayOverrides(upstream),
);
