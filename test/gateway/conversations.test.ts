import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresUnavailable } from '../databases.js';
import { FakeUpstream, replay } from '../fake-upstream.js';
import { loadTxtar, section } from '../fixtures.js';
import { callGateway, gatewayOverrides, interceptionId, waitForRecording } from '../gateway.js';
import { describeEachServer, startTestServer, type TestServer } from '../server.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

let responses = 0;
/**
 * The provider answers every call with the simple fixture of its API and stream flag; each
 * Responses answer gets an id of its own, so a `previous_response_id` names exactly one.
 */
upstream.always((req, res) => {
  const stream = (req.json as { stream?: boolean } | undefined)?.stream === true;
  const mode = stream ? 'streaming' : 'non-streaming';
  if (req.url.startsWith('/v1/messages'))
    return replay(section(loadTxtar('anthropic/simple.txtar'), mode))(req, res);
  if (req.url.startsWith('/v1/chat/completions')) {
    return replay(section(loadTxtar('openai/chatcompletions/simple.txtar'), mode))(req, res);
  }
  const fixture = loadTxtar(`openai/responses/${stream ? 'streaming' : 'blocking'}/simple.txtar`);
  const id = `resp_${String(++responses).padStart(6, '0')}`;
  return replay(section(fixture, mode).replace(/resp_[0-9a-f]{50}/g, id))(req, res);
});

/** The session each interception landed in, in order. */
async function sessionsOf(server: TestServer, ids: string[]): Promise<string[]> {
  const recorded = await Promise.all(ids.map((id) => waitForRecording(server.running.db, id)));
  return recorded.map((r) => r.interception.session_id);
}

const SYSTEM = 'You are a terse assistant.';

