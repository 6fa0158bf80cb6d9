import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken } from '../../src/auth/token.js';
import { Database } from '../../src/db/database.js';
import { BUDGET_REMAINING_HEADER } from '../../src/gateway/budget.js';
import { COST_MICROS, MODEL, messagesStream } from '../budgets/helpers.js';
import { adminQuery, POSTGRES_URL } from '../databases.js';
import { FakeUpstream, type ReceivedRequest, replay, reply } from '../fake-upstream.js';
import { type GatewayProcess, startGateway } from '../faults/gateway-process.js';
import { loadTxtar, section } from '../fixtures.js';
import { RoundRobin } from './round-robin.js';

const TOOL = loadTxtar('anthropic/single_builtin_tool.txtar');
const SIMPLE = loadTxtar('anthropic/simple.txtar');
const CALL_ID = { streaming: 'toolu_01RX68weRSquLx6HUTj65iBo', blocking: 'toolu_01AusGgY5aKFhzWrFBv9JfHq' };
const PER_MINUTE = 30;
/** A group's shared requests per minute: below its two members' own limits together. */
const GROUP_PER_MINUTE = 20;
const OLD_INTERCEPTIONS = 50;
const owner = generateToken().token;
/** Every replica seals and opens provider keys with the same key (as deploy/ requires). */
const secretKey = randomBytes(32).toString('hex');
const database = `test_replicas_${randomBytes(5).toString('hex')}`;
const url = new URL(POSTGRES_URL);
url.pathname = `/${database}`;
let upstream: FakeUpstream;
let replicas: GatewayProcess[] = [];
let balancer: RoundRobin;
let sql: pg.Pool;
const dataDirs: string[] = [];

/** Budget requests stream a priced answer; tool loops replay the fixtures; the rest a chat reply. */
function answer(req: ReceivedRequest, res: Parameters<ReturnType<typeof reply>>[1]) {
  const body = req.json as { model?: string; stream?: boolean; messages?: Array<{ content: unknown }> };
  const mode = body.stream ? 'streaming' : 'non-streaming';
  if (body.model === MODEL) return messagesStream()(req, res);
  if (!req.url.includes('/messages')) return reply(200, section(SIMPLE, 'non-streaming'))(req, res);
  const followUp = JSON.stringify(body.messages ?? []).includes('tool_result');
  return replay(section(followUp ? SIMPLE : TOOL, mode))(req, res);
}

/** Seeds interceptions past the retention, so the replicas' first purge has work to share. */
async function seedOld(): Promise<void> {
  const db = await Database.open({ url: url.toString() });
  await db.migrate();
  await db.close();
  await sql.query(`
    WITH u AS (INSERT INTO users (username, role) VALUES ('old-timer', 'member') RETURNING id)
    INSERT INTO aibridge_interceptions (id, initiator_id, provider, model, started_at, ended_at)
    SELECT gen_random_uuid(), u.id, 'anthropic', 'claude-sonnet-4-5', now() - interval '100 days', now() - interval '100 days'
    FROM u, generate_series(1, ${OLD_INTERCEPTIONS})`);
}

beforeAll(async () => {
  await adminQuery(`CREATE DATABASE ${database}`);
  sql = new pg.Pool({ connectionString: url.toString(), max: 2 });
  await seedOld();
  upstream = await FakeUpstream.start();
  upstream.always(answer);
  const env = () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'aibridge-replicas-'));
    dataDirs.push(dataDir);
    return {
      DATABASE_URL: url.toString(),
      AIBRIDGE_DATA_DIR: dataDir,
      AIBRIDGE_BOOTSTRAP_TOKEN: owner,
      AIBRIDGE_SECRET_KEY: secretKey,
      AIBRIDGE_ANTHROPIC_BASE_URL: `${upstream.url}/`,
      AIBRIDGE_ANTHROPIC_KEY: 'sk-ant-replicas',
      AIBRIDGE_OPENAI_BASE_URL: `${upstream.url}/v1/`,
      AIBRIDGE_OPENAI_KEY: 'sk-openai-replicas',
      AIBRIDGE_USER_RATE_LIMIT: String(PER_MINUTE),
      AIBRIDGE_RETENTION: '30d',
      AIBRIDGE_DATABASE_POOL_SIZE: '4',
    };
  };
  // All three start at once: simultaneous migrations, one bootstrap, one retention run.
  replicas = await Promise.all([env(), env(), env()].map((e) => startGateway(e)));
  balancer = await RoundRobin.start(replicas.map((r) => r.url));
});

