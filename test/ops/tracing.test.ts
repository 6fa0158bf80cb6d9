import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { FakeUpstream, type Responder, reply, stream } from '../fake-upstream.js';
import { loadTxtar, section } from '../fixtures.js';
import { gatewayOverrides } from '../gateway.js';
import { startTestServer } from '../server.js';

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: OtlpAttribute[];
}

/** An OTLP/HTTP receiver (JSON), as a collector would be: it keeps every span it is sent. */
async function otlpReceiver() {
  const spans: OtlpSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
        };
        for (const r of body.resourceSpans) for (const s of r.scopeSpans) spans.push(...s.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, spans, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const upstream = await FakeUpstream.start();
const receiver = await otlpReceiver();
afterAll(async () => {
  await upstream.close();
  await receiver.close();
});

const SIMPLE = loadTxtar('anthropic/simple.txtar');
const CHAT_REPLY =
  '{"id":"c","object":"chat.completion","model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}}';
const byApi: Responder = (req, res) =>
  (req.url.includes('chat') ? reply(200, CHAT_REPLY) : stream(section(SIMPLE, 'streaming')))(req, res);

function attribute(span: OtlpSpan | undefined, key: string): string | number | undefined {
  const value = span?.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
}

it('exports a span per interception with GenAI attributes, a child for the upstream call, under the client traceparent', async () => {
  const server = await startTestServer('pglite', {
    ...gatewayOverrides(upstream),
    otlpEndpoint: receiver.url,
  });
  const clientTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
  const clientSpan = '00f067aa0ba902b7';
  try {
    upstream.reset();
    upstream.always(byApi);
    const streamed = await fetch(`${server.url}/api/v2/aibridge/anthropic/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': server.ownerToken,
        'content-type': 'application/json',
        traceparent: `00-${clientTrace}-${clientSpan}-01`,
      },
      body: JSON.stringify({ model: 'claude-sonnet-4-0', max_tokens: 8, stream: true, messages: [] }),
    });
    expect(await streamed.text()).toBe(section(SIMPLE, 'streaming'));
    const blocking = await fetch(`${server.url}/api/v2/aibridge/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(await blocking.text()).toBe(CHAT_REPLY);
  } finally {
    // Shutdown flushes the batch of spans to the receiver.
    await server.close();
  }
  const [toAnthropic, toOpenai] = upstream.received;
  const anthropic = receiver.spans.find((s) => s.name === 'chat claude-sonnet-4-0');
  expect(anthropic).toMatchObject({ traceId: clientTrace, parentSpanId: clientSpan, kind: 2 });
  expect(attribute(anthropic, 'gen_ai.request.model')).toBe('claude-sonnet-4-0');
  expect(attribute(anthropic, 'gen_ai.operation.name')).toBe('chat');
  expect(attribute(anthropic, 'gen_ai.provider.name')).toBe('anthropic');
  expect(attribute(anthropic, 'gen_ai.usage.input_tokens')).toBeGreaterThan(0);
  expect(attribute(anthropic, 'gen_ai.usage.output_tokens')).toBeGreaterThan(0);
  expect(attribute(anthropic, 'http.response.status_code')).toBe(200);
  const upstreamSpan = receiver.spans.find((s) => s.parentSpanId === anthropic?.spanId);
  expect(upstreamSpan).toMatchObject({ traceId: clientTrace, kind: 3, name: 'POST /v1/messages' });
  // The provider sees the gateway's upstream span as the parent, in the same trace.
  expect(toAnthropic?.headers.traceparent).toBe(`00-${clientTrace}-${upstreamSpan?.spanId}-01`);

  const openai = receiver.spans.find((s) => s.name === 'chat gpt-4.1');
  expect(openai?.parentSpanId ?? '').toBe('');
  expect(attribute(openai, 'gen_ai.usage.input_tokens')).toBe(3);
  expect(attribute(openai, 'gen_ai.usage.output_tokens')).toBe(5);
  const openaiUpstream = receiver.spans.find((s) => s.parentSpanId === openai?.spanId);
  expect(toOpenai?.headers.traceparent).toBe(`00-${openai?.traceId}-${openaiUpstream?.spanId}-01`);
});
