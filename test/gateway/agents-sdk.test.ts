import {
  Agent,
  run,
  setDefaultOpenAIClient,
  setOpenAIResponsesTransport,
  setTracingDisabled,
  tool,
} from '@openai/agents';
import OpenAI from 'openai';
import { afterAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { FakeUpstream } from '../fake-upstream.js';
import { gatewayOverrides, waitForAllRecordings } from '../gateway.js';
import { startTestServer } from '../server.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

const usage = {
  input_tokens: 20,
  output_tokens: 5,
  total_tokens: 25,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens_details: { reasoning_tokens: 0 },
};
const call = {
  id: 'fc_1',
  type: 'function_call',
  status: 'completed',
  call_id: 'call_1',
  name: 'get_weather',
  arguments: '{"city":"Paris"}',
};
const message = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text: 'It is sunny in Paris.', annotations: [] }],
};

/** Asks for the tool until the request carries its result, then answers in text. */
upstream.always((req, res) => {
  const item = req.body.includes('function_call_output') ? message : call;
  const id = `resp_${upstream.received.length}`;
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const event of [
    {
      type: 'response.created',
      sequence_number: 0,
      response: { id, object: 'response', status: 'in_progress', model: 'gpt-4o-mini', output: [] },
    },
    { type: 'response.output_item.done', sequence_number: 1, output_index: 0, item },
    {
      type: 'response.completed',
      sequence_number: 2,
      response: { id, object: 'response', status: 'completed', model: 'gpt-4o-mini', output: [item], usage },
    },
  ])
    res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  res.end();
});

it("completes a run with a tool over the Agents SDK's WebSocket transport, every turn recorded", async () => {
  const server = await startTestServer('pglite', gatewayOverrides(upstream));
  // Node 20 has no global WebSocket; the SDK needs one that takes headers, as `ws` does.
  const global = globalThis as { WebSocket?: unknown };
  const before = global.WebSocket;
  global.WebSocket = WebSocket;
  try {
    setTracingDisabled(true);
    const client = new OpenAI({
      baseURL: `${server.url}/api/v2/aibridge/openai/v1`,
      apiKey: server.ownerToken,
      maxRetries: 0,
    });
    // The SDK bundles its own copy of `openai`: the same client at run time, another type.
    setDefaultOpenAIClient(client as unknown as Parameters<typeof setDefaultOpenAIClient>[0]);
    setOpenAIResponsesTransport('websocket');
    const weather = tool({
      name: 'get_weather',
      description: 'The weather in a city',
      parameters: z.object({ city: z.string() }),
      execute: async ({ city }) => `sunny in ${city}`,
    });
    const agent = new Agent({
      name: 'weather',
      model: 'gpt-4o-mini',
      instructions: 'Use the tool.',
      tools: [weather],
    });
    const result = await run(agent, 'What is the weather in Paris?');
    expect(result.finalOutput).toBe('It is sunny in Paris.');
    expect(upstream.received.map((r) => [r.method, r.url])).toEqual([
      ['POST', '/v1/responses'],
      ['POST', '/v1/responses'],
    ]);
    const [first, second] = await waitForAllRecordings(server.running.db);
    expect(first?.tools.map((t) => t.tool)).toEqual(['get_weather']);
    expect(first?.prompts.map((p) => p.prompt)).toEqual(['What is the weather in Paris?']);
    expect(second?.interception.thread_root_id).toBe(first?.interception.id);
  } finally {
    setOpenAIResponsesTransport('http');
    global.WebSocket = before;
    await server.close();
  }
});
