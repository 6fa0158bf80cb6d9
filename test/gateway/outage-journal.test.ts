import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { generateToken } from '../../src/auth/token.js';
import { type Config, loadConfig } from '../../src/config.js';
import { Database } from '../../src/db/database.js';
import { startServer } from '../../src/server.js';
import { ApiKeyStore } from '../../src/store/api-keys.js';
import { UserStore } from '../../src/store/users.js';
import { freshDatabase, postgresUnavailable } from '../databases.js';
import { databaseProxy } from '../db-proxy.js';
import { FakeUpstream, type Responder, reply, stream } from '../fake-upstream.js';
import { loadTxtar, section } from '../fixtures.js';
import { gatewayOverrides } from '../gateway.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

const SIMPLE_STREAM = section(loadTxtar('anthropic/simple.txtar'), 'streaming');
const CHAT_REPLY =
  '{"id":"c","object":"chat.completion","model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}}';
const blocking = reply(200, CHAT_REPLY);
const streaming = stream(SIMPLE_STREAM);
/** OpenAI chat answers blocking; Anthropic Messages streams. */
const byApi: Responder = (req, res) => (req.url.includes('chat') ? blocking : streaming)(req, res);
const chat = { model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] };
const messages = {
  model: 'claude-sonnet-4-0',
  max_tokens: 8,
  stream: true,
  messages: [{ role: 'user', content: 'hi' }],
};

