import {
  type Context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { VERSION } from '../version.js';
import type {
  InterceptionSpan,
  InterceptionSpanEnd,
  InterceptionSpanStart,
  InterceptionTracer,
} from './span.js';

/** The GenAI operation each provider API performs (semantic conventions' `gen_ai.operation.name`). */
const OPERATIONS: Record<string, string> = {
  messages: 'chat',
  'chat-completions': 'chat',
  responses: 'chat',
};

/**
 * OpenTelemetry tracing, started only when OTEL_EXPORTER_OTLP_ENDPOINT is set (the module is
 * imported dynamically then, so a gateway without it never loads the SDK). Spans go to
 * `<endpoint>/v1/traces` over OTLP/HTTP (the standard OTEL_* variables tune the batch processor);
 * no automatic instrumentation is installed: the spans are the gateway's own.
 */
export function startTracing(endpoint: string): InterceptionTracer {
  const sdk = new NodeSDK({
    serviceName: 'aibridge',
    traceExporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }),
    instrumentations: [],
  });
  sdk.start();
  const tracer = trace.getTracer('aibridge', VERSION);
  return {
    begin(headers, start) {
      const parent = propagation.extract(ROOT_CONTEXT, headers as Record<string, unknown>);
      return new GatewaySpan(tracer, parent, start);
    },
    shutdown: () => sdk.shutdown(),
  };
}

class GatewaySpan implements InterceptionSpan {
  private readonly span: Span;
  private readonly context: Context;
  private upstreamSpan: Span | undefined;

  constructor(
    private readonly tracer: ReturnType<typeof trace.getTracer>,
    parent: Context,
    start: InterceptionSpanStart,
  ) {
    const operation = OPERATIONS[start.api] ?? 'chat';
    this.span = tracer.startSpan(
      `${operation} ${start.model}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'gen_ai.operation.name': operation,
          'gen_ai.system': start.provider,
          'gen_ai.provider.name': start.provider,
          'gen_ai.request.model': start.model,
          'http.route': start.route,
          'aibridge.interception.id': start.interceptionId,
          'aibridge.client': start.client,
        },
      },
      parent,
    );
    this.context = trace.setSpan(parent, this.span);
  }

  upstream(method: string, path: string): string[] {
    // A new attempt (failover to the next key): the previous one is over.
    this.upstreamSpan?.setStatus({ code: SpanStatusCode.ERROR, message: 'retried' });
    this.upstreamSpan?.end();
    this.upstreamSpan = this.tracer.startSpan(
      `${method} ${path}`,
      { kind: SpanKind.CLIENT, attributes: { 'http.request.method': method, 'url.path': path } },
      this.context,
    );
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(this.context, this.upstreamSpan), carrier);
    return Object.entries(carrier).flat();
  }

  upstreamAnswered(status: number): void {
    this.upstreamSpan?.setAttribute('http.response.status_code', status);
  }

  end(result: InterceptionSpanEnd): void {
    const failed = result.status === undefined || result.status >= 500 || result.outcome !== 'completed';
    this.span.setAttributes({
      'gen_ai.usage.input_tokens': result.inputTokens,
      'gen_ai.usage.output_tokens': result.outputTokens,
      'gen_ai.usage.cache_read_input_tokens': result.cacheReadTokens,
      'gen_ai.usage.cache_creation_input_tokens': result.cacheWriteTokens,
      'aibridge.outcome': result.outcome,
      ...(result.status !== undefined && { 'http.response.status_code': result.status }),
    });
    if (failed) this.span.setStatus({ code: SpanStatusCode.ERROR, message: result.outcome });
    if (this.upstreamSpan) {
      if (failed) this.upstreamSpan.setStatus({ code: SpanStatusCode.ERROR, message: result.outcome });
      this.upstreamSpan.end();
    }
    this.span.end();
  }
}
