import { expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { describeEachServer } from '../server.js';

interface Page {
  count: number;
  entries: Array<{
    id: string;
    time: string;
    action: string;
    actor: { username: string };
    target: { type: string; id: string };
  }>;
}

describeEachServer('audit log list', (server) => {
  const list = async (query: string, token?: string) => {
    const res = await server().request(`/api/v2/audit${query}`, token ? { token } : {});
    return { status: res.status, body: (await res.json()) as Page & { validations?: unknown[] } };
  };

  it('lets owners and auditors read it and refuses members', async () => {
    const auditor = await server().createUser('log-auditor', 'auditor');
    const member = await server().createUser('log-member');
    expect((await list('', auditor.token)).status).toBe(200);
    const refused = await list('', member.token);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ message: 'Forbidden.' });
  });

  it('filters by actor, action (and prefix), target and time', async () => {
    const owner2 = await server().createUser('second-owner', 'owner');
    for (const name of ['team-a', 'team-b']) {
      await server().request('/api/v2/groups', { method: 'POST', json: { name }, token: owner2.token });
    }
    await server().request('/api/v2/groups', { method: 'POST', json: { name: 'team-c' } });
    const byActor = await list(`?q=${encodeURIComponent('actor:second-owner action:group.create')}`);
    expect(byActor.body.count).toBe(2);
    expect(byActor.body.entries.every((e) => e.actor.username === 'second-owner')).toBe(true);
    const byMe = await list(`?q=${encodeURIComponent('actor:me action:group.*')}`, owner2.token);
    expect(byMe.body.count).toBe(2);
    const bare = await list(`?q=group.create`);
    expect(bare.body.count).toBe(3);
    const prefix = await list(`?q=${encodeURIComponent('action:user.*')}`);
    expect(prefix.body.entries.map((e) => e.action)).toContain('user.create');
    expect(prefix.body.entries.every((e) => e.action.startsWith('user.'))).toBe(true);
    const system = await list(`?q=actor:system`);
    expect(system.body.entries.map((e) => e.action)).toEqual(['user.create']);
    const target = await list(`?q=target:group`);
    expect(target.body.count).toBe(3);
    const one = target.body.entries[0];
    const byId = await list(`?q=${encodeURIComponent(`target:group target_id:${one?.target.id}`)}`);
    expect(byId.body.entries.map((e) => e.id)).toEqual([one?.id]);
    const time = one?.time ?? '';
    const since = await list(`?q=${encodeURIComponent(`target:group since:"${time}"`)}`);
    expect(since.body.entries.map((e) => e.id)).toEqual([one?.id]);
    const until = await list(`?q=${encodeURIComponent(`target:group until:"${time}"`)}`);
    expect(until.body.count).toBe(3);
    const future = await list(`?q=${encodeURIComponent('since:"2999-01-01T00:00:00Z"')}`);
    expect(future.body).toEqual({ count: 0, entries: [] });
  });

  it('answers 400 with every problem for a bad q or cursor', async () => {
    const bad = await list(`?q=${encodeURIComponent('since:yesterday colour:red')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.validations).toEqual([
      { field: 'since', detail: expect.stringContaining('must be a valid date') },
      { field: 'colour', detail: '"colour" is not a valid query param' },
    ]);
    const cursor = await list('?after_id=00000000-0000-4000-8000-000000000001');
    expect(cursor.status).toBe(400);
    expect((await list('?limit=5000')).status).toBe(400);
  });

  it('pages newest first with keyset cursors that new entries do not shift', async () => {
    for (let i = 0; i < 5; i++) {
      await server().request('/api/v2/groups', { method: 'POST', json: { name: `paged-${i}` } });
    }
    const q = `q=${encodeURIComponent('action:group.create target:group')}`;
    const all = (await list(`?${q}&limit=100`)).body.entries.filter((e) => e.action === 'group.create');
    const first = await list(`?${q}&limit=2`);
    expect(first.body.entries.map((e) => e.id)).toEqual(all.slice(0, 2).map((e) => e.id));
    await server().request('/api/v2/groups', { method: 'POST', json: { name: 'arrives-later' } });
    const second = await list(`?${q}&limit=2&after_id=${first.body.entries[1]?.id}`);
    expect(second.body.entries.map((e) => e.id)).toEqual(all.slice(2, 4).map((e) => e.id));
    const times = all.map((e) => Date.parse(e.time));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it("aibridge audit list prints the entries as a table and as the API's JSON", async () => {
    await server().request('/api/v2/groups', { method: 'POST', json: { name: 'cli-listed' } });
    const env = {
      AIBRIDGE_URL: server().url,
      AIBRIDGE_TOKEN: server().ownerToken,
      COLUMNS: '200',
      TZ: 'UTC',
    };
    const api = (await list(`?q=${encodeURIComponent('action:group.create')}`)).body.entries;
    const json = await runCli(['audit', 'list', '--action', 'group.create', '-o', 'json'], env);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(api);
    const table = await runCli(
      ['audit', 'list', '--actor', 'admin', '--target', 'group', '--since', '1h'],
      env,
    );
    expect(table.code, table.stderr).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header?.split(/ {2,}/)).toEqual(['TIME', 'ACTOR', 'ACTION', 'TARGET', 'CHANGED', 'FROM']);
    expect(rows.some((r) => r.includes('group.create') && r.includes('created'))).toBe(true);
    const member = await server().createUser('cli-member');
    const refused = await runCli(['audit', 'list'], { ...env, AIBRIDGE_TOKEN: member.token });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Only owners and auditors');
  });
});
