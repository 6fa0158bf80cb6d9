import { afterAll, beforeEach, expect, it } from 'vitest';
import { FakeUpstream, reply, stream } from '../fake-upstream.js';
import { gatewayOverrides, OPENAI_KEY, total, waitForRecording } from '../gateway.js';
import { describeEachServer, startTestServer } from '../server.js';
import { RESPONSES_STREAM } from './streams.js';
import { SocketClient, UpgradeRefused } from './websocket-client.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

/** The JSON of each SSE event's data line: what OpenAI's WebSocket mode sends as messages. */
const EVENTS = RESPONSES_STREAM.split('\n')
  .filter((line) => line.startsWith('data: '))
  .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>);

const completed = (m: Record<string, unknown>) => m.type === 'response.completed' || m.type === 'error';

/** The interceptions of the owner, oldest first, once `count` have ended. */
async function ended(
  server: ReturnType<Parameters<Parameters<typeof describeEachServer>[1]>[0]>,
  count: number,
) {
  const db = server.running.db;
  for (let i = 0; i < 400; i++) {
    const rows = await db.kysely
      .selectFrom('aibridge_interceptions')
      .select(['id', 'ended_at'])
      .orderBy('started_at')
      .execute();
    if (rows.length >= count && rows.slice(0, count).every((r) => r.ended_at)) {
      return Promise.all(rows.map((r) => waitForRecording(db, r.id)));
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${count} interceptions did not end`);
}

describeEachServer(
  'Responses over WebSocket',
  (server) => {
    beforeEach(async () => {
      upstream.reset();
      await server().running.db.kysely.deleteFrom('aibridge_interceptions').execute();
    });

    it('bridges response.create to a streaming POST: the events come back as messages, the turn is recorded', async () => {
      upstream.next(stream(RESPONSES_STREAM));
      const client = await SocketClient.open(server());
      client.send({
        type: 'response.create',
        model: 'gpt-4o-mini',
        input: 'say hello',
        store: false,
        tools: [],
      });
      const got = await client.until(completed);
      expect(got).toEqual(EVENTS);
      const sent = upstream.last;
      expect(sent.method).toBe('POST');
      expect(sent.url).toBe('/v1/responses');
      expect(sent.json).toEqual({
        model: 'gpt-4o-mini',
        input: 'say hello',
        store: false,
        tools: [],
        stream: true,
      });
      expect(sent.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
      expect(sent.headers['openai-beta']).toBe('responses_websockets=2026-02-06');
      expect(
        Object.keys(sent.headers).filter((h) => h.startsWith('sec-websocket') || h === 'upgrade'),
      ).toEqual([]);
      expect(JSON.stringify(sent.rawHeaders)).not.toContain(server().ownerToken);
      const [turn] = await ended(server(), 1);
      expect(turn?.interception.client).toBe('Codex');
      expect(turn?.interception.model).toBe('gpt-4o-mini');
      expect(turn?.prompts.map((p) => p.prompt)).toEqual(['say hello']);
      expect(total(turn?.tokens ?? [], 'input_tokens')).toBe(11);
      client.ws.close();
    });

    it('runs turns one after another on one socket, spelling out a store:false chain for HTTP', async () => {
      upstream.next(stream(RESPONSES_STREAM), stream(RESPONSES_STREAM.replaceAll('resp_ws1', 'resp_ws2')));
      const client = await SocketClient.open(server());
      const first = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'one' }] }];
      const second = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'two' }] }];
      client.send({ type: 'response.create', model: 'gpt-4o-mini', store: false, input: first });
      client.send({ type: 'response.processed', response_id: 'resp_ws1' });
      client.send({
        type: 'response.create',
        model: 'gpt-4o-mini',
        store: false,
        input: second,
        previous_response_id: 'resp_ws1',
      });
      const one = await client.until(completed);
      await client.until(completed, one.length);
      expect(upstream.received).toHaveLength(2);
      const output = (EVENTS[2]?.response as { output: unknown[] } | undefined)?.output ?? [];
      expect(upstream.received[1]?.json).toEqual({
        model: 'gpt-4o-mini',
        store: false,
        input: [...first, ...output, ...second],
        stream: true,
      });
      const turns = await ended(server(), 2);
      expect(turns.map((t) => t.prompts.map((p) => p.prompt))).toEqual([['one'], ['two']]);
      client.ws.close();
    });

    it("answers Codex's generate:false warm-up itself and spells its input out in the turn that follows", async () => {
      upstream.next(stream(RESPONSES_STREAM));
      const client = await SocketClient.open(server());
      const tools = [{ type: 'function', name: 'shell', parameters: { type: 'object' } }];
      const system = [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'be brief' }] },
      ];
      client.send({
        type: 'response.create',
        model: 'gpt-4o-mini',
        store: false,
        tools,
        input: system,
        generate: false,
      });
      const warm = await client.until(completed);
      expect(warm.map((m) => m.type)).toEqual(['response.created', 'response.completed']);
      const id = (warm[1]?.response as { id: string } | undefined)?.id;
      expect(upstream.received).toHaveLength(0);
      const user = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }];
      client.send({
        type: 'response.create',
        model: 'gpt-4o-mini',
        store: false,
        tools,
        input: user,
        previous_response_id: id,
      });
      await client.until(completed, 2);
      expect(upstream.last.json).toEqual({
        model: 'gpt-4o-mini',
        store: false,
        tools,
        input: [...system, ...user],
        stream: true,
      });
      const turns = await ended(server(), 1);
      expect(turns).toHaveLength(1);
      client.ws.close();
    });

    it('sends provider and aibridge errors as error events and keeps the socket for the next turn', async () => {
      upstream.next(
        reply(
          400,
          '{"error":{"message":"bad model","type":"invalid_request_error","code":"model_not_found","param":"model"}}',
        ),
      );
      upstream.next(stream(RESPONSES_STREAM));
      const client = await SocketClient.open(server());
      client.send({ type: 'response.create', model: 'nope', input: 'x' });
      expect(await client.until(completed)).toEqual([
        {
          type: 'error',
          status: 400,
          error: {
            message: 'bad model',
            type: 'invalid_request_error',
            code: 'model_not_found',
            param: 'model',
          },
        },
      ]);
      client.send({ type: 'response.create', input: 'no model' });
      expect((await client.until(completed, 1))[0]).toMatchObject({ type: 'error', status: 400 });
      client.send({ type: 'response.create', model: 'gpt-4o-mini', input: 'again' });
      expect((await client.until(completed, 2)).at(-1)?.type).toBe('response.completed');
      client.send('not json' as unknown);
      expect((await client.until(completed, 2 + EVENTS.length))[0]).toMatchObject({
        type: 'error',
        status: 400,
      });
      client.ws.close();
    });

    it('cuts the turn when the provider breaks the stream: an error event, then close 1011, recorded', async () => {
      upstream.next(stream(RESPONSES_STREAM, { destroyAfter: 2 }));
      const client = await SocketClient.open(server());
      client.send({ type: 'response.create', model: 'gpt-4o-mini', input: 'break' });
      const got = await client.until(completed);
      expect(got.at(-1)).toMatchObject({ type: 'error', status: 502 });
      expect((await client.closedWith()).code).toBe(1011);
      const [turn] = await ended(server(), 1);
      expect(turn?.interception.ended_at).not.toBeNull();
    });

    it('records a turn whose client leaves mid-stream, and aborts the upstream request', async () => {
      upstream.next(stream(RESPONSES_STREAM, { delayMs: 300 }));
      const client = await SocketClient.open(server());
      client.send({ type: 'response.create', model: 'gpt-4o-mini', input: 'leave' });
      await client.until((m) => m.type === 'response.created');
      client.ws.terminate();
      const [turn] = await ended(server(), 1);
      expect(turn?.prompts.map((p) => p.prompt)).toEqual(['leave']);
    });

    it('authenticates the upgrade with the same tokens, and refuses other paths with 426', async () => {
      await expect(SocketClient.open(server(), '/openai/v1/responses', null)).rejects.toMatchObject({
        status: 401,
        body: expect.stringContaining('invalid_api_key'),
      });
      await expect(SocketClient.open(server(), '/openai/v1/responses', 'aib_bogus')).rejects.toBeInstanceOf(
        UpgradeRefused,
      );
      await expect(SocketClient.open(server(), '/openai/v1/chat/completions')).rejects.toMatchObject({
        status: 426,
      });
      await expect(SocketClient.open(server(), '/anthropic/v1/messages')).rejects.toMatchObject({
        status: 426,
        body: expect.stringContaining('"type":"error"'),
      });
      expect(upstream.received).toHaveLength(0);
    });
  },
  gatewayOverrides(upstream),
);

it('on shutdown, lets the running turn finish, then closes the socket with 1001', async () => {
  const server = await startTestServer('pglite', gatewayOverrides(upstream));
  upstream.reset();
  upstream.next(stream(RESPONSES_STREAM, { delayMs: 100 }));
  const client = await SocketClient.open(server);
  client.send({ type: 'response.create', model: 'gpt-4o-mini', input: 'finish me' });
  await client.until((m) => m.type === 'response.created');
  const closing = server.close();
  const got = await client.until(completed);
  expect(got.at(-1)?.type).toBe('response.completed');
  expect((await client.closedWith()).code).toBe(1001);
  await closing;
});

it('serves a WebSocket on any OpenAI-type instance, with its own upstream and key', async () => {
  const server = await startTestServer('pglite', gatewayOverrides(upstream));
  try {
    const created = await server.request('/api/v2/aibridge/providers', {
      method: 'POST',
      json: {
        name: 'local',
        type: 'openai-compatible',
        base_url: `${upstream.url}/v1`,
        keys: ['sk-local-0000'],
      },
    });
    expect(created.status).toBe(201);
    upstream.reset();
    upstream.next(stream(RESPONSES_STREAM));
    const client = await SocketClient.open(server, '/local/v1/responses');
    client.send({ type: 'response.create', model: 'gpt-4o-mini', input: 'say hello' });
    expect(await client.until(completed)).toEqual(EVENTS);
    expect(upstream.last.url).toBe('/v1/responses');
    expect(upstream.last.headers.authorization).toBe('Bearer sk-local-0000');
    client.ws.close();
    const row = await server.running.db.kysely
      .selectFrom('aibridge_interceptions')
      .select('provider')
      .executeTakeFirstOrThrow();
    expect(row.provider).toBe('local');
  } finally {
    await server.close();
  }
});
