import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Actor } from '../../auth/roles.js';
import type { BudgetGate } from '../../budgets/gate.js';
import type { ClientUseLog } from '../../connect/client-use.js';
import { type DatabaseHealth, OUTAGE_RETRY_AFTER_SECONDS } from '../../db/health.js';
import type { RateLimits } from '../../limits/rate-limits.js';
import type { Logger } from '../../log.js';
import { markCause, unreachableCause } from '../../ops/server-errors.js';
import { type InterceptionTracer, TRACE_HEADERS } from '../../ops/span.js';
import { isBreakerFailure } from '../../providers/breaker.js';
import type { ProviderMetrics } from '../../providers/metrics.js';
import { type InterceptionStart, type Recorder, RecorderOverloadedError } from '../../recorder/types.js';
import { uuidv7 } from '../../recorder/uuid7.js';
import { SpoolFullError } from '../../spool/recorder.js';
import { admitToBudgets, BUDGET_REMAINING_HEADER, sendBudgetRefusal } from '../budget.js';
import { guessClient } from '../client.js';
import { conversationLinks } from '../conversation/links.js';
import { type ClientResponse, sendError } from '../errors.js';
import { type Exchange, relayOverKeys } from '../failover.js';
import { upstreamRequestHeaders } from '../headers.js';
import type { GatewayMetrics } from '../metrics.js';
import type { Route } from '../provider.js';
import type { RelayTarget } from '../relay.js';
import { guessSession } from '../session.js';
import { APIS } from './apis.js';
import { HiddenUsageFilter } from './chat-completions/hidden-usage.js';
import { Interception } from './interception.js';
import { JsonObserver, type RecordingObserver, SseObserver } from './observers.js';
import { type Payload, PayloadError } from './payload.js';

/** What the interceptor works with. */
export interface InterceptDeps {
  recorder: Recorder;
  metrics: GatewayMetrics;
  providerMetrics: ProviderMetrics;
  log: Logger;
  /** Budget admission; absent in gateways built without budgets. */
  budgets?: BudgetGate | undefined;
  /** Told of database failures, so an outage is logged once rather than per request. */
  health: DatabaseHealth;
  /** Notes which client used which token (in memory; written in batches). */
  clientUse?: ClientUseLog | undefined;
  /** Spans per interception (OpenTelemetry); absent when tracing is off. */
  tracer?: InterceptionTracer | undefined;
  /** Token windows the interception's tokens are consumed from once it ends. */
  limits?: Pick<RateLimits, 'enabled' | 'spend'> | undefined;
}

/** Moments (performance.now) that bound the gateway's own work on a request. */
interface RequestTiming {
  receivedAt: number;
  bodyStartAt: number;
  bodyReadAt: number;
}

/** An authenticated request on a bridged route, body read. */
export interface BridgedRequest {
  /** The request's head (a WebSocket turn has the upgrade request's). */
  req: Pick<IncomingMessage, 'headers' | 'rawHeaders' | 'method'>;
  res: ClientResponse;
  route: Extract<Route, { kind: 'bridged' }>;
  actor: Actor;
  /** The body to read (decoded when the client compressed it). */
  body: Buffer;
  /**
   * The bytes to send upstream instead of `body` unless the payload reader edits it: the
   * client's compressed bytes, or a WebSocket turn's body with its chained input spelled out.
   */
  forward?: Buffer | undefined;
  timing: RequestTiming;
  /** Set when the person brought their own credential (it travels instead of the instance's key). */
  byok: { hint: string } | undefined;
  /** Where to send it instead of the instance's HTTP pool: a WebSocket turn's upstream socket. */
  target?: RelayTarget | undefined;
}

/** Headers dropped when a compressed body had to be edited and goes upstream decoded. */
const DECODED: ReadonlySet<string> = new Set(['content-encoding']);
/** With tracing on, the client's trace headers are replaced by the upstream span's. */
const DECODED_AND_TRACED: ReadonlySet<string> = new Set([...DECODED, ...TRACE_HEADERS]);