function capturedLog() {
  const lines: Array<{ level: number; msg: string; lost?: number }> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

/** A server on PostgreSQL behind a proxy the test can cut, in the given outage mode. */
async function serverBehindProxy(outage: Config['outage'], lingerMs?: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'aibridge-journal-'));
  const fresh = await freshDatabase('postgres');
  const proxy = await databaseProxy();
  const token = generateToken().token;
  const db = await Database.open({ url: proxy.url, schema: fresh.schema, poolSize: 2, timeoutMs: 3000 });
  const config: Config = {
    ...loadConfig({}, {}),
    ...gatewayOverrides(upstream),
    http: { host: '127.0.0.1', port: 0 },
    bootstrapToken: token,
    dataDir,
    logLevel: 'silent',
    outage,
  };
  const { log, lines } = capturedLog();
  // biome-ignore lint/suspicious/noExplicitAny: pino's line objects carry whatever fields were logged.
  type Line = (typeof lines)[number] & Record<string, any>;
  const running = await startServer(config, {
    db,
    log,
    recorder: { closeTimeoutMs: 200, ...(lingerMs && { lingerMs }) },
  });
  const call = (path: string, body: unknown, headers: Record<string, string>) =>
    fetch(`${running.url}/api/v2/aibridge${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const openai = () => call('/openai/v1/chat/completions', chat, { authorization: `Bearer ${token}` });
  const anthropic = () => call('/anthropic/v1/messages', messages, { 'x-api-key': token });
  const dispose = async () => {
    await proxy.close();
    await fresh.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { fresh, proxy, running, lines: lines as Line[], openai, anthropic, call, dataDir, dispose };
}

/** Rows of the interceptions table (read straight from PostgreSQL, not through the proxy). */
async function counts(fresh: Awaited<ReturnType<typeof freshDatabase>>) {
  const db = fresh.db;
  const interceptions = await db.kysely
    .selectFrom('aibridge_interceptions')
    .select(['id', 'ended_at'])
    .execute();
  const tokens = await db.kysely.selectFrom('aibridge_token_usages').select('interception_id').execute();
  return {
    interceptions: interceptions.length,
    open: interceptions.filter((row) => row.ended_at === null).length,
    tokens: tokens.length,
    distinctTokens: new Set(tokens.map((t) => t.interception_id)).size,
  };
}

describe.skipIf(postgresUnavailable !== undefined)('outage journal [postgres]', () => {
  it('serves known tokens while the database is cut (streaming and blocking), then replays each interception once', async () => {
    const server = await serverBehindProxy({ mode: 'spool', spoolMaxBytes: 64 * 1024 * 1024 });
    try {
      upstream.reset();
      upstream.always(byApi);
      expect((await server.openai()).status).toBe(200);
      server.proxy.cut();
      for (let i = 0; i < 5; i++) {
        const blocking = await server.openai();
        expect(blocking.status).toBe(200);
        expect(await blocking.text()).toBe(CHAT_REPLY);
        const streamed = await server.anthropic();
        expect(streamed.status).toBe(200);
        expect(await streamed.text()).toBe(SIMPLE_STREAM);
      }
      const journal = readdirSync(join(server.dataDir, 'spool')).filter((n) => n.startsWith('journal-'));
      expect(journal).toHaveLength(1);
      server.proxy.restore();
      await vi.waitFor(
        async () =>
          expect(await counts(server.fresh)).toEqual({
            interceptions: 11,
            open: 0,
            tokens: 11,
            distinctTokens: 11,
          }),
        { timeout: 30_000, interval: 200 },
      );
      await vi.waitFor(() => expect(readdirSync(join(server.dataDir, 'spool'))).toEqual([]), {
        timeout: 30_000,
      });
      expect(server.lines.map((l) => l.msg)).toContain('replayed records journaled during a database outage');
      const metrics = await (await fetch(`${server.running.url}/metrics`)).text();
      expect(metrics).toMatch(/aibridge_spool_interceptions\{outcome="journaled"\} 10/);
      expect(metrics).toMatch(/aibridge_records_dropped_total 0/);
    } finally {
      await server.running.close();
      await server.dispose();
    }
  });

  it("replays a deleted user's journaled records; those of a user whose row is gone are discarded, counted and logged once", async () => {
    const server = await serverBehindProxy({ mode: 'spool', spoolMaxBytes: 64 * 1024 * 1024 });
    const db = server.fresh.db.kysely;
    const member = async (username: string) => {
      const user = await new UserStore(db).create({ username, role: 'member' });
      const { token } = await new ApiKeyStore(db).create({ userId: user.id, lifetimeSeconds: 3600 });
      return { id: user.id, token };
    };
    try {
      upstream.reset();
      upstream.always(byApi);
      const carol = await member('carol');
      const bob = await member('bob');
      const asUser = (token: string) =>
        server.call('/anthropic/v1/messages', messages, { 'x-api-key': token });
      // Each token is verified once while the database answers, so it authenticates from the cache.
      for (const user of [carol, bob]) expect((await asUser(user.token)).status).toBe(200);
      expect((await server.anthropic()).status).toBe(200);
      await vi.waitFor(
        async () => expect(await counts(server.fresh)).toMatchObject({ interceptions: 3, open: 0 }),
        {
          timeout: 30_000,
        },
      );
      server.proxy.cut();
      for (const user of [carol, bob, carol, bob]) expect((await asUser(user.token)).status).toBe(200);
      expect((await server.anthropic()).status).toBe(200);
      // Meanwhile (through another replica): carol is deleted as aibridge deletes users (her row
      // stays), and bob's row is removed outright, with his interceptions and tokens.
      await new UserStore(db).softDelete(carol.id);
      await db.deleteFrom('aibridge_interceptions').where('initiator_id', '=', bob.id).execute();
      await db.deleteFrom('api_keys').where('user_id', '=', bob.id).execute();
      await db.deleteFrom('users').where('id', '=', bob.id).execute();
      server.proxy.restore();
      await vi.waitFor(() => expect(readdirSync(join(server.dataDir, 'spool'))).toEqual([]), {
        timeout: 30_000,
      });
      const rows = await db
        .selectFrom('aibridge_interceptions')
        .select(['initiator_id', 'ended_at'])
        .execute();
      const byUser = (id: string) =>
        rows.filter((row) => row.initiator_id === id && row.ended_at !== null).length;
      expect(byUser(carol.id)).toBe(3);
      expect(byUser(bob.id)).toBe(0);
      expect(rows).toHaveLength(5);
      const discarded = server.lines.filter(
        (l) => l.msg === 'replay: discarded journaled records of users no longer in the database',
      );
      expect(discarded).toHaveLength(1);
      expect(discarded[0]).toMatchObject({ interceptions: 2, users: [bob.id] });
      expect(discarded[0]?.records).toBeGreaterThanOrEqual(4);
      expect(server.lines.map((l) => l.msg)).not.toContain(
        'could not replay a spool file; it is kept for the next try',
      );
      const metrics = await (await fetch(`${server.running.url}/metrics`)).text();
      expect(metrics).toContain(`aibridge_spool_records_discarded_total ${discarded[0]?.records}`);
      expect(metrics).toMatch(/aibridge_records_dropped_total 0/);
    } finally {
      server.proxy.restore();
      await server.running.close();
      await server.dispose();
    }
  });

  it('refuses with 503 + Retry-After in the provider shape when the journal is full', async () => {
    const server = await serverBehindProxy({ mode: 'spool', spoolMaxBytes: 1 });
    try {
      upstream.reset();
      upstream.always(byApi);
      expect((await server.anthropic()).status).toBe(200);
      server.proxy.cut();
      const refused = await server.anthropic();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(await refused.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
      expect(upstream.received).toHaveLength(1);
    } finally {
      server.proxy.restore();
      await server.running.close();
      await server.dispose();
    }
  });

  it('in refuse mode answers 503, and a shutdown with the database down says how many records it lost', async () => {
    const server = await serverBehindProxy({ mode: 'refuse', spoolMaxBytes: 64 * 1024 * 1024 }, 60_000);
    try {
      upstream.reset();
      upstream.always(byApi);
      for (let i = 0; i < 2; i++) expect((await server.openai()).status).toBe(200);
      server.proxy.cut();
      const refused = await server.openai();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      // Prompts, token rows and ends of the served calls were still queued (the batch lingers).
      const queued = server.running.recorder.queueDepth;
      expect(queued).toBeGreaterThanOrEqual(6);
      await expect(server.running.close()).rejects.toThrow(
        `${queued} records could not be written or spooled and are lost`,
      );
      const lost = server.lines.find(
        (l) => l.msg === 'database unavailable at shutdown and AIBRIDGE_OUTAGE_MODE=refuse: records lost',
      );
      expect(lost?.lost).toBe(queued);
      expect(server.lines.map((l) => l.msg)).not.toContain('recordings flushed');
    } finally {
      await server.dispose();
    }
  });
});
