import { describe, expect, it } from 'vitest';
import type { Interception, Session, SessionDetail, User } from '../../src/cli/api-types.js';
import { useCliWorld } from './harness.js';

/** The cells of a borderless table: header row first, columns split on runs of 2+ spaces. */
function tableRows(stdout: string): string[][] {
  return stdout
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/ {2,}/));
}

/** `2026-11-28T14:03:12Z` as the table shows it in the zone `tz`: `2026-11-28 23:03`. */
function inZone(iso: string, timeZone: string, seconds = false): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}${seconds ? `:${parts.second}` : ''}`;
}

describe('aibridge listings against a server fed through its gateway', { timeout: 120_000 }, () => {
  const world = useCliWorld();

  it('sessions list: the API’s sessions array as JSON, and a table in local time cut to the terminal', async () => {
    const w = world();
    const api = await w.api<{ count: number; sessions: Session[] }>('/api/v2/aibridge/sessions?limit=100');
    expect(api.count).toBe(14);
    expect(await w.json(['sessions', 'list', '-o', 'json'])).toEqual(api.sessions);

    const table = await w.cli(['sessions', 'list'], { COLUMNS: '170', TZ: 'Asia/Tokyo' });
    expect(table).toMatchObject({ code: 0, stderr: '' });
    const [header, ...rows] = tableRows(table.stdout);
    expect(header).toEqual([
      'ID',
      'LAST ACTIVE',
      'USER',
      'CLIENT',
      'MODELS',
      'THREADS',
      'IN/OUT/CACHE',
      'COST',
      'LAST PROMPT',
    ]);
    expect(rows.map((r) => r[0])).toEqual(api.sessions.map((s) => s.id));
    const first = api.sessions[0] as Session;
    expect(rows[0]?.slice(1, 4)).toEqual([
      inZone(first.last_active_at, 'Asia/Tokyo'),
      first.initiator.username,
      first.client ?? 'Unknown',
    ]);
    for (const line of table.stdout.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(170);
    // Long prompts are cut with an ellipsis; the cut text is the start of the prompt.
    const cut = rows.find((r) => r.at(-1)?.endsWith('…'));
    const session = api.sessions.find((s) => s.id === cut?.[0]);
    expect(session?.last_prompt?.replace(/\s+/g, ' ').startsWith(cut?.at(-1)?.slice(0, -1) ?? 'x')).toBe(
      true,
    );
    // In/out/cache: Alice's Claude Code sessions read and write the prompt cache.
    const alice = api.sessions.find((s) => s.initiator.username === 'alice') as Session;
    const t = alice.token_usage_summary;
    expect(t.cache_read_input_tokens + t.cache_write_input_tokens).toBeGreaterThan(0);
    expect(rows.find((r) => r[0] === alice.id)?.[6]).toMatch(/^[\d.]+k?\/[\d.]+k?\/[\d.]+k?$/);
  });

  it('sessions list filters as the API does, --since/--until in human terms', async () => {
    const w = world();
    const cases: Array<[string[], string]> = [
      [['--initiator', 'alice'], 'initiator:alice'],
      [['--client', 'Codex'], 'client:Codex'],
      [['--provider', 'openai', '--model', 'gpt-5'], 'provider:openai model:gpt-5'],
      [['--q', 'client:Cursor'], 'client:Cursor'],
      [['--client', 'OpenAI SDK (JS)', '--initiator', 'carol'], 'client:"OpenAI SDK (JS)" initiator:carol'],
    ];
    for (const [flags, q] of cases) {
      const api = await w.api<{ sessions: Session[] }>(
        `/api/v2/aibridge/sessions?q=${encodeURIComponent(q)}`,
      );
      expect(api.sessions.length, q).toBeGreaterThan(0);
      expect(await w.json(['sessions', 'list', ...flags, '-o', 'json']), q).toEqual(api.sessions);
    }
    const all = await w.api<{ sessions: Session[] }>('/api/v2/aibridge/sessions');
    expect(await w.json<Session[]>(['sessions', 'list', '--since', '1h', '-o', 'json'])).toEqual(
      all.sessions,
    );
    expect(await w.json<Session[]>(['sessions', 'list', '--until', '1h', '-o', 'json'])).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    expect(await w.json<Session[]>(['sessions', 'list', '--since', today, '-o', 'json'])).toEqual(
      all.sessions,
    );
  });

  it('--all follows the cursor over several pages, in every format', async () => {
    const w = world();
    const all = await w.api<{ sessions: Session[] }>('/api/v2/aibridge/sessions?limit=1000');
    const paged = await w.json<Session[]>(['sessions', 'list', '--all', '--limit', '3', '-o', 'json']);
    expect(paged).toEqual(all.sessions);
    const ndjson = await w.cli(['sessions', 'list', '--all', '--limit', '4', '-o', 'ndjson']);
    expect(
      ndjson.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(all.sessions);
    const table = await w.cli(['sessions', 'list', '--all', '--limit', '5']);
    expect(
      tableRows(table.stdout)
        .slice(1)
        .map((r) => r[0]),
    ).toEqual(all.sessions.map((s) => s.id));

    const interceptions = await w.api<{ results: Interception[] }>(
      '/api/v2/aibridge/interceptions?limit=1000',
    );
    expect(interceptions.results).toHaveLength(w.story.interceptions);
    expect(await w.json(['interceptions', 'list', '--all', '--limit', '7', '-o', 'json'])).toEqual(
      interceptions.results,
    );
    // Without --all, one page and a note saying how to get the rest (tables only).
    const page = await w.cli(['interceptions', 'list', '--limit', '5']);
    expect(tableRows(page.stdout)).toHaveLength(6);
    expect(page.stderr).toBe(`Showing 5 of ${w.story.interceptions} interceptions: --all for every one.\n`);
  });

  it('sessions show: a readable timeline of prompts, steps, tool calls and tokens; JSON as the API', async () => {
    const w = world();
    const { sessions } = await w.api<{ sessions: Session[] }>('/api/v2/aibridge/sessions?q=client:Codex');
    const bob = sessions.find((s) => s.initiator.username === 'bob' && s.threads === 2) as Session;
    const path = `/api/v2/aibridge/sessions/${bob.id}?initiator=${bob.initiator.id}&limit=200`;
    const detail = await w.api<SessionDetail>(path);
    expect(await w.json(['sessions', 'show', bob.id, '--initiator', 'bob', '-o', 'json'])).toEqual(detail);

    const shown = await w.cli(['sessions', 'show', bob.id, '--initiator', 'bob'], { COLUMNS: '100' });
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    const text = shown.stdout;
    expect(text).toContain(`Session ${bob.id}`);
    expect(text).toMatch(/User {8}bob \(Bob Chen\)/);
    expect(text).toMatch(/Client {6}Codex/);
    const thread = detail.threads[0] as SessionDetail['threads'][number];
    expect(text).toContain(`> ${thread.prompt?.split('\n')[0]}`);
    const action = thread.agentic_actions[0] as SessionDetail['threads'][number]['agentic_actions'][number];
    expect(text).toContain(
      `step 1 · ${action.model} · in ${action.token_usage.input_tokens.toLocaleString()}`,
    );
    expect(text).toContain(`→ ${action.tool_calls[0]?.tool} `);
    expect(text.indexOf('Thread 1')).toBeLessThan(text.indexOf('Thread 2'));
    for (const line of text.split('\n').filter((l) => l.includes('→'))) {
      expect(line.length).toBeLessThanOrEqual(100);
    }
    // One page with the reference's paging flags.
    const page = await w.json<SessionDetail>([
      'sessions',
      'show',
      bob.id,
      '--initiator',
      'bob',
      '--limit',
      '1',
      '-o',
      'json',
    ]);
    expect(page.threads.map((t) => t.id)).toEqual([thread.id]);
  });

  it('interceptions list: the results array, a table, and the reference filters', async () => {
    const w = world();
    const api = await w.api<{ results: Interception[] }>('/api/v2/aibridge/interceptions?limit=100');
    expect(await w.json(['interceptions', 'list', '-o', 'json'])).toEqual(api.results);
    const table = await w.cli(['interceptions', 'list', '--limit', '10'], { COLUMNS: '200' });
    const [header, ...rows] = tableRows(table.stdout);
    expect(header).toEqual([
      'ID',
      'STARTED',
      'USER',
      'CLIENT',
      'MODEL',
      'IN/OUT/CACHE',
      'COST',
      'TOOLS',
      'PROMPT',
    ]);
    // The demo's models are all priced: every row shows dollars.
    expect(rows.every((r) => /^\$\d/.test(r[6] ?? ''))).toBe(true);
    const first = api.results[0] as Interception;
    expect(rows[0]?.slice(0, 5)).toEqual([
      first.id,
      first.started_at.replace('T', ' ').slice(0, 19),
      first.initiator.username,
      first.client ?? 'Unknown',
      first.model,
    ]);
    const q = 'initiator:bob provider:openai client:Codex';
    const filtered = await w.api<{ results: Interception[] }>(
      `/api/v2/aibridge/interceptions?q=${encodeURIComponent(q)}`,
    );
    expect(filtered.results.length).toBeGreaterThan(0);
    const flags = ['--initiator', 'bob', '--provider', 'openai', '--client', 'Codex', '-o', 'json'];
    expect(await w.json(['interceptions', 'list', ...flags])).toEqual(filtered.results);
    const third = api.results[2] as Interception;
    const window = [
      '--started-before',
      third.started_at,
      '--after-id',
      third.id,
      '--limit',
      '2',
      '-o',
      'json',
    ];
    expect(await w.json(['interceptions', 'list', ...window])).toEqual(api.results.slice(3, 5));
  });

  it('models and clients, users and tokens over the API', async () => {
    const w = world();
    const models = await w.api<string[]>('/api/v2/aibridge/models');
    expect(await w.json(['models', '-o', 'json'])).toEqual(models);
    expect((await w.cli(['models'])).stdout).toBe(`MODEL\n${models.join('\n')}\n`);
    expect(await w.json(['models', 'claude', '-o', 'json'])).toEqual(
      models.filter((m) => m.startsWith('claude')),
    );
    expect((await w.cli(['clients', '-o', 'csv'])).stdout).toBe(
      'client\nAnthropic SDK (JS)\nClaude Code\nCodex\nCursor\nOpenAI SDK (JS)\n',
    );

    const { users } = await w.api<{ users: User[] }>('/api/v2/users');
    // last_seen_at moves whenever a token is used (each CLI call uses one), so compare the rest.
    const seenAside = (list: User[]) => list.map(({ last_seen_at: _, ...rest }) => rest);
    expect(seenAside(await w.json(['users', 'list', '-o', 'json']))).toEqual(seenAside(users));
    expect(seenAside(await w.json(['users', 'list', '--role', 'auditor', '-o', 'json']))).toEqual(
      seenAside(users.filter((u) => u.role === 'auditor')),
    );
    const usersTable = tableRows((await w.cli(['users', 'list'])).stdout);
    expect(usersTable[0]).toEqual(['USERNAME', 'NAME', 'ROLE', 'CREATED', 'LAST SEEN', 'ID']);
    expect(usersTable.slice(1).map((r) => r[0])).toEqual(users.map((u) => u.username));

    const created = await w.cli(['users', 'create', 'erin', '--name', 'Erin Ruiz', '--role', 'member']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const erinToken = created.stdout.trim();
    const erin = { AIBRIDGE_TOKEN: erinToken };
    expect((await w.json<User>(['whoami', '-o', 'json'], erin)).username).toBe('erin');
    const laptop = await w.cli(['tokens', 'create', '--name', 'laptop', '--lifetime', '7d'], erin);
    expect(laptop.code).toBe(0);
    const keys = await w.json<Array<{ id: string; token_name: string; lifetime_seconds: number }>>([
      'tokens',
      'list',
      'erin',
      '-o',
      'json',
    ]);
    expect(keys.find((k) => k.token_name === 'laptop')?.lifetime_seconds).toBe(7 * 86_400);
    expect(JSON.stringify(keys)).not.toContain(laptop.stdout.trim().slice(11));
    const laptopId = laptop.stdout.trim().slice(0, 10);
    const tokensTable = tableRows((await w.cli(['tokens', 'list'], erin)).stdout);
    expect(tokensTable[0]).toEqual(['ID', 'NAME', 'CREATED', 'EXPIRES', 'LAST USED']);
    expect(tokensTable.map((r) => r[0])).toContain(laptopId);
    expect(await w.cli(['tokens', 'revoke', laptopId], erin)).toMatchObject({
      code: 0,
      stderr: `revoked token ${laptopId}\n`,
    });
    expect((await w.cli(['whoami'], { AIBRIDGE_TOKEN: laptop.stdout.trim() })).code).toBe(1);
    expect((await w.cli(['users', 'delete', 'erin'])).code).toBe(0);
    const gone = await w.cli(['whoami'], erin);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(
      /^aibridge: GET \/api\/v2\/users\/me: 401 .* \(run `aibridge login http:\/\/127\.0\.0\.1:\d+` with a valid token\)\n$/,
    );
  });
});