describeEachServer(
  'conversations without a client session id',
  (server) => {
    const openai = (token = server().ownerToken) =>
      new OpenAI({ baseURL: `${server().url}/api/v2/aibridge/openai/v1`, apiKey: token, maxRetries: 0 });
    const anthropic = () =>
      new Anthropic({
        baseURL: `${server().url}/api/v2/aibridge/anthropic`,
        apiKey: server().ownerToken,
        maxRetries: 0,
      });

    /**
     * A chat of three turns through the OpenAI SDK, each resending the history: interception ids.
     * The fake provider gives every conversation the same answers; `variant` marks this one's
     * (a real model's answers differ from one conversation to the next).
     */
    const chat = async (client: OpenAI, first: string, variant = ''): Promise<string[]> => {
      const messages: OpenAI.ChatCompletionMessageParam[] = [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: first },
      ];
      const ids: string[] = [];
      for (const [turn, next] of ['and then?', 'thanks'].entries()) {
        const stream = turn === 1;
        const { data, response } = await client.chat.completions
          .create({ model: 'gpt-4.1', messages, stream })
          .withResponse();
        let answer = '';
        if (stream) {
          for await (const chunk of data as AsyncIterable<OpenAI.ChatCompletionChunk>) {
            answer += chunk.choices[0]?.delta.content ?? '';
          }
        } else {
          answer = (data as OpenAI.ChatCompletion).choices[0]?.message.content ?? '';
        }
        ids.push(interceptionId(response));
        messages.push({ role: 'assistant', content: `${variant}${answer}` }, { role: 'user', content: next });
      }
      const { response } = await client.chat.completions
        .create({ model: 'gpt-4.1', messages })
        .withResponse();
      ids.push(interceptionId(response));
      return ids;
    };

    it('chat completions: every turn of an SDK chat is one session, across users never', async () => {
      const alice = await server().createUser('chat-alice');
      const mine = await chat(openai(), 'same first message');
      const hers = await chat(openai(alice.token), 'same first message');
      const other = await chat(openai(), 'another conversation');
      const [a, b, c] = [
        await sessionsOf(server(), mine),
        await sessionsOf(server(), hers),
        await sessionsOf(server(), other),
      ];
      expect(new Set(a)).toEqual(new Set([mine[0]]));
      expect(new Set(b)).toEqual(new Set([hers[0]]));
      expect(new Set(c)).toEqual(new Set([other[0]]));
    });

    it('a new conversation never joins an earlier one, even with the same first message', async () => {
      const first = await chat(openai(), 'hello there', 'first: ');
      const second = await chat(openai(), 'hello there', 'second: ');
      // The first conversation goes on after the second began: told apart by its first answer.
      const third = await chat(openai(), 'hello there', 'first: ');
      const sessions = await sessionsOf(server(), [...first, ...second, ...third.slice(1)]);
      expect(sessions).toEqual([
        first[0],
        first[0],
        first[0],
        second[0],
        second[0],
        second[0],
        first[0],
        first[0],
      ]);
    });

    it('messages: an Anthropic SDK chat whose cache marker moves each turn is one session', async () => {
      const client = anthropic();
      const messages: Anthropic.MessageParam[] = [];
      const ids: string[] = [];
      for (const [turn, text] of ['first question', 'second question', 'third question'].entries()) {
        // The caching marker sits on the newest message only, as SDK users place it.
        for (const m of messages)
          if (Array.isArray(m.content))
            for (const b of m.content) delete (b as { cache_control?: unknown }).cache_control;
        messages.push({
          role: 'user',
          content: [{ type: 'text', text, cache_control: { type: 'ephemeral' } }],
        });
        const params = { model: 'claude-test', max_tokens: 64, system: SYSTEM, messages };
        const { data, response } =
          turn === 1
            ? await client.messages.create({ ...params, stream: true }).withResponse()
            : await client.messages.create(params).withResponse();
        if (turn === 1) for await (const _ of data as AsyncIterable<unknown>);
        ids.push(interceptionId(response));
        messages.push({ role: 'assistant', content: 'an answer' });
      }
      expect(await sessionsOf(server(), ids)).toEqual([ids[0], ids[0], ids[0]]);
    });

    it('responses: resent history is one session; previous_response_id chains join thread and session', async () => {
      const client = openai();
      const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'resent history' }];
      const resent: string[] = [];
      for (const next of ['more', 'even more']) {
        const { data, response } = await client.responses
          .create({ model: 'gpt-5', instructions: SYSTEM, input, store: false })
          .withResponse();
        resent.push(interceptionId(response));
        input.push({ role: 'assistant', content: data.output_text }, { role: 'user', content: next });
      }
      expect(await sessionsOf(server(), resent)).toEqual([resent[0], resent[0]]);

      const chained: string[] = [];
      let previous: string | undefined;
      for (const [turn, text] of ['chained one', 'chained two', 'chained three'].entries()) {
        const params = {
          model: 'gpt-5',
          input: text,
          ...(previous ? { previous_response_id: previous } : {}),
        };
        if (turn === 1) {
          const { data, response } = await client.responses
            .create({ ...params, stream: true })
            .withResponse();
          for await (const event of data)
            if (event.type === 'response.completed') previous = event.response.id;
          chained.push(interceptionId(response));
        } else {
          const { data, response } = await client.responses.create(params).withResponse();
          previous = data.id;
          chained.push(interceptionId(response));
        }
      }
      const recorded = await Promise.all(chained.map((id) => waitForRecording(server().running.db, id)));
      expect(recorded.map((r) => r.interception.session_id)).toEqual([chained[0], chained[0], chained[0]]);
      expect(recorded.map((r) => r.interception.thread_parent_id)).toEqual([null, chained[0], chained[1]]);
      expect(recorded.map((r) => r.interception.thread_root_id)).toEqual([null, chained[0], chained[0]]);

      // Another user naming the same response id does not join it.
      const bob = await server().createUser('chain-bob');
      const { response } = await openai(bob.token)
        .responses.create({ model: 'gpt-5', input: 'not yours', previous_response_id: previous as string })
        .withResponse();
      const stranger = await waitForRecording(server().running.db, interceptionId(response));
      expect(stranger.interception).toMatchObject({
        thread_parent_id: null,
        session_id: stranger.interception.id,
      });
    });

    it('opencode: its title request, its turns and --continue are one session per opencode session', async () => {
      const send = async (session: string, messages: unknown[]) => {
        const res = await callGateway(server(), '/openai/v1/chat/completions', {
          headers: {
            'user-agent': 'opencode/1.18.33 ai-sdk/provider-utils/4.0.23 runtime/bun/1.3.14',
            'x-session-affinity': session,
            'x-session-id': session,
          },
          json: { model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } },
        });
        await res.arrayBuffer();
        return interceptionId(res);
      };
      const title = (text: string) => [
        { role: 'system', content: 'You are a title generator. You output ONLY a thread title.' },
        { role: 'user', content: 'Generate a title for this conversation:\n' },
        { role: 'user', content: text },
      ];
      const agent = [{ role: 'system', content: 'You are OpenCode.' }];
      const a = 'ses_dbda2c1cfffepF7Lg9fYT0P41Y';
      const b = 'ses_dbda221f6ffeqLNLaqf1w3Lx55';
      const ids = [
        await send(a, title('"say hi"')),
        await send(a, [...agent, { role: 'user', content: 'say hi' }]),
        // `opencode run --continue`: the same session, history resent.
        await send(a, [
          ...agent,
          { role: 'user', content: 'say hi' },
          { role: 'assistant', content: 'hi' },
          { role: 'user', content: 'again' },
        ]),
        await send(b, title('"say hi"')),
        await send(b, [...agent, { role: 'user', content: 'say hi' }]),
      ];
      expect(await sessionsOf(server(), ids)).toEqual([a, a, a, b, b]);
    });
  },
  gatewayOverrides(upstream),
);

describe.skipIf(postgresUnavailable !== undefined)('previous_response_id across replicas [postgres]', () => {
  it('the next turn, sent to another replica the moment the answer ends, joins the response it continues', async () => {
    // Replica A lingers a minute before writing batches (longer than this test may run): only
    // the end-of-response gate can make the id visible to replica B before the answer ends.
    const a = await startTestServer('postgres', gatewayOverrides(upstream), {
      recorder: { lingerMs: 60_000 },
    });
    const b = await startTestServer('postgres', gatewayOverrides(upstream), { replicaOf: a });
    try {
      for (const stream of [false, true]) {
        const first = await callGateway(a, '/openai/v1/responses', {
          json: { model: 'gpt-5', input: 'hi', stream },
        });
        const text = await first.text();
        const id = /"id":\s*"(resp_[0-9]+)"/.exec(text)?.[1];
        expect(id).toBeDefined();
        const second = await callGateway(b, '/openai/v1/responses', {
          json: { model: 'gpt-5', input: 'more', previous_response_id: id },
        });
        await second.arrayBuffer();
        const recorded = await waitForRecording(b.running.db, interceptionId(second));
        expect(recorded.interception).toMatchObject({
          thread_parent_id: interceptionId(first),
          session_id: interceptionId(first),
        });
      }
    } finally {
      await b.close();
      await a.close();
    }
  });
});
