import type { IncomingHttpHeaders } from 'node:http';
import { secretHint } from './hint.js';
import type { ByokPolicy } from './instance.js';

/** Where the aibridge token travels when the usual header holds the person's own credential. */
const AIBRIDGE_TOKEN_HEADER = 'x-aibridge-token';

/** Whose credential a request uses, or why the instance's policy refuses it. */
export type CredentialChoice =
  | { ok: true; token: string | undefined; byok: { hint: string } | undefined }
  | { ok: false; message: string };

/**
 * Central or bring-your-own: with `X-AIBridge-Token`, that header authenticates the person and
 * their usual header (`Authorization`, `X-Api-Key`, `api-key`) is their own provider
 * credential, forwarded untouched; without it, the usual header holds the aibridge token and
 * the instance's key goes upstream. `readToken` reads the usual header.
 */
export function chooseCredential(
  headers: IncomingHttpHeaders,
  policy: ByokPolicy,
  provider: string,
  readToken: (headers: IncomingHttpHeaders) => string | undefined,
): CredentialChoice {
  const header = headers[AIBRIDGE_TOKEN_HEADER];
  const aibridgeToken = (Array.isArray(header) ? header[0] : header)?.trim() || undefined;
  const usual = readToken(headers);
  const own = aibridgeToken !== undefined ? usual : undefined;
  if (own !== undefined && policy === 'central') {
    return {
      ok: false,
      message: `aibridge provider "${provider}" uses its own keys only (BYOK policy "central"): send just your aibridge token, or ask an owner to allow your own credentials`,
    };
  }
  if (own === undefined && policy === 'byok-only') {
    return {
      ok: false,
      message: `aibridge provider "${provider}" needs your own provider credential (BYOK policy "byok-only"): send it in the usual API key header and your aibridge token as X-AIBridge-Token`,
    };
  }
  if (own === undefined) return { ok: true, token: aibridgeToken ?? usual, byok: undefined };
  return { ok: true, token: aibridgeToken, byok: { hint: secretHint(own) } };
}