/** Response header carrying the interception id. */
const INTERCEPTION_ID_HEADER = 'x-aibridge-interception-id';
/** Response header with the gateway's own time on blocking responses, in milliseconds. */
const OVERHEAD_HEADER = 'x-aibridge-overhead-ms';

/**
 * One bridged request, the reference's Interceptor: read what recording needs from the body,
 * make the interception durable, relay the exchange while the API's reader turns what passes
 * into records, and end the interception however the relay comes out. Resolves true when
 * nothing can read the request's bytes any more (it never went upstream, or the provider
 * answered it in full at the first attempt), so the caller may reuse their memory.
 */
export async function intercept(request: BridgedRequest, deps: InterceptDeps): Promise<boolean> {
  const { req, res, route, actor, byok } = request;
  const { provider } = route;
  const api = APIS[route.api];
  const shape = provider.errorShape;
  let payload: Payload;
  try {
    payload = api.readPayload(request.body, provider.modelFromPath(route.path));
  } catch (error) {
    if (!(error instanceof PayloadError)) throw error;
    sendError(res, shape, 400, 'invalid_request', error.message);
    return true;
  }
  if (provider.models && !provider.models.has(payload.model)) {
    const allowed = [...provider.models].join(', ');
    const message = `model "${payload.model}" is not available through aibridge provider "${provider.name}" (allowed: ${allowed})`;
    sendError(res, shape, 400, 'invalid_request', message);
    return true;
  }
  const breaker = provider.breakers?.for(route.path, payload.model);
  if (breaker && !breaker.allow()) {
    markCause(res, 'circuit_open');
    sendError(res, shape, 503, 'overloaded', 'circuit breaker is open', {
      'retry-after': String(breaker.retryAfterSeconds),
    });
    return true;
  }

  const client = guessClient(req.headers);
  deps.clientUse?.note(actor.apiKeyId, client, req.headers['user-agent']);
  const session = guessSession(client, req.headers, payload.sessionHints);
  const start: InterceptionStart = {
    // Time-ordered: the interceptions table and its children's indexes grow at the right edge.
    id: uuidv7(),
    initiatorId: actor.userId,
    apiKeyId: actor.apiKeyId,
    provider: provider.name,
    model: payload.model,
    client,
    clientSessionId: session.id,
    correlatingToolCallId: payload.toolCallId,
    ...conversationLinks(actor.userId, client, session.id, payload),
    metadata: {
      ...interceptionMetadata(actor, req.headers, session.threadSource),
      provider_type: provider.type,
      credential_kind: byok ? 'byok' : 'central',
      ...(byok && { credential_hint: byok.hint }),
    },
    startedAt: new Date(),
  };
  let hold: Awaited<ReturnType<typeof admitToBudgets>>;
  try {
    hold = await admitToBudgets(deps.budgets, actor, route, payload, request.body.length);
  } catch (error) {
    deps.log.error({ err: error, provider: start.provider }, 'gateway: could not check budgets');
    const message =
      'aibridge cannot check budgets right now (its database is unavailable), so the request was not sent upstream';
    markCause(res, 'database_unavailable');
    sendError(res, shape, 503, 'overloaded', message);
    return true;
  }
  if (hold && 'ok' in hold) {
    await recordRefusal(deps, start, hold.budget);
    sendBudgetRefusal(res, route, hold, { [INTERCEPTION_ID_HEADER]: start.id });
    return true;
  }
  let threadRootId: string;
  let recorded: InterceptionStart;
  try {
    const started = await deps.recorder.start(start);
    threadRootId = started.threadRootId ?? start.id;
    recorded = { ...start, clientSessionId: started.clientSessionId ?? undefined };
  } catch (error) {
    hold?.settlement.settle(null);
    const overloaded = error instanceof RecorderOverloadedError;
    const spoolFull = error instanceof SpoolFullError;
    const outage = !overloaded && !spoolFull && deps.health.failed(error);
    if (!overloaded && !spoolFull && !outage) {
      deps.log.error({ err: error, provider: start.provider }, 'gateway: could not record the interception');
    }
    // With the spool on, an outage is journaled, not thrown: one here is AIBRIDGE_OUTAGE_MODE=refuse.
    markCause(
      res,
      overloaded ? 'recorder_overloaded' : spoolFull ? 'spool_full' : outage ? 'outage_refuse' : 'internal',
    );
    const message = overloaded
      ? 'aibridge cannot record requests fast enough right now; try again shortly'
      : spoolFull
        ? 'aibridge cannot record this request (its database is unavailable and its outage journal is full), so it was not sent upstream'
        : 'aibridge cannot record this request (its database is unavailable), so it was not sent upstream';
    sendError(res, shape, 503, 'overloaded', message, {
      'retry-after': String(overloaded ? 1 : OUTAGE_RETRY_AFTER_SECONDS),
    });
    return true;
  }

  const series = deps.metrics.seriesFor({
    provider: start.provider,
    model: start.model,
    route: route.path,
    method: req.method ?? 'POST',
    client,
  });
  const interception = new Interception(
    recorded,
    threadRootId,
    payload.prompt,
    deps.recorder,
    series,
    payload.continuable === true,
    hold?.settlement,
  );
  const span = deps.tracer?.begin(req.headers, {
    interceptionId: start.id,
    provider: start.provider,
    api: route.api,
    model: start.model,
    route: route.path,
    client,
  });
  let observer: RecordingObserver | undefined;
  const { timing } = request;
  const dispatchedAt = performance.now();
  // The gateway's own time: receiving the head, and from the whole body to the upstream call.
  const overheadMs = timing.bodyStartAt - timing.receivedAt + (dispatchedAt - timing.bodyReadAt);
  series.overhead(overheadMs / 1000);
  const exchange: Exchange = {
    res,
    method: 'POST',
    path: provider.upstream.path(route.path, provider.upstreamQuery(route.path, route.query)),
    body: payload.upstreamBody ?? request.forward ?? request.body,
    onResponse(status, headers) {
      series.firstByte((performance.now() - dispatchedAt) / 1000);
      span?.upstreamAnswered(status);
      const added: Record<string, string> = { [INTERCEPTION_ID_HEADER]: start.id };
      const remaining = hold?.remaining();
      if (remaining !== undefined) added[BUDGET_REMAINING_HEADER] = remaining;
      const streamed = String(headers['content-type'] ?? '').startsWith('text/event-stream');
      if (!streamed) added[OVERHEAD_HEADER] = overheadMs.toFixed(3);
      if (status >= 400) {
        interception.failed();
        return { headers: added };
      }
      observer = streamed
        ? new SseObserver(api.streamReader(interception), interception)
        : new JsonObserver(
            api.readResponse,
            api.toolMarkers,
            api.thoughtMarkers,
            interception,
            contentLength(headers),
          );
      const rewriter = payload.usageAdded && streamed ? new HiddenUsageFilter() : undefined;
      return { headers: added, observer, rewriter };
    },
    onObserverError(error) {
      observer = undefined;
      deps.log.error(
        { err: error, interception: start.id },
        'gateway: recording failed while relaying; relay continues',
      );
    },
  };
  // An edited body goes up decoded: aibridge re-encodes nothing (it has no zstd encoder).
  const decoded = payload.upstreamBody !== undefined && request.forward !== undefined;
  const dropped = span ? (decoded ? DECODED_AND_TRACED : TRACE_HEADERS) : decoded ? DECODED : undefined;
  const headersFor = (key: string | undefined) => {
    const own = provider.upstreamHeaders(req.headers, key);
    const traced = span ? [...own, ...span.upstream('POST', exchange.path)] : own;
    return upstreamRequestHeaders(req.rawHeaders, traced, byok !== undefined, dropped);
  };
  const attempted = await relayOverKeys(
    provider,
    exchange,
    headersFor,
    deps.providerMetrics,
    !byok,
    request.target,
  );
  const { outcome } = attempted;
  if (breaker && outcome.kind !== 'client_gone') {
    breaker.record(
      outcome.kind === 'unreachable' || isBreakerFailure(outcome.status, provider.type === 'anthropic'),
    );
  }

  try {
    observer?.flush();
  } catch (error) {
    deps.log.warn(
      { err: error, interception: start.id },
      'gateway: could not read the response for recording',
    );
  }
  if (outcome.kind === 'unreachable') {
    deps.log.warn({ err: outcome.error, provider: start.provider }, 'gateway: upstream unreachable');
    markCause(res, unreachableCause(outcome.error));
    sendError(
      res,
      shape,
      502,
      'upstream',
      `aibridge could not reach ${provider.displayName}: ${outcome.error.message}`,
      {
        [INTERCEPTION_ID_HEADER]: start.id,
      },
    );
  } else if (outcome.kind === 'upstream_broken') {
    deps.log.warn({ err: outcome.error, interception: start.id }, 'gateway: upstream broke the response');
  }
  const idle = outcome.kind === 'upstream_broken' && outcome.idle === true;
  interception.end(outcome.kind === 'completed' && outcome.status < 400, {
    attempts: String(attempted.attempts),
    ...(attempted.keyHint !== undefined && { key_hint: attempted.keyHint }),
    ...(idle && { end_reason: 'idle_timeout' }),
  });
  const { usage } = interception;
  // Tokens are known only now: consumed in memory, sent to the shared store in batches.
  if (deps.limits?.enabled) deps.limits.spend(actor, usage.input + usage.output);
  // What the client saw: the provider's status, 502 when it was unreachable, 499 when the client left first.
  const status =
    'status' in outcome && outcome.status !== undefined
      ? outcome.status
      : outcome.kind === 'client_gone'
        ? 499
        : 502;
  span?.end({
    status,
    outcome: outcome.kind,
    inputTokens: usage.input,
    outputTokens: usage.output,
    cacheReadTokens: usage.cacheRead,
    cacheWriteTokens: usage.cacheWrite,
  });
  // One line per interception; never a prompt, a header or a credential.
  deps.log.info(
    {
      interception: start.id,
      user: actor.userId,
      client,
      provider: start.provider,
      model: start.model,
      status,
      outcome: outcome.kind,
      durationMs: Math.round(performance.now() - timing.receivedAt),
      overheadMs: Number(overheadMs.toFixed(3)),
      inputTokens: usage.input,
      outputTokens: usage.output,
      cacheReadTokens: usage.cacheRead,
      cacheWriteTokens: usage.cacheWrite,
    },
    'gateway: interception',
  );
  // The provider answered the one request it was sent in full, so it had read the whole body
  // (and the socket no longer holds it): once the prompt is copied out, nothing reads the body.
  const bodyFree = outcome.kind === 'completed' && outcome.status < 400 && attempted.attempts === 1;
  if (bodyFree) payload.prompt?.detach?.();
  return bodyFree;
}

/**
 * A refused request is recorded as an interception that never went upstream: started and ended
 * at once, with `aibridge_refused: "budget"` and the budget in its metadata. Best effort: the
 * refusal is answered even when it cannot be recorded.
 */
async function recordRefusal(deps: InterceptDeps, start: InterceptionStart, budget: string): Promise<void> {
  try {
    await deps.recorder.start({
      ...start,
      metadata: { ...start.metadata, aibridge_refused: 'budget', budget },
    });
    deps.recorder.record({ kind: 'end', interceptionId: start.id, endedAt: new Date() });
  } catch (error) {
    deps.log.warn({ err: error, interception: start.id }, 'gateway: could not record a budget refusal');
  }
}

function interceptionMetadata(
  actor: Actor,
  headers: IncomingHttpHeaders,
  threadSource: string | undefined,
): Record<string, string> {
  const metadata: Record<string, string> = { Username: actor.username };
  const userAgent = headers['user-agent'];
  if (userAgent) metadata.request_user_agent = userAgent;
  if (threadSource) metadata.thread_source = threadSource;
  return metadata;
}

function contentLength(headers: IncomingHttpHeaders): number | undefined {
  const value = headers['content-length'];
  const length = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(length) ? length : undefined;
}
