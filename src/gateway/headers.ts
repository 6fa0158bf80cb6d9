import type { IncomingHttpHeaders } from 'node:http';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and the few a proxy must set itself. */
const NEVER_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
  'host',
  'content-length',
  'expect',
  // The body must arrive uncompressed so usage can be read from it.
  'accept-encoding',
  // The aibridge token when a person brings their own credential (see CREDENTIAL_HEADERS).
  'x-aibridge-token',
]);

/** They carry the aibridge token; the provider key replaces them — unless the person brought their own. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'x-api-key', 'api-key']);

/**
 * The client's headers as they should reach the provider, in their original spelling and
 * order: everything (anthropic-beta, anthropic-version, openai-beta, x-stainless-*, …) except
 * hop-by-hop headers, the aibridge credentials and whatever `Connection` names, followed by
 * the provider's own headers (its key). With `ownCredential`, the person's credential headers
 * travel untouched and only `X-AIBridge-Token` is held back. `dropped` names any more the
 * caller must leave out.
 */
export function upstreamRequestHeaders(
  rawHeaders: readonly string[],
  providerHeaders: readonly string[],
  ownCredential = false,
  dropped?: ReadonlySet<string>,
): string[] {
  let connectionNamed: Set<string> | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).length === 10 && (rawHeaders[i] as string).toLowerCase() === 'connection') {
      connectionNamed ??= new Set();
      for (const token of (rawHeaders[i + 1] as string).split(','))
        connectionNamed.add(token.trim().toLowerCase());
    }
  }
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const lower = name.toLowerCase();
    if (NEVER_FORWARDED.has(lower) || connectionNamed?.has(lower) || dropped?.has(lower)) continue;
    if (!ownCredential && CREDENTIAL_HEADERS.has(lower)) continue;
    out.push(name, rawHeaders[i + 1] as string);
  }
  for (const value of providerHeaders) out.push(value);
  return out;
}

const NOT_RELAYED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

/**
 * The provider's response headers as the client gets them: all but hop-by-hop ones (Node
 * frames the body itself), plus aibridge's own. `content-length` stays, since the body is
 * relayed byte for byte.
 */
export function clientResponseHeaders(
  upstream: IncomingHttpHeaders,
  extra: Record<string, string>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || NOT_RELAYED.has(name)) continue;
    out[name] = value;
  }
  for (const name in extra) out[name] = extra[name] as string;
  return out;
}
