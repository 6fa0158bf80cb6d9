import { Writable } from 'node:stream';
import { sql } from 'kysely';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GatewayMetrics } from '../../src/gateway/metrics.js';
import { registerPricingMetrics } from '../../src/pricing/metrics.js';
import { FakeUpstream, type ReceivedRequest, type Responder, reply, stream } from '../fake-upstream.js';
import { gatewayOverrides } from '../gateway.js';
import { startTestServer, type TestServer } from '../server.js';

/** Distinctive values: any of them found where it does not belong is a leak. */
const CENTRAL_ANTHROPIC = 'sk-ant-CANARY-central-anthropic-7f3a91';
const CENTRAL_OPENAI = 'sk-openai-CANARY-central-openai-9c1d27';
const INSTANCE_KEY = 'sk-ant-CANARY-instance-key-4be81c';
const PERSONAL_KEY = 'sk-ant-CANARY-personal-byok-d02f55';
const ADDED_KEY = 'sk-ant-CANARY-added-one-key-5e6f70';

const logLines: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});
const upstream = await FakeUpstream.start();
let server: TestServer;
beforeAll(async () => {
  const overrides = gatewayOverrides(upstream);
  server = await startTestServer(
    'pglite',
    {
      ...overrides,
      anthropic: {
        ...overrides.anthropic,
        baseUrl: overrides.anthropic?.baseUrl ?? '',
        key: CENTRAL_ANTHROPIC,
      },
      openai: { ...overrides.openai, baseUrl: overrides.openai?.baseUrl ?? '', key: CENTRAL_OPENAI },
      logLevel: 'debug',
    },
    { log: pino({ level: 'debug' }, sink) },
  );
  const created = await server.request('/api/v2/aibridge/providers', {
    method: 'POST',
    json: {
      name: 'claude-own',
      type: 'anthropic',
      base_url: `${upstream.url}/`,
      keys: [INSTANCE_KEY],
      byok: 'byok-allowed',
    },
  });
  expect(created.status).toBe(201);
});
afterAll(async () => {
  await server.close();
  await upstream.close();
});

const STREAM =
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_s","usage":{"input_tokens":5,"output_tokens":1}}}\n\n' +
  'event: message_stop\ndata: {"type":"message_stop"}\n\n';
const byPath: Responder = (req, res) => {
  if (req.url.includes('/models')) return reply(200, '{"data":[]}')(req, res);
  if (req.url.includes('chat'))
    return reply(401, '{"error":{"message":"bad key","type":"invalid_request_error"}}')(req, res);
  return stream(STREAM)(req, res);
};
const messages = JSON.stringify({
  model: 'claude-sonnet-4-0',
  max_tokens: 8,
  stream: true,
  messages: [{ role: 'user', content: 'hi' }],
});

function everywhere(request: ReceivedRequest): string {
  return `${request.rawHeaders.join('\n')}\n${request.url}\n${request.body.toString('utf8')}`;
}

