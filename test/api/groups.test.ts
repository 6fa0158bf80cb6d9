import { expect, it } from 'vitest';
import { describeEachServer } from '../server.js';

interface Group {
  id: string;
  name: string;
  members: Array<{ username: string }>;
}

describeEachServer('groups API', (server) => {
  it('lets owners create, rename, fill, empty and delete groups; a user may be in several', async () => {
    const alice = await server().createUser('g-alice');
    await server().createUser('g-bob');
    const created = await server().request('/api/v2/groups', { method: 'POST', json: { name: 'platform' } });
    expect(created.status).toBe(201);
    const platform = (await created.json()) as Group;
    expect(platform).toMatchObject({ name: 'platform', members: [] });
    await server().request('/api/v2/groups', { method: 'POST', json: { name: 'infra' } });

    for (const [group, user] of [
      ['platform', 'g-alice'],
      ['platform', 'g-bob'],
      ['infra', 'g-alice'],
      ['infra', 'g-alice'],
    ]) {
      const added = await server().request(`/api/v2/groups/${group}/members/${user}`, { method: 'PUT' });
      expect(added.status).toBe(200);
    }
    const renamed = await server().request(`/api/v2/groups/${platform.id}`, {
      method: 'PUT',
      json: { name: 'Platform-Team' },
    });
    expect(((await renamed.json()) as Group).members.map((m) => m.username)).toEqual(['g-alice', 'g-bob']);

    const mine = await server().request('/api/v2/groups', { token: alice.token });
    const listed = (await mine.json()) as { groups: Group[]; count: number };
    expect(listed.groups.map((g) => g.name)).toEqual(['infra', 'Platform-Team']);

    const removed = await server().request('/api/v2/groups/platform-team/members/g-bob', {
      method: 'DELETE',
    });
    expect(((await removed.json()) as Group).members.map((m) => m.username)).toEqual(['g-alice']);
    expect((await server().request('/api/v2/groups/infra', { method: 'DELETE' })).status).toBe(204);
    expect((await server().request('/api/v2/groups/infra')).status).toBe(404);
    const all = (await (await server().request('/api/v2/groups')).json()) as { groups: Group[] };
    expect(all.groups.map((g) => g.name)).toEqual(['Platform-Team']);
  });

  it('refuses duplicate names and bad names, and members cannot manage or see others', async () => {
    const carol = await server().createUser('g-carol');
    await server().request('/api/v2/groups', { method: 'POST', json: { name: 'secret' } });
    const duplicate = await server().request('/api/v2/groups', { method: 'POST', json: { name: 'SECRET' } });
    expect(duplicate.status).toBe(409);
    const bad = await server().request('/api/v2/groups', { method: 'POST', json: { name: 'a b' } });
    expect(bad.status).toBe(400);
    const asCarol = { token: carol.token };
    expect((await server().request('/api/v2/groups/secret', asCarol)).status).toBe(404);
    const create = await server().request('/api/v2/groups', {
      ...asCarol,
      method: 'POST',
      json: { name: 'x' },
    });
    expect(create.status).toBe(403);
    const join = await server().request('/api/v2/groups/secret/members/me', { ...asCarol, method: 'PUT' });
    expect(join.status).toBe(403);
    await server().request('/api/v2/groups/secret/members/g-carol', { method: 'PUT' });
    const visible = await server().request('/api/v2/groups/secret', asCarol);
    expect(((await visible.json()) as Group).members.map((m) => m.username)).toEqual(['g-carol']);
  });
});
