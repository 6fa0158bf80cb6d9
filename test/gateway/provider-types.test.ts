import { AzureOpenAI } from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ReceivedRequest, reply, stream } from '../fake-upstream.js';
import {
  CHAT_COMPLETION,
  CHAT_STREAM,
  CHAT_STREAM_SEEN,
  callGateway,
  gatewayOverrides,
  interceptionId,
  useFakeUpstream,
  waitForRecording,
} from '../gateway.js';
import { useTestServer } from '../server.js';

const upstream = await useFakeUpstream();
const server = useTestServer('pglite', gatewayOverrides(upstream));

const chatAnswer = JSON.stringify({ ...CHAT_COMPLETION, model: 'm' });

async function createProvider(json: Record<string, unknown>): Promise<void> {
  const res = await server().request('/api/v2/aibridge/providers', { method: 'POST', json });
  if (res.status !== 201) throw new Error(`create provider: ${res.status} ${await res.text()}`);
}

/** The README's recipes: what each service expects to receive, checked on the fake. */
const RECIPES = [
  {
    title: 'OpenRouter',
    create: {
      name: 'openrouter',
      type: 'openai-compatible',
      base_url: '/api/v1',
      keys: ['sk-or-v1-0000000000000000000000000000000000000000000000000000000000000001'],
      headers: { 'HTTP-Referer': 'https://aibridge.example', 'X-Title': 'aibridge' },
    },
    model: 'anthropic/claude-sonnet-4.5',
    path: '/api/v1/chat/completions',
    check: (got: ReceivedRequest) => {
      expect(got.headers.authorization).toMatch(/^Bearer sk-or-v1-0+1$/);
      expect(got.headers['http-referer']).toBe('https://aibridge.example');
      expect(got.headers['x-title']).toBe('aibridge');
    },
  },
  {
    title: "Gemini's OpenAI-compatible endpoint",
    create: {
      name: 'gemini',
      type: 'openai-compatible',
      base_url: '/v1beta/openai/',
      keys: ['AIzaSyExampleExampleExampleExample0000'],
    },
    model: 'gemini-2.5-flash',
    path: '/v1beta/openai/chat/completions',
    check: (got: ReceivedRequest) => {
      expect(got.headers.authorization).toBe('Bearer AIzaSyExampleExampleExampleExample0000');
    },
  },
  {
    title: 'vLLM / Ollama',
    create: { name: 'ollama', type: 'openai-compatible', base_url: '/v1', keys: ['ollama'] },
    model: 'qwen2.5-coder:7b',
    path: '/v1/chat/completions',
    check: (got: ReceivedRequest) => {
      expect(got.headers.authorization).toBe('Bearer ollama');
    },
  },
] as const;

describe('provider recipes against a fake upstream', () => {
  for (const recipe of RECIPES) {
    it(`${recipe.title}: exact path and headers, blocking and streaming, recorded under the instance`, async () => {
      await createProvider({ ...recipe.create, base_url: `${upstream.url}${recipe.create.base_url}` });
      const path = `/${recipe.create.name}/v1/chat/completions`;
      const body = { model: recipe.model, messages: [{ role: 'user', content: 'hi' }] };
      upstream.next(reply(200, chatAnswer));
      const blocking = await callGateway(server(), path, { json: body });
      expect(await blocking.text()).toBe(chatAnswer);
      expect(upstream.last.url).toBe(recipe.path);
      expect(JSON.stringify(upstream.last.rawHeaders)).not.toContain(server().ownerToken);
      recipe.check(upstream.last);
      const recorded = await waitForRecording(server().running.db, interceptionId(blocking));
      expect(recorded.interception).toMatchObject({ provider: recipe.create.name, model: recipe.model });

      upstream.next(stream(CHAT_STREAM));
      const streamed = await callGateway(server(), path, { json: { ...body, stream: true } });
      expect(await streamed.text()).toBe(CHAT_STREAM_SEEN);
      expect(upstream.last.url).toBe(recipe.path);
      recipe.check(upstream.last);
      const tokens = (await waitForRecording(server().running.db, interceptionId(streamed))).tokens;
      expect(tokens.map((t) => Number(t.input_tokens))).toEqual([4]);
    });
  }
});

describe('Azure OpenAI', () => {
  const AZURE_KEY = 'azure-key-00000000000000000000000000000abc';
  beforeAll(() =>
    createProvider({
      name: 'azure',
      type: 'azure-openai',
      base_url: `${upstream.url}/`,
      keys: [AZURE_KEY],
      settings: { api_version: '2024-10-21' },
    }),
  );

  it('the AzureOpenAI SDK sends its aibridge token as api-key; the deployment URL, api-version and key reach Azure', async () => {
    const client = new AzureOpenAI({
      endpoint: `${server().url}/api/v2/aibridge/azure`,
      apiKey: server().ownerToken,
      apiVersion: '2025-01-01-preview',
      deployment: 'gpt-4o-prod',
      maxRetries: 0,
    });
    upstream.next(reply(200, chatAnswer));
    const answer = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(answer.id).toBe('chatcmpl-1');
    const got = upstream.last;
    expect(got.url).toBe('/openai/deployments/gpt-4o-prod/chat/completions?api-version=2025-01-01-preview');
    expect(got.headers['api-key']).toBe(AZURE_KEY);
    expect(got.headers.authorization).toBeUndefined();
    expect(JSON.stringify(got.rawHeaders)).not.toContain(server().ownerToken);

    upstream.next(stream(CHAT_STREAM));
    const events = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const chunks: unknown[] = [];
    for await (const chunk of events) chunks.push(chunk);
    expect(chunks).toHaveLength(1);
    expect(upstream.last.headers['api-key']).toBe(AZURE_KEY);
  });

  it('adds the instance api-version when the client sends none, and records the deployment as the model', async () => {
    upstream.next(reply(200, chatAnswer));
    const res = await callGateway(server(), '/azure/openai/deployments/gpt-4o-prod/chat/completions', {
      token: null,
      headers: { 'api-key': server().ownerToken },
      json: { messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(res.status).toBe(200);
    expect(upstream.last.url).toBe('/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21');
    const recorded = await waitForRecording(server().running.db, interceptionId(res));
    expect(recorded.interception).toMatchObject({ provider: 'azure', model: 'gpt-4o-prod' });
  });

  it('serves the v1 API (/openai/v1/…) without api-version', async () => {
    upstream.next(reply(200, chatAnswer));
    const res = await callGateway(server(), '/azure/openai/v1/chat/completions', {
      token: null,
      headers: { 'api-key': server().ownerToken },
      json: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(res.status).toBe(200);
    expect(upstream.last.url).toBe('/openai/v1/chat/completions');
  });

  it('refuses a wrong api-key in the OpenAI error shape', async () => {
    const res = await callGateway(server(), '/azure/openai/v1/chat/completions', {
      token: null,
      headers: { 'api-key': 'not-a-token' },
      json: { model: 'gpt-4o', messages: [] },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
  });
});
