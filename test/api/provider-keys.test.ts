import { afterAll, beforeEach, expect, it } from 'vitest';
import { postgresUnavailable } from '../databases.js';
import { FakeUpstream, type Responder } from '../fake-upstream.js';
import { callGateway, gatewayOverrides } from '../gateway.js';
import { describeEachServer, startTestServer, type TestServer } from '../server.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

const KEY_A = 'sk-pool-aaaaaaaaaaaaaaaaaaaaaaaa1111';
const KEY_B = 'sk-pool-bbbbbbbbbbbbbbbbbbbbbbbb2222';
const chatBody = { model: 'llama-3', messages: [{ role: 'user', content: 'hi' }] };
const chatAnswer = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1 },
});

/** Refuses the keys in `refused` with 401, answers every other key. */
const refusing =
  (refused: Set<string>): Responder =>
  (received, res) => {
    const key = String(received.headers.authorization ?? '').replace(/^Bearer /, '');
    res.writeHead(refused.has(key) ? 401 : 200, { 'content-type': 'application/json' });
    res.end(refused.has(key) ? '{"error":{"message":"bad key","type":"invalid_request_error"}}' : chatAnswer);
  };

/** The key each upstream request carried, in order. */
const keysUsed = () =>
  upstream.received.map((r) => String(r.headers.authorization ?? '').replace(/^Bearer /, ''));

interface KeyView {
  id: string;
  hint: string;
  state: string;
  out_of_rotation_status: number | null;
  out_of_rotation_since: string | null;
  last_used_at: string | null;
}

async function createPool(server: TestServer, name: string, keys: string[], byok = 'central') {
  const created = await server.request('/api/v2/aibridge/providers', {
    method: 'POST',
    json: { name, type: 'openai-compatible', base_url: `${upstream.url}/v1`, keys, byok },
  });
  expect(created.status).toBe(201);
}

