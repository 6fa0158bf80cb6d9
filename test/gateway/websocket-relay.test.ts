import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeSocketUpstream, type ReceivedSocket } from '../fake-socket-upstream.js';
import { FakeUpstream } from '../fake-upstream.js';
import { gatewayOverrides, OPENAI_KEY, total, waitForRecording } from '../gateway.js';
import { startTestServer, type TestServer } from '../server.js';
import { RESPONSES_STREAM } from './streams.js';
import { SocketClient } from './websocket-client.js';

/** The data of each SSE event: the messages OpenAI's WebSocket mode sends for one turn. */
const TURN = RESPONSES_STREAM.split('\n')
  .filter((line) => line.startsWith('data: '))
  .map((line) => line.slice(6));
const BAD_KEY = 'sk-revoked-upstream-key-000000000000';

const sockets = await FakeSocketUpstream.start();
const http = await FakeUpstream.start();
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer('pglite', gatewayOverrides(http));
  for (const [name, keys, settings] of [
    ['openai-ws', [OPENAI_KEY], {}],
    ['openai-ws-pool', [BAD_KEY, OPENAI_KEY], {}],
    ['openai-ws-idle', [OPENAI_KEY], { idle_timeout_ms: 300 }],
  ] as const) {
    const res = await server.request('/api/v2/aibridge/providers', {
      method: 'POST',
      json: {
        name,
        type: 'openai',
        base_url: `${sockets.url}/v1`,
        keys,
        settings: { websockets: true, ...settings },
      },
    });
    expect(res.status).toBe(201);
  }
});
afterAll(async () => {
  await server.close();
  await sockets.close();
  await http.close();
});
beforeEach(async () => {
  sockets.reset();
  http.reset();
  await server.running.db.kysely.deleteFrom('aibridge_interceptions').execute();
});

/** Answers each turn with TURN (its response id numbered per turn), a warm-up with an empty response. */
function answerTurns(connection: ReceivedSocket, message: string): void {
  const parsed = JSON.parse(message) as { generate?: boolean };
  const n = connection.messages.length;
  if (parsed.generate === false) {
    connection.ws.send(
      `{"type":"response.created","response":{"id":"resp_warm${n}","status":"in_progress"}}`,
    );
    connection.ws.send(
      `{"type":"response.completed","response":{"id":"resp_warm${n}","status":"completed","output":[]}}`,
    );
    return;
  }
  for (const text of TURN) connection.ws.send(text.replaceAll('resp_ws1', `resp_ws${n}`));
}

const done = (m: Record<string, unknown>) => m.type === 'response.completed' || m.type === 'error';

/** Every interception recorded so far, oldest first, once `count` have ended. */
async function recorded(count: number) {
  const rows = await vi.waitFor(
    async () => {
      const all = await server.running.db.kysely
        .selectFrom('aibridge_interceptions')
        .select(['id', 'ended_at'])
        .orderBy('started_at')
        .execute();
      if (all.length < count || all.some((r) => !r.ended_at)) throw new Error('not yet');
      return all;
    },
    { timeout: 30_000, interval: 20 },
  );
  return Promise.all(rows.map((r) => waitForRecording(server.running.db, r.id)));
}

