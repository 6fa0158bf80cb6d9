import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { expect, it, vi } from 'vitest';
import { describeEachServer } from '../server.js';

const SIGNED_OUT = 'You are signed out or your session has expired. Please sign in again to continue.';

describeEachServer('users and tokens API', (server) => {
  it('returns the bootstrapped owner for its token, by either header', async () => {
    const byHeader = await server().request('/api/v2/users/me');
    expect(byHeader.status).toBe(200);
    const me = (await byHeader.json()) as Record<string, unknown>;
    expect(me).toMatchObject({
      username: 'admin',
      role: 'owner',
      status: 'active',
      roles: [{ name: 'owner' }],
    });
    const byBearer = await server().request('/api/v2/users/me', {
      token: null,
      headers: { authorization: `Bearer ${server().ownerToken}` },
    });
    expect(await byBearer.json()).toEqual(me);
  });

  it.each([
    ['no token', null, /Coder-Session-Token/],
    ['a malformed token', 'nope', /Invalid API key format/],
    ['an unknown token', 'abcdefghij-abcdefghijabcdefghijab', /API key is invalid/],
  ])('answers 401 in the reference envelope for %s', async (_label, token, detail) => {
    const res = await server().request('/api/v2/users/me', { token });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { message: string; detail: string };
    expect(body.message).toBe(SIGNED_OUT);
    expect(body.detail).toMatch(detail);
  });

  it('lets members read themselves but not create, list or see others', async () => {
    const member = await server().createUser('member-one');
    const as = (path: string, init: Parameters<ReturnType<typeof server>['request']>[1] = {}) =>
      server().request(path, { ...init, token: member.token });
    expect((await (await as('/api/v2/users/me')).json()) as object).toMatchObject({ username: 'member-one' });
    const create = await as('/api/v2/users', { method: 'POST', json: { username: 'sneaky' } });
    expect(create.status).toBe(403);
    expect(await create.json()).toEqual({ message: 'Forbidden.', detail: 'Only owners can create users.' });
    expect((await as('/api/v2/users')).status).toBe(403);
    expect((await as('/api/v2/users/admin')).status).toBe(404);
    expect((await as('/api/v2/users/admin/keys')).status).toBe(404);
    expect((await as('/api/v2/users/admin/keys', { method: 'POST', json: {} })).status).toBe(404);
  });

  it('lets auditors list users but not manage them', async () => {
    const auditor = await server().createUser('auditor-one', 'auditor');
    const list = await server().request('/api/v2/users?q=auditor', { token: auditor.token });
    expect(list.status).toBe(200);
    const body = (await list.json()) as { users: Array<{ username: string }>; count: number };
    expect(body.users.map((u) => u.username)).toContain('auditor-one');
    const del = await server().request('/api/v2/users/admin', { method: 'DELETE', token: auditor.token });
    expect(del.status).toBe(403);
  });

  it('validates new users field by field', async () => {
    const bad = await server().request('/api/v2/users', {
      method: 'POST',
      json: { username: '-not-valid-', role: 'king' },
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { message: string; validations: Array<{ field: string }> };
    expect(body.message).toBe('Validation failed.');
    expect(body.validations.map((v) => v.field).sort()).toEqual(['role', 'username']);
    await server().createUser('taken');
    const dup = await server().request('/api/v2/users', { method: 'POST', json: { username: 'TAKEN' } });
    expect(dup.status).toBe(409);
    expect(((await dup.json()) as { message: string }).message).toBe('User already exists.');
  });

  it('issues, lists and revokes tokens; a revoked token stops working at once', async () => {
    const member = await server().createUser('token-owner');
    const created = await server().request('/api/v2/users/me/keys', {
      method: 'POST',
      token: member.token,
      json: { token_name: 'laptop', lifetime: '7d' },
    });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    expect(key).toMatch(/^[a-zA-Z0-9]{10}-[a-zA-Z0-9]{22}$/);
    expect((await server().request('/api/v2/users/me', { token: key })).status).toBe(200);

    const list = (await (
      await server().request('/api/v2/users/token-owner/keys', { token: key })
    ).json()) as Array<Record<string, unknown>>;
    const laptop = list.find((k) => k.token_name === 'laptop');
    expect(laptop).toMatchObject({ id: key.slice(0, 10), lifetime_seconds: 7 * 86_400, login_type: 'token' });
    expect(JSON.stringify(list)).not.toContain(key.slice(11));

    const revoke = await server().request(`/api/v2/users/me/keys/${key.slice(0, 10)}`, {
      method: 'DELETE',
      token: member.token,
    });
    expect(revoke.status).toBe(204);
    const after = await server().request('/api/v2/users/me', { token: key });
    expect(after.status).toBe(401);
  });

  it('rejects bad token requests with validations', async () => {
    const res = await server().request('/api/v2/users/me/keys', {
      method: 'POST',
      json: { lifetime: '400d', token_name: 'has space' },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { validations: Array<{ field: string }> };
    expect(body.validations.map((v) => v.field).sort()).toEqual(['lifetime', 'token_name']);
  });

  it('refuses an expired token', async () => {
    // The server runs in this process: its clock is stopped, then moved past the lifetime.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const res = await server().request('/api/v2/users/me/keys', {
        method: 'POST',
        json: { lifetime: '1s' },
      });
      const { key } = (await res.json()) as { key: string };
      expect((await server().request('/api/v2/users/me', { token: key })).status).toBe(200);
      vi.setSystemTime(Date.now() + 1100);
      const expired = await server().request('/api/v2/users/me', { token: key });
      expect(expired.status).toBe(401);
      expect(((await expired.json()) as { detail: string }).detail).toBe('API key expired.');
    } finally {
      vi.useRealTimers();
    }
  });

  it("stops a deleted user's tokens at once and keeps owners from deleting themselves", async () => {
    const member = await server().createUser('leaver');
    expect((await server().request('/api/v2/users/me', { token: member.token })).status).toBe(200);
    const del = await server().request('/api/v2/users/leaver', { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ message: 'User has been deleted!' });
    expect((await server().request('/api/v2/users/me', { token: member.token })).status).toBe(401);
    expect((await server().request('/api/v2/users/leaver')).status).toBe(404);
    const self = await server().request('/api/v2/users/me', { method: 'DELETE' });
    expect(self.status).toBe(403);
  });

  it('changes roles but never demotes the last owner', async () => {
    const member = await server().createUser('promoted');
    const promote = await server().request('/api/v2/users/promoted/roles', {
      method: 'PUT',
      json: { roles: ['auditor'] },
    });
    expect(((await promote.json()) as { role: string }).role).toBe('auditor');
    expect((await server().request('/api/v2/users', { token: member.token })).status).toBe(200);
    const demote = await server().request('/api/v2/users/me/roles', {
      method: 'PUT',
      json: { roles: ['member'] },
    });
    expect(demote.status).toBe(400);
  });

  it('keeps only an unrecoverable hash of each secret in the database', async () => {
    const member = await server().createUser('hashed');
    const [id, secret] = member.token.split('-') as [string, string];
    const { rows } = await sql<Record<string, unknown>>`select * from api_keys where id = ${id}`.execute(
      server().running.db.kysely,
    );
    const stored = rows[0] as { hashed_secret: Uint8Array };
    expect(Buffer.from(stored.hashed_secret)).toEqual(createHash('sha256').update(secret).digest());
    const everything = JSON.stringify(rows, (_k, v) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
    );
    expect(everything).not.toContain(secret);
  });

  it('serves build info and an OpenAPI document of the endpoints', async () => {
    const info = (await (await server().request('/api/v2/buildinfo', { token: null })).json()) as {
      version: string;
    };
    expect(info.version).toMatch(/^v\d+\.\d+\.\d+/);
    const doc = (await (await server().request('/api/v2/openapi.json', { token: null })).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v2/users', '/api/v2/users/me', '/api/v2/users/{user}/keys']),
    );
    expect(doc.paths['/api/v2/users']).toHaveProperty('post.requestBody');
  });
});