async function listKeys(server: TestServer, name: string): Promise<{ keys: KeyView[]; text: string }> {
  const res = await server.request(`/api/v2/aibridge/providers/${name}/keys`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { keys: JSON.parse(text) as KeyView[], text };
}

describeEachServer(
  'single provider keys',
  (server) => {
    const refused = new Set<string>();
    beforeEach(() => {
      upstream.reset();
      refused.clear();
      upstream.always(refusing(refused));
    });

    it('adds a key that traffic then uses, lists states and last use, and removes it', async () => {
      await createPool(server(), 'pool', [KEY_A]);
      const added = await server().request('/api/v2/aibridge/providers/pool/keys', {
        method: 'POST',
        json: { key: KEY_B },
      });
      expect(added.status).toBe(201);
      const addedText = await added.text();
      expect(addedText).not.toContain(KEY_B);
      const key = JSON.parse(addedText) as { id: string; hint: string };
      expect(key.hint).toBe('sk-…2222');

      for (let i = 0; i < 4; i++) {
        expect((await callGateway(server(), '/pool/v1/chat/completions', { json: chatBody })).status).toBe(
          200,
        );
      }
      expect(new Set(keysUsed())).toEqual(new Set([KEY_A, KEY_B]));

      // The upstream revokes A: the gateway takes it out and the owner sees that, and when.
      refused.add(KEY_A);
      for (let i = 0; i < 2; i++) {
        expect((await callGateway(server(), '/pool/v1/chat/completions', { json: chatBody })).status).toBe(
          200,
        );
      }
      const { keys, text } = await listKeys(server(), 'pool');
      for (const secret of [KEY_A, KEY_B]) expect(text).not.toContain(secret);
      expect(keys.map((k) => [k.hint, k.state, k.out_of_rotation_status])).toEqual([
        ['sk-…1111', 'out-of-rotation', 401],
        ['sk-…2222', 'active', null],
      ]);
      expect(keys[0]?.out_of_rotation_since).not.toBeNull();
      expect(keys.every((k) => k.last_used_at !== null)).toBe(true);

      // Rotate: remove the refused key, and every later request goes with B alone.
      const aId = keys[0]?.id as string;
      const removed = await server().request(`/api/v2/aibridge/providers/pool/keys/${aId}`, {
        method: 'DELETE',
      });
      expect(removed.status).toBe(204);
      upstream.reset();
      refused.clear();
      for (let i = 0; i < 3; i++)
        await callGateway(server(), '/pool/v1/chat/completions', { json: chatBody });
      expect(keysUsed()).toEqual([KEY_B, KEY_B, KEY_B]);
      // B kept its state across the change (its last use), A is gone from every view.
      const after = await listKeys(server(), 'pool');
      expect(after.keys.map((k) => k.id)).toEqual([key.id]);
      const provider = await (await server().request('/api/v2/aibridge/providers/pool')).json();
      expect(provider).toMatchObject({ keys: [{ id: key.id, hint: 'sk-…2222' }] });

      const audit = await (
        await server().request(`/api/v2/audit?q=${encodeURIComponent('action:provider.key.*')}&limit=100`)
      ).text();
      for (const secret of [KEY_A, KEY_B]) expect(audit).not.toContain(secret);
      const actions = (JSON.parse(audit) as { entries: { action: string; target: { id: string } }[] })
        .entries;
      expect(actions.map((e) => [e.action, e.target.id])).toEqual([
        ['provider.key.remove', 'pool'],
        ['provider.key.add', 'pool'],
      ]);
      expect(audit).toContain('sk-…1111');
      expect(audit).toContain('sk-…2222');
    });

    it('refuses the last key of a central instance, duplicates, unknown ids and non-owners', async () => {
      await createPool(server(), 'lone', [KEY_A]);
      const [only] = (await listKeys(server(), 'lone')).keys;
      const remove = (id: string, token?: string) =>
        server().request(`/api/v2/aibridge/providers/lone/keys/${id}`, {
          method: 'DELETE',
          ...(token && { token }),
        });
      const last = await remove(only?.id as string);
      expect(last.status).toBe(409);
      expect(await last.text()).toContain('byok-only');
      expect((await remove('000000000000')).status).toBe(404);
      const add = (json: unknown, name = 'lone') =>
        server().request(`/api/v2/aibridge/providers/${name}/keys`, { method: 'POST', json });
      const dup = await add({ key: KEY_A });
      expect(dup.status).toBe(409);
      expect(await dup.text()).not.toContain(KEY_A);
      expect((await add({ key: '  ' })).status).toBe(400);
      expect((await add({ key: KEY_B }, 'nope')).status).toBe(404);
      const member = await server().createUser('keys-member');
      expect(
        (await server().request('/api/v2/aibridge/providers/lone/keys', { token: member.token })).status,
      ).toBe(403);
      expect((await remove(only?.id as string, member.token)).status).toBe(403);

      // A byok-only instance may run without keys of its own.
      await createPool(server(), 'own-keys', [KEY_B], 'byok-only');
      const [own] = (await listKeys(server(), 'own-keys')).keys;
      const gone = await server().request(`/api/v2/aibridge/providers/own-keys/keys/${own?.id}`, {
        method: 'DELETE',
      });
      expect(gone.status).toBe(204);
      expect((await listKeys(server(), 'own-keys')).keys).toEqual([]);
    });
  },
  gatewayOverrides(upstream),
);

it.skipIf(postgresUnavailable !== undefined)(
  'a key removed on one replica is used by no request on another once the change arrives',
  async () => {
    upstream.reset();
    upstream.always(refusing(new Set()));
    const a = await startTestServer('postgres', gatewayOverrides(upstream));
    const b = await startTestServer('postgres', gatewayOverrides(upstream), { replicaOf: a });
    try {
      await createPool(a, 'shared', [KEY_A, KEY_B]);
      // b serves the new instance with both keys (in turn) before the removal.
      const deadline = Date.now() + 5000;
      while (!keysUsed().includes(KEY_A) || !keysUsed().includes(KEY_B)) {
        expect(Date.now()).toBeLessThan(deadline);
        await callGateway(b, '/shared/v1/chat/completions', { json: chatBody });
      }
      const { keys } = await listKeys(a, 'shared');
      const removed = await a.request(`/api/v2/aibridge/providers/shared/keys/${keys[0]?.id}`, {
        method: 'DELETE',
      });
      expect(removed.status).toBe(204);
      // Round-robin over two keys alternates; once b has the change, only B goes out.
      const until = Date.now() + 5000;
      let inARow = 0;
      while (inARow < 3) {
        expect(Date.now()).toBeLessThan(until);
        upstream.reset();
        await callGateway(b, '/shared/v1/chat/completions', { json: chatBody });
        inARow = keysUsed()[0] === KEY_B ? inARow + 1 : 0;
      }
      upstream.reset();
      for (let i = 0; i < 6; i++) await callGateway(b, '/shared/v1/chat/completions', { json: chatBody });
      expect(keysUsed()).toEqual(Array(6).fill(KEY_B));
      expect((await listKeys(b, 'shared')).keys.map((k) => [k.hint, k.state])).toEqual([
        ['sk-…2222', 'active'],
      ]);
    } finally {
      await b.close();
      await a.close();
    }
  },
);
