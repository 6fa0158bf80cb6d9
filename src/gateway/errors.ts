import type { OutgoingHttpHeaders } from 'node:http';

/**
 * Where a gateway answer goes: a node `ServerResponse`, or one turn of a WebSocket connection
 * that speaks the same calls (`gateway/websocket/`). Only what the relay and errors use.
 */
export interface ClientResponse {
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
  readonly writableFinished: boolean;
  writeHead(status: number, headers: OutgoingHttpHeaders): unknown;
  write(chunk: Buffer): boolean;
  end(chunk?: string): unknown;
  flushHeaders(): void;
  destroy(): unknown;
  on(event: 'close' | 'drain', listener: () => void): unknown;
  once(event: 'close' | 'drain', listener: () => void): unknown;
  off(event: 'close' | 'drain', listener: () => void): unknown;
}

/** Why the gateway itself refused or failed a request; each provider names these its own way. */
export type GatewayErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'too_large'
  | 'unsupported_media_type'
  | 'rate_limit'
  | 'out_of_credit'
  | 'overloaded'
  | 'upstream';

/** Serialises a gateway error the way one provider's clients expect to read it. */
export type ErrorShape = (kind: GatewayErrorKind, message: string) => string;

const ANTHROPIC_TYPES: Record<GatewayErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  too_large: 'request_too_large',
  unsupported_media_type: 'invalid_request_error',
  rate_limit: 'rate_limit_error',
  // What Anthropic answers (with 402) when an organisation is out of credit or at its spend
  // limit: `billing_error`, the SDK's PaymentRequiredError. Not `invalid_request_error` (its
  // old 400 answer): Claude Code takes a 400 of that type for an unsupported beta and resends
  // the request up to 5 times with fewer betas and tools.
  out_of_credit: 'billing_error',
  overloaded: 'overloaded_error',
  upstream: 'api_error',
};

/** Anthropic's envelope: the SDKs and Claude Code show `error.message` to the person. */
export const anthropicError: ErrorShape = (kind, message) =>
  JSON.stringify({ type: 'error', error: { type: ANTHROPIC_TYPES[kind], message } });

const OPENAI_TYPES: Record<GatewayErrorKind, [type: string, code: string | null]> = {
  invalid_request: ['invalid_request_error', null],
  authentication: ['invalid_request_error', 'invalid_api_key'],
  permission: ['invalid_request_error', 'provider_not_configured'],
  not_found: ['invalid_request_error', 'unknown_url'],
  too_large: ['invalid_request_error', 'request_too_large'],
  unsupported_media_type: ['invalid_request_error', 'unsupported_media_type'],
  rate_limit: ['requests', 'rate_limit_exceeded'],
  // What OpenAI answers (with 429) when an account's quota is used up; clients do not retry it.
  out_of_credit: ['insufficient_quota', 'insufficient_quota'],
  overloaded: ['server_error', 'service_unavailable'],
  upstream: ['server_error', 'bad_gateway'],
};

/** OpenAI's envelope, as both the Chat Completions and Responses clients parse it. */
export const openaiError: ErrorShape = (kind, message) => {
  const [type, code] = OPENAI_TYPES[kind];
  return JSON.stringify({ error: { message, type, param: null, code } });
};

/** For paths under the gateway that belong to no provider: the reference's `{"message"}` envelope. */
export const plainError: ErrorShape = (_kind, message) => JSON.stringify({ message });

/**
 * The one way the gateway answers with an error of its own (refusals, bad bodies, recording or
 * upstream failures, its own bugs), in the shape of the provider the path belongs to — unless
 * the response already started: then the connection is cut, which is what a client would see
 * had the provider failed the same way.
 */
export function sendError(
  res: ClientResponse,
  shape: ErrorShape,
  status: number,
  kind: GatewayErrorKind,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = shape(kind, message);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