it('keeps tokens and provider keys out of logs, metrics, error bodies, storage and upstream requests where they do not belong', async () => {
  upstream.reset();
  upstream.always(byPath);
  const token = server.ownerToken;
  const post = (path: string, headers: Record<string, string>, body = messages) =>
    fetch(`${server.url}/api/v2/aibridge${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const answers: string[] = [];
  const keep = async (res: Response) => {
    answers.push(`${[...res.headers].join('\n')}\n${await res.text()}`);
    return res.status;
  };
  expect(await keep(await post('/anthropic/v1/messages', { 'x-api-key': token }))).toBe(200);
  expect(
    await keep(
      await post(
        '/openai/v1/chat/completions',
        { authorization: `Bearer ${token}` },
        '{"model":"gpt-4.1","messages":[]}',
      ),
    ),
  ).toBe(401);
  expect(
    await keep(
      await fetch(`${server.url}/api/v2/aibridge/openai/v1/models`, {
        headers: { authorization: `Bearer ${token}` },
      }),
    ),
  ).toBe(200);
  expect(await keep(await post('/claude-own/v1/messages', { 'x-api-key': token }))).toBe(200);
  expect(
    await keep(
      await post('/claude-own/v1/messages', { 'x-api-key': PERSONAL_KEY, 'x-aibridge-token': token }),
    ),
  ).toBe(200);
  // Refusals: a wrong token, a token in the wrong place, a bad body.
  expect(await keep(await post('/anthropic/v1/messages', { 'x-api-key': `${token.slice(0, -2)}xx` }))).toBe(
    401,
  );
  expect(await keep(await post('/anthropic/v1/messages', { 'x-api-key': token }, '{"model":'))).toBe(400);

  // One key added, listed, added again (409) and removed: only hints come back, and audited.
  const keysPath = '/api/v2/aibridge/providers/claude-own/keys';
  expect(await keep(await server.request(keysPath, { method: 'POST', json: { key: ADDED_KEY } }))).toBe(201);
  expect(await keep(await server.request(keysPath, { method: 'POST', json: { key: ADDED_KEY } }))).toBe(409);
  const listed = await server.request(keysPath);
  const added = ((await listed.clone().json()) as { id: string; hint: string }[]).find(
    (k) => k.hint === 'sk-…6f70',
  );
  expect(await keep(listed)).toBe(200);
  expect(await keep(await server.request(`${keysPath}/${added?.id}`, { method: 'DELETE' }))).toBe(204);
  expect(await keep(await server.request('/api/v2/audit?limit=1000'))).toBe(200);

  const [central, openai, models, instance, byok] = upstream.received;
  // The provider sees its own key, never the person's aibridge token.
  expect(central?.headers['x-api-key']).toBe(CENTRAL_ANTHROPIC);
  expect(openai?.headers.authorization).toBe(`Bearer ${CENTRAL_OPENAI}`);
  expect(models?.headers.authorization).toBe(`Bearer ${CENTRAL_OPENAI}`);
  expect(instance?.headers['x-api-key']).toBe(INSTANCE_KEY);
  expect(byok?.headers['x-api-key']).toBe(PERSONAL_KEY);
  for (const request of upstream.received) expect(everywhere(request)).not.toContain(token);
  const keyOf = [CENTRAL_ANTHROPIC, CENTRAL_OPENAI, CENTRAL_OPENAI, INSTANCE_KEY, PERSONAL_KEY];
  upstream.received.forEach((request, i) => {
    for (const key of [CENTRAL_ANTHROPIC, CENTRAL_OPENAI, INSTANCE_KEY, PERSONAL_KEY]) {
      if (key !== keyOf[i]) expect(everywhere(request), `request ${i}`).not.toContain(key);
    }
  });

  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const secrets = [
    token,
    token.split('-')[1] ?? token,
    CENTRAL_ANTHROPIC,
    CENTRAL_OPENAI,
    INSTANCE_KEY,
    PERSONAL_KEY,
    ADDED_KEY,
  ];
  const logs = logLines.join('\n');
  expect(logs).toContain('gateway: interception');
  const db = server.running.db.kysely;
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_name like 'aibridge_%'`.execute(db);
  const stored: string[] = [];
  for (const { name } of tables.rows) {
    const rows = await sql<{ row: unknown }>`select row_to_json(t) as row from ${sql.table(name)} t`.execute(
      db,
    );
    stored.push(JSON.stringify(rows.rows));
  }
  for (const secret of secrets) {
    expect(logs, 'logs').not.toContain(secret);
    expect(metrics, 'metrics').not.toContain(secret);
    for (const answer of answers) expect(answer, 'a response to the client').not.toContain(secret);
    // Tokens are stored hashed, provider keys encrypted: no table holds either in the clear.
    expect(stored.join('\n'), 'the database').not.toContain(secret);
  }
});

it('keeps metric series bounded when clients send 10,000 distinct models', async () => {
  const registry = new Registry();
  const metrics = new GatewayMetrics(registry);
  const unpriced = registerPricingMetrics(registry);
  for (let i = 0; i < 10_000; i++) {
    const series = metrics.seriesFor({
      provider: 'openai',
      // A known model now and then among the made-up ones.
      model: i % 1000 === 0 ? 'gpt-4o-mini' : `model-${i}`,
      route: '/v1/chat/completions',
      method: 'POST',
      client: 'Unknown',
    });
    series.started();
    series.ended('completed', 0.1);
    unpriced('openai', `model-${i}`);
  }
  const text = await registry.metrics();
  const models = new Set([...text.matchAll(/model="([^"]*)"/g)].map((m) => m[1]));
  expect(models.size).toBeLessThanOrEqual(201);
  expect(models).toContain('other');
  expect(models).toContain('gpt-4o-mini');
  // The gateway's metrics name only known models; made-up ones are all `other`.
  const gatewayModels = [...text.matchAll(/aibridge_interceptions_total\{[^}]*model="([^"]*)"/g)].map(
    (m) => m[1],
  );
  expect(new Set(gatewayModels)).toEqual(new Set(['gpt-4o-mini', 'other']));
  expect(text.split('\n').length).toBeLessThan(10_000);
});
