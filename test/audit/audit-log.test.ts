import { expect, it } from 'vitest';
import { describeEachServer, type TestServer } from '../server.js';

interface Entry {
  id: string;
  action: string;
  actor: { user_id: string | null; username: string; token_id: string };
  target: { type: string; id: string };
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  ip: string;
  user_agent: string;
  request_id: string;
}

const PROVIDER_KEY = 'sk-audit-provider-key-0123456789abcdef';
const OTHER_KEY = 'sk-audit-second-key-fedcba9876543210';
const HEADER_SECRET = 'hdr-secret-value-5555aaaa';

/** Every entry of the log for `action` (the raw text too, to grep for secrets). */
async function entriesOf(server: TestServer, action: string): Promise<{ entries: Entry[]; text: string }> {
  const res = await server.request(`/api/v2/audit?q=${encodeURIComponent(`action:${action}`)}&limit=1000`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { entries: (JSON.parse(text) as { entries: Entry[] }).entries, text };
}

/** Runs `change`, then expects exactly one new entry for `action` and none of `secrets` in the log. */
async function expectOneEntry(
  server: TestServer,
  action: string,
  change: () => Promise<Response>,
  secrets: string[] = [],
): Promise<Entry> {
  const before = (await entriesOf(server, action)).entries.length;
  const res = await change();
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  const { entries, text } = await entriesOf(server, action);
  expect(entries.length).toBe(before + 1);
  const all = await (await server.request('/api/v2/audit?limit=1000')).text();
  for (const secret of [server.ownerToken, ...secrets]) {
    expect(text).not.toContain(secret);
    expect(all).not.toContain(secret);
  }
  return entries[0] as Entry;
}

describeEachServer('audit log', (server) => {
  it('records each user and token change once, with who and from where, and no token', async () => {
    const created = await expectOneEntry(server(), 'user.create', () =>
      server().request('/api/v2/users', {
        method: 'POST',
        json: { username: 'audited-user' },
        headers: { 'user-agent': 'audit-test/1.0', 'x-request-id': 'req-audit-1' },
      }),
    );
    expect(created).toMatchObject({
      actor: { username: 'admin' },
      target: { type: 'user' },
      after: { username: 'audited-user', role: 'member' },
      before: null,
      user_agent: 'audit-test/1.0',
      request_id: 'req-audit-1',
    });
    expect(created.actor.token_id).toMatch(/^[A-Za-z0-9]{10}$/);
    expect(created.ip).not.toBe('');
    const userId = created.target.id;

    let token = '';
    const issued = await expectOneEntry(server(), 'token.create', async () => {
      const res = await server().request(`/api/v2/users/${userId}/keys`, { method: 'POST', json: {} });
      token = ((await res.clone().json()) as { key: string }).key;
      return res;
    });
    expect(token).not.toBe('');
    const { text } = await entriesOf(server(), 'token.*');
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('-')[1]);
    expect(issued.target.id).toBe(token.split('-')[0]);

    const role = await expectOneEntry(server(), 'user.role', () =>
      server().request(`/api/v2/users/${userId}/roles`, { method: 'PUT', json: { roles: ['auditor'] } }),
    );
    expect(role.before).toMatchObject({ role: 'member' });
    expect(role.after).toMatchObject({ role: 'auditor' });

    await expectOneEntry(server(), 'token.revoke', () =>
      server().request(`/api/v2/users/${userId}/keys/${token.split('-')[0]}`, { method: 'DELETE' }),
    );
    const deleted = await expectOneEntry(server(), 'user.delete', () =>
      server().request(`/api/v2/users/${userId}`, { method: 'DELETE' }),
    );
    expect(deleted.before).toMatchObject({ username: 'audited-user' });
  });

  it('records token sign-ins for the signed-in user', async () => {
    const member = await server().createUser('signs-in');
    const entry = await expectOneEntry(
      server(),
      'user.sign_in',
      () => server().request('/api/v2/users/me/sign-in', { method: 'POST', token: member.token }),
      [member.token],
    );
    expect(entry).toMatchObject({
      actor: { user_id: member.id, username: 'signs-in' },
      target: { type: 'user', id: member.id },
      after: { method: 'token' },
    });
  });

  it('records provider changes with key hints only, never the keys or header values', async () => {
    const secrets = [PROVIDER_KEY, OTHER_KEY, HEADER_SECRET];
    const created = await expectOneEntry(
      server(),
      'provider.create',
      () =>
        server().request('/api/v2/aibridge/providers', {
          method: 'POST',
          json: {
            name: 'audited-llm',
            type: 'openai-compatible',
            base_url: 'http://127.0.0.1:9/v1',
            keys: [PROVIDER_KEY],
            headers: { 'x-upstream-auth': HEADER_SECRET },
          },
        }),
      secrets,
    );
    expect(created.after).toMatchObject({ name: 'audited-llm', keys: [{ hint: expect.any(String) }] });
    const updated = await expectOneEntry(
      server(),
      'provider.update',
      () =>
        server().request('/api/v2/aibridge/providers/audited-llm', {
          method: 'PATCH',
          json: { keys: [OTHER_KEY] },
        }),
      secrets,
    );
    expect(updated.before?.keys).not.toEqual(updated.after?.keys);
    await expectOneEntry(
      server(),
      'provider.delete',
      () => server().request('/api/v2/aibridge/providers/audited-llm', { method: 'DELETE' }),
      secrets,
    );
  });

  it('records prices, recalculation, budgets, groups, membership and purges once each', async () => {
    const rates = { input: 3, output: 15 };
    const price = await expectOneEntry(server(), 'price.create', () =>
      server().request('/api/v2/aibridge/prices', { method: 'POST', json: { model: 'audit-model', rates } }),
    );
    const priceId = price.target.id;
    await expectOneEntry(server(), 'price.update', () =>
      server().request(`/api/v2/aibridge/prices/${priceId}`, {
        method: 'PUT',
        json: { model: 'audit-model', rates: { input: 4, output: 16 } },
      }),
    );
    await expectOneEntry(server(), 'price.recalculate', () =>
      server().request('/api/v2/aibridge/prices/recalculate', {
        method: 'POST',
        json: { since: '2026-01-01T00:00:00Z' },
      }),
    );
    await expectOneEntry(server(), 'price.delete', () =>
      server().request(`/api/v2/aibridge/prices/${priceId}`, { method: 'DELETE' }),
    );

    const member = await server().createUser('grouped');
    const group = await expectOneEntry(server(), 'group.create', () =>
      server().request('/api/v2/groups', { method: 'POST', json: { name: 'audit-team' } }),
    );
    await expectOneEntry(server(), 'group.rename', () =>
      server().request('/api/v2/groups/audit-team', { method: 'PUT', json: { name: 'audit-squad' } }),
    );
    const added = await expectOneEntry(server(), 'group.member.add', () =>
      server().request('/api/v2/groups/audit-squad/members/grouped', { method: 'PUT' }),
    );
    expect(added.after).toMatchObject({ members: [{ id: member.id }] });
    const budget = await expectOneEntry(server(), 'budget.set', () =>
      server().request('/api/v2/aibridge/budgets', {
        method: 'POST',
        json: { subject: 'group:audit-squad', limit_usd: '5', period: 'day' },
      }),
    );
    expect(budget.after).toMatchObject({ subject: 'group:audit-squad', limit_micros: 5_000_000 });
    const raised = await expectOneEntry(server(), 'budget.set', () =>
      server().request('/api/v2/aibridge/budgets', {
        method: 'POST',
        json: { subject: 'group:audit-squad', limit_usd: '7', period: 'day' },
      }),
    );
    expect(raised.before).toMatchObject({ limit_micros: 5_000_000 });
    await expectOneEntry(server(), 'budget.delete', () =>
      server().request(`/api/v2/aibridge/budgets/${budget.target.id}`, { method: 'DELETE' }),
    );
    await expectOneEntry(server(), 'group.member.remove', () =>
      server().request('/api/v2/groups/audit-squad/members/grouped', { method: 'DELETE' }),
    );
    await expectOneEntry(server(), 'group.delete', () =>
      server().request(`/api/v2/groups/${group.target.id}`, { method: 'DELETE' }),
    );
    await expectOneEntry(server(), 'retention.purge', () =>
      server().request('/api/v2/aibridge/admin/purge', { method: 'POST', json: { older_than: '3650d' } }),
    );
  });

  it('leaves no entry when the change fails', async () => {
    await server().createUser('taken-name');
    const actions = [
      'user.create',
      'user.role',
      'provider.create',
      'price.update',
      'budget.delete',
      'token.revoke',
    ];
    const counts = async () =>
      Promise.all(actions.map(async (a) => (await entriesOf(server(), a)).entries.length));
    const before = await counts();
    const failures = [
      server().request('/api/v2/users', { method: 'POST', json: { username: 'taken-name' } }),
      server().request('/api/v2/users/admin/roles', { method: 'PUT', json: { roles: ['member'] } }),
      server().request('/api/v2/aibridge/prices/00000000-0000-4000-8000-000000000000', {
        method: 'PUT',
        json: { model: 'x', rates: { input: 1, output: 1 } },
      }),
      server().request('/api/v2/aibridge/budgets/00000000-0000-4000-8000-000000000000', { method: 'DELETE' }),
      server().request('/api/v2/users/admin/keys/AAAAAAAAAA', { method: 'DELETE' }),
    ];
    for (const res of await Promise.all(failures)) expect(res.status).toBeGreaterThanOrEqual(400);
    const provider = {
      name: 'dup-provider',
      type: 'openai-compatible',
      base_url: 'http://127.0.0.1:9/v1',
      keys: [PROVIDER_KEY],
    };
    expect(
      (await server().request('/api/v2/aibridge/providers', { method: 'POST', json: provider })).status,
    ).toBe(201);
    const duplicate = await server().request('/api/v2/aibridge/providers', {
      method: 'POST',
      json: provider,
    });
    expect(duplicate.status).toBe(409);
    const after = await counts();
    expect(after).toEqual(before.map((n, i) => (actions[i] === 'provider.create' ? n + 1 : n)));
  });
});
