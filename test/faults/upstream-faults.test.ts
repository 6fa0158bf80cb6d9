import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateToken } from '../../src/auth/token.js';
import { adminQuery, POSTGRES_URL } from '../databases.js';
import { FakeUpstream, gate, type Responder, splitEvents, stream } from '../fake-upstream.js';
import { loadTxtar, section } from '../fixtures.js';
import { type GatewayProcess, logged, startGateway } from './gateway-process.js';

/**
 * The provider misbehaving under a real gateway process: streams reset mid-way, malformed SSE,
 * 10 MB events, silence past the idle timeout, bursts of 429/500/529; and SIGTERM under load
 * with the database up. After each: what the client saw is what the spec says, and every
 * interception the provider was sent is in the database exactly once, ended, with its usage.
 */

const SIMPLE_STREAM = section(loadTxtar('anthropic/simple.txtar'), 'streaming');
const EVENTS = splitEvents(SIMPLE_STREAM);
const token = generateToken().token;
const secretKey = randomBytes(32).toString('hex');
const database = `faults_${randomBytes(6).toString('hex')}`;
const databaseUrl = POSTGRES_URL.replace(/\/[^/]*$/, `/${database}`);
let upstream: FakeUpstream;
let gateway: GatewayProcess;
const dirs: string[] = [];
/** Faults injected and calls made, printed at the end. */
const figures: Record<string, unknown> = {};

/** What a streamed call of simple.txtar records after its first `n` events (undefined: no row). */
function usageAfter(n: number): { input: number; output: number } | undefined {
  const sent = EVENTS.slice(0, n).join('');
  if (!sent.includes('event: message_start')) return undefined;
  return { input: 18, output: sent.includes('event: message_delta') ? 240 : 1 };
}

function gatewayEnv(extra: Record<string, string> = {}): Record<string, string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aibridge-upstream-faults-'));
  dirs.push(dataDir);
  return {
    DATABASE_URL: databaseUrl,
    AIBRIDGE_DATA_DIR: dataDir,
    AIBRIDGE_BOOTSTRAP_TOKEN: token,
    // Both gateways open the provider keys the first one sealed.
    AIBRIDGE_SECRET_KEY: secretKey,
    AIBRIDGE_ANTHROPIC_BASE_URL: `${upstream.url}/`,
    AIBRIDGE_ANTHROPIC_KEY: 'sk-ant-faults',
    AIBRIDGE_OPENAI_BASE_URL: `${upstream.url}/v1/`,
    AIBRIDGE_OPENAI_KEY: 'sk-openai-faults',
    AIBRIDGE_LOG_LEVEL: 'info',
    ...extra,
  };
}

beforeAll(async () => {
  await adminQuery(`create database ${database}`);
  upstream = await FakeUpstream.start();
  // Generous on a loaded machine, short enough for the silence check to finish quickly.
  gateway = await startGateway(gatewayEnv({ AIBRIDGE_UPSTREAM_IDLE_TIMEOUT: '1500ms' }));
});