afterAll(async () => {
  await balancer?.close();
  for (const replica of replicas) {
    replica.child.kill('SIGTERM');
    await replica.exited;
  }
  await upstream?.close();
  await sql?.end();
  await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

async function api(path: string, init: { method?: string; json?: unknown } = {}) {
  const res = await fetch(`${balancer.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  return res;
}

async function createUser(username: string): Promise<{ id: string; token: string; keyId: string }> {
  const user = (await (
    await api('/api/v2/users', { method: 'POST', json: { username, role: 'member' } })
  ).json()) as {
    id: string;
  };
  const key = (await (await api(`/api/v2/users/${user.id}/keys`, { method: 'POST', json: {} })).json()) as {
    key: string;
  };
  return { id: user.id, token: key.key, keyId: key.key.split('-')[0] ?? '' };
}

/** One Messages call through `base` (the balancer unless a replica is named). */
async function messages(
  token: string,
  body: unknown,
  headers: Record<string, string> = {},
  base = balancer.url,
) {
  const res = await fetch(`${base}/api/v2/aibridge/anthropic/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': token, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const ask = (stream: boolean, tool?: string) => ({
  model: 'claude-sonnet-4-0',
  max_tokens: 64,
  stream,
  messages: [
    { role: 'user', content: 'read the foo file' },
    ...(tool
      ? [
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: tool, name: 'Read', input: { file_path: '/tmp/foo' } }],
          },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: tool, content: 'foo contents' }] },
        ]
      : []),
  ],
});

