import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { generateToken } from '../../src/auth/token.js';
import { loadConfig } from '../../src/config.js';
import { Database } from '../../src/db/database.js';
import { openWhenReachable } from '../../src/db/wait.js';
import type { RecorderOptions } from '../../src/recorder/recorder.js';
import { startServer } from '../../src/server.js';
import { freshDatabase, POSTGRES_URL, postgresUnavailable } from '../databases.js';
import { databaseProxy } from '../db-proxy.js';
import { FakeUpstream, reply } from '../fake-upstream.js';
import { gatewayOverrides } from '../gateway.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

const CHAT_REPLY =
  '{"id":"c","object":"chat.completion","model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}}';

/** A logger whose lines the test can read (messages in order). */
function capturedLog() {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines };
}

async function serverBehindProxy(dataDir: string, recorder: RecorderOptions = {}) {
  const fresh = await freshDatabase('postgres');
  const proxy = await databaseProxy();
  const token = generateToken().token;
  const db = await Database.open({ url: proxy.url, schema: fresh.schema, poolSize: 2, timeoutMs: 3000 });
  const config = {
    ...loadConfig({}, {}),
    ...gatewayOverrides(upstream),
    http: { host: '127.0.0.1', port: 0 },
    bootstrapToken: token,
    dataDir,
    logLevel: 'silent' as const,
  };
  const { log, lines } = capturedLog();
  const running = await startServer(config, { db, log, recorder: { closeTimeoutMs: 200, ...recorder } });
  const gateway = (path: string, body: unknown, headers: Record<string, string>) =>
    fetch(`${running.url}/api/v2/aibridge${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  return { fresh, proxy, token, running, lines, gateway, config };
}

const chat = { model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] };
const messages = { model: 'claude-sonnet-4-0', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] };

describe.skipIf(postgresUnavailable !== undefined)('database outage [postgres]', () => {
  it('answers 503 with Retry-After in each provider shape and the API shape, logged once, never 500', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'aibridge-outage-'));
    const server = await serverBehindProxy(dataDir);
    try {
      upstream.reset();
      upstream.always(reply(200, CHAT_REPLY));
      const known = { authorization: `Bearer ${server.token}` };
      expect((await server.gateway('/openai/v1/chat/completions', chat, known)).status).toBe(200);
      server.proxy.cut();
      // A token never seen before cannot be checked while the database is out.
      const stranger = generateToken().token;
      for (let i = 0; i < 10; i++) {
        const openai = await server.gateway('/openai/v1/chat/completions', chat, {
          authorization: `Bearer ${stranger}`,
        });
        expect(openai.status).toBe(503);
        expect(openai.headers.get('retry-after')).toBe('5');
        const body = (await openai.json()) as { error: { type: string; code: string } };
        expect(body.error).toMatchObject({ type: 'server_error', code: 'service_unavailable' });
        const anthropic = await server.gateway('/anthropic/v1/messages', messages, { 'x-api-key': stranger });
        expect(anthropic.status).toBe(503);
        expect(anthropic.headers.get('retry-after')).toBe('5');
        expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
        const api = await fetch(`${server.running.url}/api/v2/users/me`, {
          headers: { 'coder-session-token': stranger },
        });
        expect(api.status).toBe(503);
        expect(api.headers.get('retry-after')).toBe('5');
        expect(await api.json()).toEqual({
          message: 'The database is unavailable.',
          detail: 'Retry shortly.',
        });
      }
      // Known tokens are still served (into the outage journal): the replica stays in the pool.
      const ready = await fetch(`${server.running.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', database: 'unavailable', outage: 'journal' });
      expect((await fetch(`${server.running.url}/healthz`)).status).toBe(200);
      const errors = server.lines.filter((line) => line.level >= 50);
      expect(errors.map((line) => line.msg)).toEqual([
        'database unavailable: gateway and API answer 503 until it is back',
      ]);
      server.proxy.restore();
      await vi.waitFor(() => expect(server.lines.map((l) => l.msg)).toContain('database available again'), {
        timeout: 15_000,
      });
      expect((await server.gateway('/openai/v1/chat/completions', chat, known)).status).toBe(200);
    } finally {
      await server.running.close();
      await server.proxy.close();
      await server.fresh.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  for (const mode of ['durable', 'fast'] as const)
    it(`spools what it could not write when stopped with the database down, and replays it at the next start (${mode} recording)`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'aibridge-spool-'));
      // Batches linger: the records (in fast mode, the start rows too) stay queued until the shutdown.
      const server = await serverBehindProxy(dataDir, { lingerMs: 60_000, mode });
      try {
        upstream.reset();
        upstream.always(reply(200, CHAT_REPLY));
        const known = { authorization: `Bearer ${server.token}` };
        for (let i = 0; i < 3; i++) {
          expect((await server.gateway('/openai/v1/chat/completions', chat, known)).status).toBe(200);
        }
        server.proxy.cut();
        await server.running.close();
        const messagesLogged = server.lines.map((line) => line.msg);
        expect(messagesLogged).not.toContain('recordings flushed');
        expect(messagesLogged).toContain(
          'database unavailable at shutdown: records spooled; they are replayed at the next start',
        );
        expect(readdirSync(join(dataDir, 'spool')).filter((name) => name.endsWith('.jsonl'))).toHaveLength(1);

        const db = await Database.open({ url: POSTGRES_URL, schema: server.fresh.schema });
        const { log } = capturedLog();
        const again = await startServer({ ...server.config, bootstrapToken: undefined }, { db, log });
        try {
          expect(readdirSync(join(dataDir, 'spool')).filter((name) => name.endsWith('.jsonl'))).toEqual([]);
          const rows = await db.kysely.selectFrom('aibridge_interceptions').select('ended_at').execute();
          expect(rows).toHaveLength(3);
          expect(rows.every((row) => row.ended_at !== null)).toBe(true);
          const tokens = await db.kysely
            .selectFrom('aibridge_token_usages')
            .select('output_tokens')
            .execute();
          expect(tokens.map((t) => t.output_tokens)).toEqual([5, 5, 5]);
        } finally {
          await again.close();
        }
      } finally {
        await server.proxy.close();
        await server.fresh.dispose();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });

  it('waits for an unreachable database at start-up, with backoff, instead of exiting', async () => {
    const proxy = await databaseProxy({ down: true });
    const { log, lines } = capturedLog();
    const sink = log.child({});
    const warned = new Promise<void>((resolve) => {
      const original = sink.warn.bind(sink);
      sink.warn = ((...args: Parameters<typeof original>) => {
        original(...args);
        resolve();
      }) as typeof sink.warn;
    });
    const opening = openWhenReachable({ url: proxy.url, timeoutMs: 2000 }, sink, 60_000);
    await warned;
    proxy.restore();
    const db = await opening;
    try {
      expect(lines.some((line) => line.msg === 'database unreachable at start-up; waiting for it')).toBe(
        true,
      );
    } finally {
      await db.close();
      await proxy.close();
    }
  });
});