describe('Responses over WebSocket, relayed to the provider’s own WebSocket', () => {
  it('relays each response.create untouched on one upstream socket and each event back byte for byte, recording every turn', async () => {
    sockets.respond = (message, connection) => answerTurns(connection, message);
    const client = await SocketClient.open(server, '/openai-ws/v1/responses');
    const one = { type: 'response.create', model: 'gpt-4o-mini', store: false, input: 'one' };
    const two = { ...one, input: 'two', previous_response_id: 'resp_ws1' };
    client.send(one);
    const first = await client.until(done);
    client.send({ type: 'response.processed', response_id: 'resp_ws1' });
    client.send(two);
    await client.until(done, first.length);

    expect(sockets.connections).toHaveLength(1);
    const upstream = sockets.connections[0] as ReceivedSocket;
    // The client's messages as sent: no `stream`, the chain left to the provider's socket.
    expect(upstream.messages).toEqual([JSON.stringify(one), JSON.stringify(two)]);
    expect(client.texts).toEqual([...TURN, ...TURN.map((t) => t.replaceAll('resp_ws1', 'resp_ws2'))]);
    expect(upstream.url).toBe('/v1/responses');
    expect(upstream.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(upstream.headers['openai-beta']).toBe('responses_websockets=2026-02-06');
    expect(JSON.stringify(upstream.headers)).not.toContain(server.ownerToken);
    expect(http.received).toEqual([]);

    const turns = await recorded(2);
    expect(turns.map((t) => t.prompts.map((p) => p.prompt))).toEqual([['one'], ['two']]);
    expect(turns.map((t) => total(t.tokens, 'input_tokens'))).toEqual([11, 11]);
    expect(turns.map((t) => t.interception.client)).toEqual(['Codex', 'Codex']);
    client.ws.close();
  });

  it('relays a generate:false warm-up without recording it', async () => {
    sockets.respond = (message, connection) => answerTurns(connection, message);
    const client = await SocketClient.open(server, '/openai-ws/v1/responses');
    const warm = { type: 'response.create', model: 'gpt-4o-mini', store: false, input: [], generate: false };
    client.send(warm);
    const answered = await client.until(done);
    expect(answered.map((m) => m.type)).toEqual(['response.created', 'response.completed']);
    client.send({
      type: 'response.create',
      model: 'gpt-4o-mini',
      input: 'hi',
      previous_response_id: 'resp_warm1',
    });
    await client.until(done, answered.length);
    expect(sockets.messages[0]).toBe(JSON.stringify(warm));
    const turns = await recorded(1);
    expect(turns).toHaveLength(1);
    expect(turns[0]?.prompts.map((p) => p.prompt)).toEqual(['hi']);
    client.ws.close();
  });

  it("passes the provider's error event on and records the turn as failed; the socket stays usable", async () => {
    const error =
      '{"type":"error","status":400,"error":{"type":"invalid_request_error","code":"previous_response_not_found","message":"Previous response with id \'resp_gone\' not found.","param":"previous_response_id"}}';
    sockets.respond = (message, connection) =>
      message.includes('resp_gone') ? connection.ws.send(error) : answerTurns(connection, message);
    const client = await SocketClient.open(server, '/openai-ws/v1/responses');
    client.send({
      type: 'response.create',
      model: 'gpt-4o-mini',
      input: 'x',
      previous_response_id: 'resp_gone',
    });
    const [refused] = await client.until(done);
    expect(refused).toEqual(JSON.parse(error));
    client.send({ type: 'response.create', model: 'gpt-4o-mini', input: 'again' });
    await client.until(done, 1);
    const turns = await recorded(2);
    expect(turns.map((t) => t.tokens.length > 0)).toEqual([false, true]);
    expect(sockets.connections).toHaveLength(1);
    client.ws.close();
  });

  it('fails over to the next key when the handshake is refused, before anything reaches the client', async () => {
    sockets.refuse = (headers) =>
      headers.authorization === `Bearer ${BAD_KEY}`
        ? {
            status: 401,
            body: '{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}',
          }
        : undefined;
    sockets.respond = (message, connection) => answerTurns(connection, message);
    const client = await SocketClient.open(server, '/openai-ws-pool/v1/responses');
    client.send({ type: 'response.create', model: 'gpt-4o-mini', input: 'hi' });
    await client.until(done);
    expect(client.texts).toEqual(TURN);
    const [turn] = await recorded(1);
    expect(turn?.interception.metadata).toMatchObject({ attempts: '2', key_hint: 'sk-…-key' });
    client.ws.close();
  });

  it('tells the client and closes with 1011 when the provider’s socket breaks mid-turn; the turn is recorded', async () => {
    sockets.respond = (_message, connection) => {
      connection.ws.send(TURN[0] as string, () => connection.ws.terminate());
    };
    const client = await SocketClient.open(server, '/openai-ws/v1/responses');
    client.send({ type: 'response.create', model: 'gpt-4o-mini', input: 'hi' });
    const got = await client.until(done);
    expect(got[0]).toEqual(JSON.parse(TURN[0] as string));
    expect(got[1]).toMatchObject({ type: 'error', status: 502 });
    expect((await client.closedWith()).code).toBe(1011);
    expect(await recorded(1)).toHaveLength(1);
  });

  it('ends a turn whose provider socket went silent past idle_timeout_ms: the client keeps what it got, its socket closes cleanly with the reason, the turn records why and the timeout is counted', async () => {
    let upstreamClosed = false;
    sockets.respond = (_message, connection) => {
      connection.ws.on('close', () => (upstreamClosed = true));
      connection.ws.send(TURN[0] as string); // response.created, then silence
    };
    const client = await SocketClient.open(server, '/openai-ws-idle/v1/responses');
    client.send({ type: 'response.create', model: 'gpt-4o-mini', input: 'hi' });
    const closed = await client.closedWith();
    expect(closed.code).toBe(1000);
    expect(closed.reason).toContain('idle timeout');
    expect(client.texts).toEqual([TURN[0]]);
    const [turn] = await recorded(1);
    expect(turn?.interception.metadata).toMatchObject({ end_reason: 'idle_timeout' });
    await vi.waitFor(() => expect(upstreamClosed).toBe(true));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('aibridge_upstream_timeouts_total{provider="openai-ws-idle",kind="idle"} 1');
  });
});
