import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateToken } from '../../src/auth/token.js';
import { type Config, loadConfig } from '../../src/config.js';
import { Database } from '../../src/db/database.js';
import { createLogger } from '../../src/log.js';
import { startServer } from '../../src/server.js';
import { type DatabaseKind, freshDatabase, POSTGRES_URL, postgresUnavailable } from '../databases.js';
import { FakeUpstream, gate, reply, stream } from '../fake-upstream.js';
import { loadTxtar, section } from '../fixtures.js';
import { gatewayOverrides } from '../gateway.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

const SIMPLE_STREAM = section(loadTxtar('anthropic/simple.txtar'), 'streaming');
const SIMPLE_JSON = section(loadTxtar('anthropic/simple.txtar'), 'non-streaming');

/** A server on a database that outlives it, so what the shutdown wrote can be read afterwards. */
async function durableServer(kind: DatabaseKind, overrides: Partial<Config>) {
  const token = generateToken().token;
  const config: Config = {
    ...loadConfig({}, {}),
    ...gatewayOverrides(upstream),
    http: { host: '127.0.0.1', port: 0 },
    bootstrapToken: token,
    logLevel: 'silent',
    ...overrides,
  };
  let reopen: () => Promise<Database>;
  let cleanup: () => Promise<void>;
  let db: Database | undefined;
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'aibridge-shutdown-'));
    config.dataDir = dir;
    reopen = () => Database.open({ dataDir: dir });
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const fresh = await freshDatabase('postgres', { migrate: false });
    db = fresh.db;
    reopen = () => Database.open({ url: POSTGRES_URL, schema: fresh.schema });
    cleanup = () => fresh.dispose();
  }
  // Batches linger for a minute: everything stays queued until the shutdown flushes it.
  const running = await startServer(config, {
    log: createLogger('silent'),
    recorder: { lingerMs: 60_000 },
    ...(db ? { db } : {}),
  });
  const call = (stream: boolean) =>
    fetch(`${running.url}/api/v2/aibridge/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': token, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'claude-sonnet-4-0',
        max_tokens: 64,
        stream,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
  return { running, call, reopen, cleanup };
}

for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && postgresUnavailable !== undefined)(
    `graceful shutdown [${kind}]`,
    () => {
      for (const recordingMode of ['durable', 'fast'] as const)
        it(`lets streams in flight finish, refuses new work, and writes everything queued (${recordingMode} recording)`, async () => {
          upstream.reset();
          const server = await durableServer(kind, { shutdownTimeoutMs: 10_000, recordingMode });
          try {
            upstream.always(reply(200, SIMPLE_JSON));
            const blocking = await Promise.all(Array.from({ length: 5 }, () => server.call(false)));
            for (const res of blocking) expect(res.status).toBe(200);
            expect(server.running.recorder.queueDepth).toBeGreaterThan(0);

            // The streams stay in flight (first event sent, the rest held) until the shutdown has begun.
            const rest = gate();
            upstream.always(stream(SIMPLE_STREAM, { pauseAfter: 1, resume: rest.opened }));
            const streams = await Promise.all(Array.from({ length: 3 }, () => server.call(true)));
            const bodies = streams.map((res) => res.text());
            const closing = server.running.close();
            const late = await server.call(false).then(
              (res) => res.status,
              () => 'refused',
            );
            expect([503, 'refused']).toContain(late);
            rest.open();
            expect(await Promise.all(bodies)).toEqual([SIMPLE_STREAM, SIMPLE_STREAM, SIMPLE_STREAM]);
            await closing;

            const db = await server.reopen();
            try {
              const rows = await db.kysely.selectFrom('aibridge_interceptions').selectAll().execute();
              expect(rows).toHaveLength(8);
              expect(rows.every((r) => r.ended_at !== null)).toBe(true);
              const tokens = await db.kysely.selectFrom('aibridge_token_usages').selectAll().execute();
              expect(tokens.map((t) => t.output_tokens).sort()).toEqual([
                240, 240, 240, 254, 254, 254, 254, 254,
              ]);
              expect(await db.kysely.selectFrom('aibridge_user_prompts').selectAll().execute()).toHaveLength(
                8,
              );
              expect(
                await db.kysely.selectFrom('aibridge_model_thoughts').selectAll().execute(),
              ).toHaveLength(8);
            } finally {
              await db.close();
            }
          } finally {
            await server.running.close();
            await server.cleanup();
          }
        });

      it('cuts streams that outlast the shutdown timeout and still records them as ended', async () => {
        upstream.reset();
        const server = await durableServer(kind, { shutdownTimeoutMs: 300 });
        try {
          // The provider sends its first event and then nothing: the stream outlasts any timeout.
          upstream.always(stream(SIMPLE_STREAM, { pauseAfter: 1, resume: new Promise(() => {}) }));
          const res = await server.call(true);
          const reader = (res.body as ReadableStream<Uint8Array>).getReader();
          expect(Buffer.from((await reader.read()).value ?? []).toString()).toContain('message_start');
          const body = (async () => {
            while (!(await reader.read()).done);
            return 'ended';
          })().catch(() => 'cut');
          await server.running.close();
          expect(await body).toBe('cut');
          const db = await server.reopen();
          try {
            const rows = await db.kysely.selectFrom('aibridge_interceptions').selectAll().execute();
            expect(rows.map((r) => r.ended_at !== null)).toEqual([true]);
            const tokens = await db.kysely.selectFrom('aibridge_token_usages').selectAll().execute();
            expect(tokens.map((t) => [t.input_tokens, t.output_tokens])).toEqual([[18, 1]]);
          } finally {
            await db.close();
          }
        } finally {
          await server.cleanup();
        }
      });
    },
  );
}
