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

  it("sets and clears a group's shared limits (owners), shows them to members, and refuses bad values", async () => {
    const dave = await server().createUser('g-dave');
    await server().request('/api/v2/groups', { method: 'POST', json: { name: 'limited' } });
    await server().request('/api/v2/groups/limited/members/g-dave', { method: 'PUT' });
    const set = await server().request('/api/v2/groups/limited', {
      method: 'PATCH',
      json: { requests_per_minute: 600, tokens_per_minute: 2_000_000 },
    });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ requests_per_minute: 600, tokens_per_minute: 2_000_000 });
    const seen = await server().request('/api/v2/groups/limited', { token: dave.token });
    expect(await seen.json()).toMatchObject({ requests_per_minute: 600, tokens_per_minute: 2_000_000 });
    const partly = await server().request('/api/v2/groups/limited', {
      method: 'PATCH',
      json: { tokens_per_minute: null },
    });
    expect(await partly.json()).toMatchObject({ requests_per_minute: 600, tokens_per_minute: null });
    for (const json of [
      { requests_per_minute: 0 },
      { tokens_per_minute: 1.5 },
      { tokens_per_minute: '5' },
      { rpm: 5 },
    ]) {
      const bad = await server().request('/api/v2/groups/limited', { method: 'PATCH', json });
      expect(bad.status).toBe(400);
    }
    const asMember = await server().request('/api/v2/groups/limited', {
      token: dave.token,
      method: 'PATCH',
      json: { requests_per_minute: null },
    });
    expect(asMember.status).toBe(403);
    const audit = await server().request('/api/v2/audit?q=action:group.limits');
    expect(((await audit.json()) as { count: number }).count).toBe(2);
  });
});
