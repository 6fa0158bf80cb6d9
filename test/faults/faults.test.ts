import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateToken } from '../../src/auth/token.js';
import { FakeUpstream, stream } from '../fake-upstream.js';
import { loadTxtar, section } from '../fixtures.js';
import { PrivateCluster } from './cluster.js';
import { type GatewayProcess, logged, startGateway } from './gateway-process.js';

const SIMPLE_STREAM = section(loadTxtar('anthropic/simple.txtar'), 'streaming');
const token = generateToken().token;
let cluster: PrivateCluster;
let upstream: FakeUpstream;
const dirs: string[] = [];
/** How long PostgreSQL stays stopped under load. */
const OUTAGE_MS = Number(process.env.AIBRIDGE_FAULTS_OUTAGE_MS ?? 30_000);
/** Client calls aborted at random points (the 1,000). */
const ABORTS = 1000;
/** Figures the suite prints at the end (requests, faults, records lost). */
const figures: Record<string, unknown> = {};

beforeAll(async () => {
  cluster = await PrivateCluster.create();
  upstream = await FakeUpstream.start();
});
afterAll(async () => {
  console.log(`fault suite figures: ${JSON.stringify(figures)}`);
  await upstream?.close();
  cluster?.destroy();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** One secret for every gateway of the suite, as replicas (and restarts on a new data directory) must share it. */
const secretKey = randomBytes(32).toString('hex');

function gatewayEnv(extra: Record<string, string> = {}): Record<string, string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aibridge-faults-data-'));
  dirs.push(dataDir);
  return {
    DATABASE_URL: cluster.url,
    AIBRIDGE_DATA_DIR: dataDir,
    AIBRIDGE_BOOTSTRAP_TOKEN: token,
    AIBRIDGE_SECRET_KEY: secretKey,
    AIBRIDGE_ANTHROPIC_BASE_URL: `${upstream.url}/`,
    AIBRIDGE_ANTHROPIC_KEY: 'sk-ant-faults',
    AIBRIDGE_OPENAI_BASE_URL: `${upstream.url}/v1/`,
    AIBRIDGE_OPENAI_KEY: 'sk-openai-faults',
    AIBRIDGE_DATABASE_TIMEOUT: '2s',
    AIBRIDGE_LOG_LEVEL: 'info',
    ...extra,
  };
}

/** One streamed Messages call; resolves with the status, Retry-After, and body. */
async function call(gateway: GatewayProcess, key = token, signal?: AbortSignal) {
  const res = await fetch(`${gateway.url}/api/v2/aibridge/anthropic/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet-4-0', max_tokens: 64, stream: true, messages: [] }),
    signal: signal ?? AbortSignal.timeout(60_000),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
}

/** Waits until every interception is ended and `expected` have usage; returns the counts. */
async function settled(expected: number): Promise<{ interceptions: number; tokens: number; open: number }> {
  let counts = { interceptions: 0, tokens: 0, open: 0 };
  await vi.waitFor(
    async () => {
      const [row] = await cluster.query<{ interceptions: number; tokens: number; open: number }>(`
        select (select count(*)::int from aibridge_interceptions) as interceptions,
               (select count(*)::int from aibridge_token_usages) as tokens,
               (select count(*)::int from aibridge_interceptions where ended_at is null) as open`);
      counts = row ?? counts;
      if (counts.interceptions < expected || counts.open > 0 || counts.tokens < expected)
        throw new Error(`not settled: ${JSON.stringify(counts)}`);
    },
    { timeout: 60_000, interval: 200 },
  );
  return counts;
}

async function listeners(): Promise<number> {
  const rows = await cluster.query(
    `select pid from pg_stat_activity where backend_type = 'client backend' and query like 'LISTEN%'`,
  );
  return rows.length;
}

async function reset(): Promise<void> {
  await cluster
    .query('truncate aibridge_interceptions, aibridge_token_usages, aibridge_user_prompts')
    .catch(() => {});
  upstream.reset();
}

describe('fault suite: a real gateway process over a private PostgreSQL', () => {
  it('waits for a database that is down at start-up, then serves', async () => {
    cluster.stop();
    let waiting: () => void = () => {};
    const said = new Promise<void>((resolve) => (waiting = resolve));
    const starting = startGateway(gatewayEnv(), (logs) => {
      if (logs.includes('database unreachable at start-up; waiting for it')) waiting();
    });
    // Started only once the gateway has said it is waiting for it (instead of exiting).
    await said;
    await cluster.start();
    const gateway = await starting;
    upstream.always(stream(SIMPLE_STREAM));
    expect((await call(gateway)).status).toBe(200);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  });

  it('keeps serving 32 concurrent streams through a 30 s PostgreSQL stop: 0 client errors, 0 lost, 0 duplicated', async () => {
    await reset();
    const gateway = await startGateway(gatewayEnv());
    try {
      upstream.always(stream(SIMPLE_STREAM, { delayMs: 5 }));
      let served = 0;
      let stop = false;
      const bad: string[] = [];
      const loop = async () => {
        while (!stop) {
          const result = await call(gateway).catch((error: Error) => ({ status: 0, body: error.message }));
          if (result.status === 200 && result.body === SIMPLE_STREAM) served++;
          else bad.push(`${result.status} ${result.body}`);
        }
      };
      const loops = Array.from({ length: 32 }, loop);
      await vi.waitFor(() => expect(served).toBeGreaterThan(100), { timeout: 60_000 });
      cluster.stop();
      const atStop = served;
      // The fault's length (not a synchronisation): PostgreSQL stays stopped for 30 s.
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      const duringOutage = served - atStop;
      await cluster.start();
      const atRestart = served;
      await vi.waitFor(() => expect(served).toBeGreaterThan(atRestart + 100), { timeout: 60_000 });
      stop = true;
      await Promise.all(loops);
      expect(bad).toEqual([]);
      expect(duringOutage).toBeGreaterThan(100);
      // Every stream the provider served is in the database exactly once, ended, with its usage.
      const counts = await settled(served);
      expect(counts).toEqual({ interceptions: served, tokens: served, open: 0 });
      expect(upstream.received.length).toBe(served);
      const [journaled] = await cluster.query<{ n: number; distinct: number }>(`
        select count(*)::int as n, count(distinct t.interception_id)::int as distinct
        from aibridge_interceptions i join aibridge_token_usages t on t.interception_id = i.id
        where i.metadata->>'aibridge_recorded_via' = 'outage_journal'`);
      expect(journaled?.n).toBeGreaterThan(100);
      expect(journaled?.distinct).toBe(journaled?.n);
      await vi.waitFor(() =>
        expect(logged(gateway, 'replayed records journaled during a database outage')).toBeGreaterThan(0),
      );
      figures.outage = {
        served,
        duringOutage,
        journaled: journaled?.n ?? 0,
        lost: served - counts.interceptions,
      };
    } finally {
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
    }
  });

  it('replays the outage journal of a gateway SIGKILLed mid-stream while PostgreSQL was down', async () => {
    await reset();
    const env = gatewayEnv({ AIBRIDGE_INTERRUPTED_AFTER: '1s' });
    const gateway = await startGateway(env);
    upstream.always(stream(SIMPLE_STREAM, { delayMs: 5 }));
    expect((await call(gateway)).status).toBe(200);
    await settled(1);
    cluster.stop();
    // Finished during the outage (their end is journaled), then 4 cut mid-stream by the kill.
    for (let i = 0; i < 4; i++) expect((await call(gateway)).status).toBe(200);
    upstream.always(stream(SIMPLE_STREAM, { delayMs: 1000 }));
    const streams = Array.from({ length: 4 }, () => call(gateway).catch(() => undefined));
    await vi.waitFor(() => expect(upstream.received).toHaveLength(9), { timeout: 30_000 });
    gateway.child.kill('SIGKILL');
    await gateway.exited;
    await Promise.all(streams);
    await cluster.start();
    const again = await startGateway(env);
    try {
      expect(logged(again, 'replayed records spooled at the last shutdown')).toBe(1);
      await vi.waitFor(
        async () => {
          const rows = await cluster.query<{ via: string | null; reason: string | null; open: boolean }>(`
            select metadata->>'aibridge_recorded_via' as via, metadata->>'aibridge_ended_reason' as reason,
                   ended_at is null as open from aibridge_interceptions`);
          expect(rows).toHaveLength(9);
          expect(rows.filter((r) => r.via === 'outage_journal')).toHaveLength(8);
          expect(rows.filter((r) => r.reason === 'interrupted')).toHaveLength(4);
          expect(rows.filter((r) => r.open)).toHaveLength(0);
        },
        { timeout: 30_000, interval: 250 },
      );
    } finally {
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    }
  });

  it('in refuse mode survives PostgreSQL stopped under 32 concurrent streams: 503 + Retry-After, never 500, nothing lost, one LISTEN', async () => {
    await reset();
    const gateway = await startGateway(gatewayEnv({ AIBRIDGE_OUTAGE_MODE: 'refuse' }));
    try {
      upstream.always(stream(SIMPLE_STREAM, { delayMs: 5 }));
      const statuses = new Map<number, number>();
      let refused = 0;
      let stop = false;
      const bad: string[] = [];
      const loop = async () => {
        while (!stop) {
          const result = await call(gateway);
          statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
          if (result.status === 503) {
            refused++;
            if (result.retryAfter === null || !result.body.includes('"type":"error"')) bad.push(result.body);
          } else if (result.status !== 200 || result.body !== SIMPLE_STREAM)
            bad.push(`${result.status} ${result.body}`);
        }
      };
      const loops = Array.from({ length: 32 }, loop);
      await vi.waitFor(() => expect(statuses.get(200) ?? 0).toBeGreaterThan(100), { timeout: 60_000 });
      for (let restart = 0; restart < 3; restart++) {
        cluster.stop();
        const before = refused;
        await vi.waitFor(() => expect(refused).toBeGreaterThan(before + 50), { timeout: 60_000 });
        await cluster.start();
        const served = statuses.get(200) ?? 0;
        await vi.waitFor(() => expect(statuses.get(200) ?? 0).toBeGreaterThan(served + 100), {
          timeout: 60_000,
        });
      }
      stop = true;
      await Promise.all(loops);
      expect(bad).toEqual([]);
      expect([...statuses.keys()].sort()).toEqual([200, 503]);
      const served = statuses.get(200) ?? 0;
      // Every request the provider served is recorded exactly once, ended, with its usage.
      const counts = await settled(served);
      expect(counts).toEqual({
        interceptions: upstream.received.length,
        tokens: counts.interceptions,
        open: 0,
      });
      expect(counts.interceptions).toBe(served);
      await vi.waitFor(async () => expect(await listeners()).toBe(1), { timeout: 30_000 });
      // One outage line per transition, not a stack per refused request.
      expect(
        logged(gateway, 'database unavailable: gateway and API answer 503 until it is back'),
      ).toBeLessThanOrEqual(3);
      expect(logged(gateway, 'gateway: request failed')).toBe(0);
    } finally {
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
    }
  });

  it('fails fast on a frozen database (SIGSTOP) and recovers on SIGCONT', async () => {
    await reset();
    const gateway = await startGateway(gatewayEnv({ AIBRIDGE_OUTAGE_MODE: 'refuse' }));
    try {
      upstream.always(stream(SIMPLE_STREAM));
      expect((await call(gateway)).status).toBe(200);
      cluster.signalAll('SIGSTOP');
      const during = await Promise.all(
        Array.from({ length: 8 }, (_, i) => call(gateway, i % 2 ? token : generateToken().token)),
      );
      expect(during.map((r) => r.status)).toEqual(Array(8).fill(503));
      expect(during.every((r) => r.retryAfter !== null)).toBe(true);
      cluster.signalAll('SIGCONT');
      await vi.waitFor(async () => expect((await call(gateway)).status).toBe(200), { timeout: 30_000 });
      // Served calls are recorded with their usage; an insert that timed out while frozen may
      // commit on thaw (its request was refused): it is ended, never left open.
      const counts = await settled(upstream.received.length);
      expect(counts.tokens).toBe(upstream.received.length);
    } finally {
      cluster.signalAll('SIGCONT');
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
  });

  it('spools what is queued on SIGTERM with the database down, and replays it exactly once', async () => {
    await reset();
    const env = gatewayEnv();
    const gateway = await startGateway(env);
    upstream.always(stream(SIMPLE_STREAM, { delayMs: 150 }));
    const streams = Array.from({ length: 8 }, () => call(gateway));
    await vi.waitFor(() => expect(upstream.received).toHaveLength(8), { timeout: 30_000 });
    cluster.stop();
    gateway.child.kill('SIGTERM');
    const results = await Promise.all(streams);
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(await gateway.exited).toBe(0);
    expect(logged(gateway, 'recordings flushed')).toBe(0);
    expect(
      logged(
        gateway,
        'database unavailable at shutdown: records spooled; they are replayed at the next start',
      ),
    ).toBe(1);
    await cluster.start();
    const again = await startGateway(env);
    try {
      expect(logged(again, 'replayed records spooled at the last shutdown')).toBe(1);
      expect(await settled(8)).toEqual({ interceptions: 8, tokens: 8, open: 0 });
    } finally {
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    }
  });

  it('closes interceptions a SIGKILLed gateway left open as interrupted, visible in the API', async () => {
    await reset();
    const env = gatewayEnv({ AIBRIDGE_INTERRUPTED_AFTER: '1s' });
    const gateway = await startGateway(env);
    upstream.always(stream(SIMPLE_STREAM, { delayMs: 1000 }));
    const streams = Array.from({ length: 4 }, () => call(gateway).catch(() => undefined));
    await vi.waitFor(() => expect(upstream.received).toHaveLength(4), { timeout: 30_000 });
    gateway.child.kill('SIGKILL');
    await gateway.exited;
    await Promise.all(streams);
    const again = await startGateway(env);
    try {
      await vi.waitFor(
        async () => {
          const res = await fetch(`${again.url}/api/v2/aibridge/interceptions`, {
            headers: { 'coder-session-token': token },
          });
          const body = (await res.json()) as { results: Array<{ metadata: Record<string, unknown> }> };
          const interrupted = body.results.filter((r) => r.metadata.aibridge_ended_reason === 'interrupted');
          expect(interrupted).toHaveLength(4);
        },
        { timeout: 30_000, interval: 250 },
      );
      const [open] = await cluster.query<{ n: number }>(
        'select count(*)::int as n from aibridge_interceptions where ended_at is null',
      );
      expect(open?.n).toBe(0);
    } finally {
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    }
  });

  it(`records ${ABORTS} client aborts at random points, each once and ended`, async () => {
    await reset();
    const gateway = await startGateway(gatewayEnv());
    try {
      upstream.always(stream(SIMPLE_STREAM, { delayMs: 3 }));
      // 100 clients at a time, each aborting its call at a random point (before it is sent, while
      // it waits for the head, mid-stream or after the end), until ABORTS calls were made.
      let started = 0;
      const client = async () => {
        while (started < ABORTS) {
          started++;
          const controller = new AbortController();
          setTimeout(() => controller.abort(), Math.random() * 40);
          await call(gateway, token, controller.signal).catch(() => undefined);
        }
      };
      await Promise.all(Array.from({ length: 100 }, client));
      await vi.waitFor(
        async () => {
          const [row] = await cluster.query<{ n: number; open: number }>(
            'select count(*)::int as n, count(*) filter (where ended_at is null)::int as open from aibridge_interceptions',
          );
          // Every call the provider saw is recorded, and every record is ended. A call aborted
          // after its start row was committed but before its upstream request completed is
          // recorded without the provider seeing it (on a loaded machine that happens), so the
          // bound is one-sided; at most one row per call.
          expect(row?.open).toBe(0);
          expect(row?.n).toBeGreaterThanOrEqual(upstream.received.length);
          expect(row?.n).toBeLessThanOrEqual(ABORTS);
          figures.clientAborts = { calls: ABORTS, providerSaw: upstream.received.length, recorded: row?.n };
        },
        { timeout: 60_000, interval: 200 },
      );
    } finally {
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
    }
  });
});