describe('three replicas on one PostgreSQL behind a round-robin balancer', () => {
  it('runs one retention purge between them', async () => {
    await expect
      .poll(
        async () => (await sql.query('select count(*)::int as n from aibridge_interceptions')).rows[0].n,
        {
          timeout: 30_000,
        },
      )
      .toBe(0);
    const purged = replicas
      .flatMap((r) => r.logs().split('\n'))
      .filter((line) => line.includes('"msg":"retention purge"'))
      .reduce((sum, line) => sum + (JSON.parse(line) as { interceptions: number }).interceptions, 0);
    expect(purged).toBe(OLD_INTERCEPTIONS);
  });

  it('records each turn of concurrent agent loops once, each loop one thread and one session', async () => {
    upstream.reset();
    const loops = await Promise.all(
      [true, true, true, false, false, false].map(async (stream, i) => {
        const user = await createUser(`loop-${i}`);
        const session = `session-${randomUUID()}`;
        const headers = {
          'user-agent': 'claude-cli/2.1.197 (external, cli)',
          'x-claude-code-session-id': session,
        };
        const first = await messages(user.token, ask(stream), headers);
        const second = await messages(
          user.token,
          ask(stream, CALL_ID[stream ? 'streaming' : 'blocking']),
          headers,
        );
        expect([first.status, second.status]).toEqual([200, 200]);
        return {
          user,
          session,
          ids: [first, second].map((r) => r.headers.get('x-aibridge-interception-id')),
        };
      }),
    );
    await expect
      .poll(
        async () =>
          (
            await sql.query(
              'select count(*)::int as n from aibridge_interceptions where ended_at is not null',
            )
          ).rows[0].n,
      )
      .toBe(loops.length * 2);
    const { rows } = await sql.query<{
      id: string;
      session_id: string;
      thread_root_id: string | null;
      thread_parent_id: string | null;
    }>('select id, session_id, thread_root_id, thread_parent_id from aibridge_interceptions');
    expect(rows).toHaveLength(upstream.received.length);
    for (const loop of loops) {
      const [first, second] = loop.ids.map((id) => rows.find((row) => row.id === id));
      expect(first).toMatchObject({ session_id: loop.session, thread_root_id: null });
      expect(second).toMatchObject({
        session_id: loop.session,
        thread_root_id: first?.id,
        thread_parent_id: first?.id,
      });
    }
    // The balancer spread the loops over every replica.
    expect(balancer.served.every((n) => n > 0)).toBe(true);
  });

  it('holds one per-user rate limit across the replicas, refusing in the provider’s shape', async () => {
    const user = await createUser('busy');
    const results = await Promise.all(
      Array.from({ length: PER_MINUTE * 2 }, () => messages(user.token, ask(false))),
    );
    const admitted = results.filter((r) => r.status === 200).length;
    expect(Math.abs(admitted - PER_MINUTE)).toBeLessThanOrEqual(PER_MINUTE * 0.1);
    const refused = results.filter((r) => r.status === 429);
    expect(refused).toHaveLength(results.length - admitted);
    expect(JSON.parse(refused[0]?.text ?? '{}')).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error' },
    });
    expect(Number(refused[0]?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused[0]?.headers.get('anthropic-ratelimit-requests-limit')).toBe(String(PER_MINUTE));
    expect(refused[0]?.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    // Each replica counts the others by their heartbeat (for the fallback share).
    for (const replica of replicas) {
      const ready = (await (await fetch(`${replica.url}/readyz`)).json()) as { limits: object };
      expect(ready.limits).toMatchObject({ store: 'postgres', degraded: false });
    }
    await expect
      .poll(
        async () => {
          const ready = (await (await fetch(`${replicas[0]?.url}/readyz`)).json()) as {
            limits: { replicas: number };
          };
          return ready.limits.replicas;
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toBe(3);
  });

  it("holds one group's shared request limit across the replicas once each has applied it", async () => {
    const members = await Promise.all(['squad-a', 'squad-b'].map((name) => createUser(name)));
    expect((await api('/api/v2/groups', { method: 'POST', json: { name: 'squad' } })).status).toBe(201);
    for (const name of ['squad-a', 'squad-b']) {
      const added = await api(`/api/v2/groups/squad/members/${name}`, { method: 'PUT', json: {} });
      expect(added.status).toBe(200);
    }
    const set = await api('/api/v2/groups/squad', {
      method: 'PATCH',
      json: { requests_per_minute: GROUP_PER_MINUTE },
    });
    expect(set.status).toBe(200);
    // The change reached one replica through the balancer; the others learn it from the
    // trigger's NOTIFY (or their 2 s poll). /readyz says when each applies group limits.
    for (const replica of replicas) {
      await expect
        .poll(
          async () => {
            const ready = (await (await fetch(`${replica.url}/readyz`)).json()) as {
              limits: { limits: { groups?: { withLimits: number } } };
            };
            return ready.limits.limits.groups?.withLimits ?? 0;
          },
          { timeout: 10_000, interval: 200 },
        )
        .toBe(1);
    }
    const results = await Promise.all(
      Array.from({ length: GROUP_PER_MINUTE * 2 }, (_, i) =>
        messages(members[i % 2]?.token ?? '', ask(false)),
      ),
    );
    const admitted = results.filter((r) => r.status === 200).length;
    expect(Math.abs(admitted - GROUP_PER_MINUTE)).toBeLessThanOrEqual(GROUP_PER_MINUTE * 0.1);
    const refused = results.find((r) => r.status === 429);
    expect(JSON.parse(refused?.text ?? '{}')).toMatchObject({
      error: { type: 'rate_limit_error', message: expect.stringContaining('group squad') },
    });
    expect(refused?.headers.get('anthropic-ratelimit-requests-limit')).toBe(String(GROUP_PER_MINUTE));
  });

  it('holds one budget across the replicas', async () => {
    const user = await createUser('spender');
    const limitUsd = 0.3;
    const budget = await api('/api/v2/aibridge/budgets', {
      method: 'POST',
      json: { subject: 'user:spender', limit_usd: String(limitUsd), period: 'month' },
    });
    expect(budget.status).toBe(201);
    const { id } = (await budget.json()) as { id: string };
    const body = {
      model: MODEL,
      max_tokens: 2000,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    };
    // Replicas re-read budgets every few seconds: wait until each one applies it (its answer
    // says how much room is left), one priced request at a time.
    let probes = 0;
    for (const replica of replicas) {
      await expect
        .poll(
          async () => {
            const res = await messages(user.token, body, {}, replica.url);
            const aware = res.headers.get(BUDGET_REMAINING_HEADER) !== null;
            if (aware) probes++;
            return aware;
          },
          { interval: 1000, timeout: 20_000 },
        )
        .toBe(true);
    }
    const results = await Promise.all(Array.from({ length: 15 }, () => messages(user.token, body)));
    const admitted = results.filter((r) => r.status === 200).length;
    // 400/402: out of budget (as each provider says it); 429: the per-user rate limit.
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((status) => ![200, 400, 402, 429].includes(status))).toEqual([]);
    expect(statuses.some((status) => status === 400 || status === 402)).toBe(true);
    const spent = async () => {
      const { rows } = await sql.query(
        'select coalesce(sum(spent_micros), 0)::bigint as s from aibridge_budget_usage where budget_id = $1',
        [id],
      );
      return Number(rows[0].s);
    };
    await expect.poll(spent, { timeout: 10_000 }).toBe((probes + admitted) * COST_MICROS);
    expect(await spent()).toBeLessThanOrEqual(limitUsd * 1_000_000);
  });

  it('revokes a token on every replica, even one that missed the notification', async () => {
    const user = await createUser('leaver');
    // Every replica has the token cached.
    for (const replica of replicas) {
      expect((await messages(user.token, ask(false), {}, replica.url)).status).toBe(200);
    }
    // Deleted behind the API's back: no NOTIFY, so only the replicas' poll (1 s) can notice.
    await sql.query('delete from api_keys where id = $1', [user.keyId]);
    for (const replica of replicas) {
      await expect
        .poll(async () => (await messages(user.token, ask(false), {}, replica.url)).status, {
          interval: 500,
          timeout: 10_000,
        })
        .toBe(401);
    }
  });
});
