import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Actor } from '../../auth/roles.js';
import { type DatabaseHealth, OUTAGE_RETRY_AFTER_SECONDS } from '../../db/health.js';
import type { Logger } from '../../log.js';
import { type InterceptionStart, type Recorder, RecorderOverloadedError } from '../../recorder/types.js';
import { uuidv7 } from '../../recorder/uuid7.js';
import { guessClient } from '../client.js';
import { conversationLinks } from '../conversation/links.js';
import { sendError } from '../errors.js';
import { upstreamRequestHeaders } from '../headers.js';
import type { GatewayMetrics } from '../metrics.js';
import type { Route } from '../provider.js';
import { relay } from '../relay.js';
import { guessSession } from '../session.js';
import { APIS } from './apis.js';
import { Interception } from './interception.js';
import { JsonObserver, type RecordingObserver, SseObserver } from './observers.js';
import { type Payload, PayloadError } from './payload.js';

/** What the interceptor works with. */
export interface InterceptDeps {
  recorder: Recorder;
  metrics: GatewayMetrics;
  log: Logger;
  /** Told of database failures, so an outage is logged once rather than per request. */
  health: DatabaseHealth;
}

/** Moments (performance.now) that bound the gateway's own work on a request. */
interface RequestTiming {
  receivedAt: number;
  bodyStartAt: number;
  bodyReadAt: number;
}

/** An authenticated request on a bridged route, body read. */
export interface BridgedRequest {
  req: IncomingMessage;
  res: ServerResponse;
  route: Extract<Route, { kind: 'bridged' }>;
  actor: Actor;
  body: Buffer;
  timing: RequestTiming;
}

/** Response header carrying the interception id. */
const INTERCEPTION_ID_HEADER = 'x-aibridge-interception-id';
/** Response header with the gateway's own time on blocking responses, in milliseconds. */
const OVERHEAD_HEADER = 'x-aibridge-overhead-ms';

/**
 * One bridged request, the reference's Interceptor: read what recording needs from the body,
 * make the interception durable, relay the exchange while the API's reader turns what passes
 * into records, and end the interception however the relay comes out.
 */
export async function intercept(request: BridgedRequest, deps: InterceptDeps): Promise<void> {
  const { req, res, route, actor } = request;
  const api = APIS[route.api];
  const shape = route.provider.errorShape;
  let payload: Payload;
  try {
    payload = api.readPayload(request.body);
  } catch (error) {
    if (!(error instanceof PayloadError)) throw error;
    sendError(res, shape, 400, 'invalid_request', error.message);
    return;
  }

  const client = guessClient(req.headers);
  const session = guessSession(client, req.headers, payload.sessionHints);
  const start: InterceptionStart = {
    // Time-ordered: the interceptions table and its children's indexes grow at the right edge.
    id: uuidv7(),
    initiatorId: actor.userId,
    apiKeyId: actor.apiKeyId,
    provider: route.provider.name,
    model: payload.model,
    client,
    clientSessionId: session.id,
    correlatingToolCallId: payload.toolCallId,
    ...conversationLinks(actor.userId, client, session.id, payload),
    metadata: interceptionMetadata(actor, req.headers, session.threadSource),
    startedAt: new Date(),
  };
  let threadRootId: string;
  let recorded: InterceptionStart;
  try {
    const started = await deps.recorder.start(start);
    threadRootId = started.threadRootId ?? start.id;
    recorded = { ...start, clientSessionId: started.clientSessionId ?? undefined };
  } catch (error) {
    const overloaded = error instanceof RecorderOverloadedError;
    if (!overloaded && !deps.health.failed(error)) {
      deps.log.error({ err: error, provider: start.provider }, 'gateway: could not record the interception');
    }
    const message = overloaded
      ? 'aibridge cannot record requests fast enough right now; try again shortly'
      : 'aibridge cannot record this request (its database is unavailable), so it was not sent upstream';
    sendError(res, shape, 503, 'overloaded', message, {
      'retry-after': String(overloaded ? 1 : OUTAGE_RETRY_AFTER_SECONDS),
    });
    return;
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
  );
  let observer: RecordingObserver | undefined;
  const { timing } = request;
  const dispatchedAt = performance.now();
  const outcome = await relay({
    res,
    upstream: route.provider.upstream,
    method: 'POST',
    path: route.provider.upstream.path(route.path, route.query),
    headers: upstreamRequestHeaders(req.rawHeaders, route.provider.upstreamHeaders(req.headers)),
    body: payload.upstreamBody ?? request.body,
    onResponse(status, headers) {
      const added: Record<string, string> = { [INTERCEPTION_ID_HEADER]: start.id };
      const streamed = String(headers['content-type'] ?? '').startsWith('text/event-stream');
      if (!streamed) {
        const overhead = timing.bodyStartAt - timing.receivedAt + (dispatchedAt - timing.bodyReadAt);
        added[OVERHEAD_HEADER] = overhead.toFixed(3);
      }
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
      return { headers: added, observer };
    },
    onObserverError(error) {
      observer = undefined;
      deps.log.error(
        { err: error, interception: start.id },
        'gateway: recording failed while relaying; relay continues',
      );
    },
  });

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
    sendError(
      res,
      shape,
      502,
      'upstream',
      `aibridge could not reach ${route.provider.displayName}: ${outcome.error.message}`,
      {
        [INTERCEPTION_ID_HEADER]: start.id,
      },
    );
  } else if (outcome.kind === 'upstream_broken') {
    deps.log.warn({ err: outcome.error, interception: start.id }, 'gateway: upstream broke the response');
  }
  interception.end(outcome.kind === 'completed' && outcome.status < 400);
  deps.log.debug(
    { interception: start.id, provider: start.provider, model: start.model, client, outcome: outcome.kind },
    'gateway: interception ended',
  );
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