afterAll(async () => {
  console.log(`upstream fault figures: ${JSON.stringify(figures)}`);
  if (gateway) {
    gateway.child.kill('SIGTERM');
    await gateway.exited;
  }
  await upstream?.close();
  await adminQuery(`drop database if exists ${database} with (force)`);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** What the client got: status, headers, the bytes read, and whether the body ended cleanly. */
interface Seen {
  status: number;
  headers: Headers;
  id: string | null;
  body: Buffer;
  cut: boolean;
}

async function call(target: GatewayProcess = gateway): Promise<Seen> {
  const res = await fetch(`${target.url}/api/v2/aibridge/anthropic/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': token, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet-4-0', max_tokens: 64, stream: true, messages: [] }),
    signal: AbortSignal.timeout(60_000),
  });
  const chunks: Buffer[] = [];
  let cut = false;
  try {
    for await (const chunk of res.body ?? []) chunks.push(Buffer.from(chunk));
  } catch {
    cut = true;
  }
  const id = res.headers.get('x-aibridge-interception-id');
  return { status: res.status, headers: res.headers, id, body: Buffer.concat(chunks), cut };
}

interface Row {
  id: string;
  ended: boolean;
  end_reason: string | null;
  usages: Array<{ input: number; output: number }>;
}

/** The rows of these interceptions once all are ended (each id once, or the check fails). */
async function recorded(ids: string[]): Promise<Map<string, Row>> {
  let rows: Row[] = [];
  await vi.waitFor(
    async () => {
      rows = await query<Row>(
        `select i.id::text, i.ended_at is not null as ended, i.metadata->>'end_reason' as end_reason,
                coalesce((select json_agg(json_build_object('input', t.input_tokens, 'output', t.output_tokens))
                          from aibridge_token_usages t where t.interception_id = i.id), '[]') as usages
         from aibridge_interceptions i where i.id = any($1::uuid[])`,
        [ids],
      );
      expect(rows.filter((r) => r.ended)).toHaveLength(ids.length);
    },
    { timeout: 30_000, interval: 200 },
  );
  return new Map(rows.map((r) => [r.id, r]));
}

async function query<R>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as R[];
  } finally {
    await client.end();
  }
}

/** Nothing left open: no interception without its end, no upstream response still going. */
async function nothingOpen(): Promise<void> {
  const [row] = await query<{ open: number }>(
    'select count(*)::int as open from aibridge_interceptions where ended_at is null',
  );
  expect(row?.open).toBe(0);
  await vi.waitFor(() => expect(upstream.openResponses).toBe(0), { timeout: 30_000 });
}

/** Calls `n` times at once with `responder` answering each; returns what each client saw. */
async function burst(n: number, responder: Responder): Promise<Seen[]> {
  upstream.reset();
  upstream.always(responder);
  const seen = await Promise.all(Array.from({ length: n }, () => call()));
  expect(upstream.received).toHaveLength(n);
  expect(seen.every((s) => s.id !== null)).toBe(true);
  return seen;
}

describe('fault suite: a misbehaving provider under a real gateway process', () => {
  it('relays streams reset mid-way as cut, and records each once with the usage it saw', async () => {
    // Reset before the head (502), or after 1..all-but-one events (a cut stream).
    const cuts = Array.from({ length: 24 }, (_, i) => i % (EVENTS.length - 1));
    let next = 0;
    upstream.reset();
    upstream.always((req, res) => {
      const after = cuts[next++ % cuts.length] as number;
      if (after === 0) {
        res.socket?.destroy();
        return;
      }
      return stream(SIMPLE_STREAM, { destroyAfter: after })(req, res);
    });
    const seen = await Promise.all(cuts.map(() => call()));
    expect(upstream.received).toHaveLength(cuts.length);
    // Calls were answered in arrival order; match each client to its fault by the bytes it got.
    for (const s of seen) {
      if (s.status === 502) {
        expect(JSON.parse(s.body.toString())).toMatchObject({ type: 'error', error: { type: 'api_error' } });
        continue;
      }
      expect(s.status).toBe(200);
      expect(s.cut).toBe(true);
      expect(SIMPLE_STREAM.startsWith(s.body.toString())).toBe(true);
    }
    expect(seen.filter((s) => s.status === 502)).toHaveLength(cuts.filter((c) => c === 0).length);
    const rows = await recorded(seen.map((s) => s.id as string));
    // Each reset stream recorded the usage of the events that had passed when it broke.
    const usages = [...rows.values()].map((r) => r.usages).sort((a, b) => a.length - b.length);
    const expected = cuts.map((c) => usageAfter(c)).map((u) => (u ? [u] : []));
    const key = (u: Array<{ input: number; output: number }>) => JSON.stringify(u);
    expect(usages.map(key).sort()).toEqual(expected.map(key).sort());
    await nothingOpen();
    figures.resets = { calls: cuts.length, beforeHead: cuts.filter((c) => c === 0).length };
  });

  it('relays malformed SSE byte for byte and records what can be read of it', async () => {
    const [start, ...rest] = EVENTS as [string, ...string[]];
    const malformed = [
      // Garbage between valid events: bad JSON, no data, binary, no colon, comments, CRLF, bad UTF-8.
      Buffer.from(start),
      Buffer.from('data: {"type":"content_block_delta","index":\n\n'),
      Buffer.from('event: message_delta\n\n'),
      Buffer.from('event: content_block_delta\r\ndata: \x00\x01\x02 not json\r\n\r\n'),
      Buffer.from('just a line without a colon\n\n: a comment\n\n'),
      Buffer.concat([Buffer.from('data: '), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('\n\n')]),
      Buffer.from('event: message_delta\ndata: {"type":"message_delta","usage":\n\n'),
      Buffer.from(rest.join('')),
      // An unterminated last event after message_stop.
      Buffer.from('event: ping\ndata: {"type":"ping"'),
    ];
    const body = Buffer.concat(malformed);
    const noise = randomBytes(64 * 1024);
    const answers: Responder[] = [
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        void (async () => {
          for (const part of malformed) await new Promise((done) => res.write(part, done));
          res.end();
        })();
      },
      // Not SSE at all, under an event-stream content type.
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(noise);
      },
    ];
    let next = 0;
    const seen = await burst(16, (req, res) => answers[next++ % 2]?.(req, res));
    const rows = await recorded(seen.map((s) => s.id as string));
    for (const s of seen) {
      expect(s.status).toBe(200);
      expect(s.cut).toBe(false);
      const garbage = s.body.equals(noise);
      if (!garbage) expect(s.body.equals(body)).toBe(true);
      // Usage where the provider sent readable usage; none from noise.
      expect(rows.get(s.id as string)?.usages).toEqual(garbage ? [] : [{ input: 18, output: 240 }]);
    }
    await nothingOpen();
    figures.malformed = { calls: seen.length };
  });

  it('relays 10 MB events unchanged and still reads the usage around them', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const start = EVENTS[0] as string;
    // A 10 MB message_start (an unknown field: parsed for its usage) and a 10 MB text delta.
    const bigStart = start.replace('"content":[]', `"content":[],"padding":"${big}"`);
    const bigDelta = `event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"${big}"}}\n\n`;
    const body = [bigStart, ...EVENTS.slice(1, 6), bigDelta, ...EVENTS.slice(6)].join('');
    const digest = createHash('sha256').update(body).digest('hex');
    const seen = await burst(2, stream(body));
    const rows = await recorded(seen.map((s) => s.id as string));
    for (const s of seen) {
      expect(s.status).toBe(200);
      expect(s.body.length).toBe(Buffer.byteLength(body));
      expect(createHash('sha256').update(s.body).digest('hex')).toBe(digest);
      expect(rows.get(s.id as string)?.usages).toEqual([{ input: 18, output: 240 }]);
    }
    await nothingOpen();
    figures.bigEvents = { calls: seen.length, eventBytes: bigDelta.length };
  });

  it('ends a stream silent past the idle timeout cleanly, keeping what was sent, and closes upstream', async () => {
    let hungUp = 0;
    const silent: Responder = (req, res) => {
      res.once('close', () => hungUp++);
      // Three events, then silence until the gateway hangs up.
      return stream(SIMPLE_STREAM, { pauseAfter: 3 })(req, res);
    };
    const seen = await burst(8, silent);
    const rows = await recorded(seen.map((s) => s.id as string));
    for (const s of seen) {
      expect(s.status).toBe(200);
      expect(s.cut).toBe(false);
      expect(s.body.toString()).toBe(EVENTS.slice(0, 3).join(''));
      const row = rows.get(s.id as string);
      expect(row?.end_reason).toBe('idle_timeout');
      expect(row?.usages).toEqual([usageAfter(3)]);
    }
    await vi.waitFor(() => expect(hungUp).toBe(8));
    await nothingOpen();
    figures.silence = { calls: seen.length };
  });

  it.each([
    [
      429,
      { 'retry-after': '7', 'anthropic-ratelimit-requests-remaining': '0' },
      '{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"},"request_id":"req_429"}',
    ],
    [
      500,
      {},
      '{"type":"error","error":{"type":"api_error","message":"Internal server error"},"request_id":"req_500"}',
    ],
    [
      529,
      { 'retry-after': '3' },
      '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_529"}',
    ],
  ] as const)(
    'relays a burst of %i faithfully: status, body and Retry-After',
    async (status, headers, text) => {
      const answer: Responder = (_req, res: ServerResponse) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(text);
      };
      const seen = await burst(40, answer);
      const rows = await recorded(seen.map((s) => s.id as string));
      const retryAfter = 'retry-after' in headers ? headers['retry-after'] : null;
      for (const s of seen) {
        expect(s.status).toBe(status);
        expect(s.body.toString()).toBe(text);
        expect(s.headers.get('retry-after')).toBe(retryAfter);
        expect(rows.get(s.id as string)?.usages).toEqual([]);
      }
      await nothingOpen();
      figures[`burst${status}`] = { calls: seen.length };
    },
  );

  it('finishes 32 slow streams on SIGTERM with the database up, records all of them, exits 0', async () => {
    const draining = await startGateway(gatewayEnv({ AIBRIDGE_SHUTDOWN_TIMEOUT: '60s' }));
    const held = gate();
    let paused = 0;
    upstream.reset();
    upstream.always((req, res) => {
      paused++;
      return stream(SIMPLE_STREAM, { delayMs: 10, pauseAfter: 4, resume: held.opened })(req, res);
    });
    const streams = Array.from({ length: 32 }, () => call(draining));
    await vi.waitFor(() => expect(paused).toBe(32), { timeout: 30_000 });
    draining.child.kill('SIGTERM');
    await vi.waitFor(() => expect(logged(draining, 'shutting down: finishing in-flight requests')).toBe(1), {
      timeout: 30_000,
    });
    held.open();
    const seen = await Promise.all(streams);
    expect(await draining.exited).toBe(0);
    for (const s of seen) {
      expect(s.status).toBe(200);
      expect(s.cut).toBe(false);
      expect(s.body.toString()).toBe(SIMPLE_STREAM);
    }
    expect(logged(draining, 'recordings flushed')).toBe(1);
    expect(logged(draining, 'shutdown timeout reached: closing remaining connections')).toBe(0);
    const rows = await recorded(seen.map((s) => s.id as string));
    expect([...rows.values()].map((r) => r.usages)).toEqual(Array(32).fill([{ input: 18, output: 240 }]));
    await nothingOpen();
    figures.sigterm = { streams: seen.length, recorded: rows.size };
  });
});
