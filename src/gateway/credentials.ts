import type { IncomingHttpHeaders } from 'node:http';
import type { AuthFailure } from '../auth/authenticator.js';
import type { Provider } from './provider.js';

/**
 * The credential in a request's usual API key header: `Authorization: Bearer <token>` (OpenAI
 * SDKs, Codex, Claude Code with ANTHROPIC_AUTH_TOKEN), `X-Api-Key: <token>` (Anthropic SDKs,
 * Claude Code with ANTHROPIC_API_KEY) or `api-key: <token>` (Azure OpenAI clients), so an
 * agent's usual API key setting simply holds the aibridge token.
 */
export function gatewayToken(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (authorization && authorization.length > 7 && authorization.slice(0, 7).toLowerCase() === 'bearer ') {
    const token = authorization.slice(7).trim();
    if (token) return token;
  }
  return first(headers['x-api-key']) ?? first(headers['api-key']);
}

function first(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}

/** Shown by agents to the person when no token was sent. */
export const MISSING_TOKEN_MESSAGE =
  'aibridge needs your aibridge API token: set it as the API key of your agent or SDK (sent as Authorization: Bearer or X-Api-Key)';

const REFUSALS: Record<AuthFailure, string> = {
  malformed: 'the API key is not an aibridge token (expected <10-char id>-<22-char secret>)',
  unknown: 'the aibridge token is invalid or has been revoked',
  expired: 'the aibridge token has expired; create a new one',
  'user-deleted': 'the user of this aibridge token has been deleted',
};

/** Why a token was refused, in words an agent can show. */
export function refusalMessage(reason: AuthFailure): string {
  return REFUSALS[reason];
}

/** The 403 of an instance with no key (HTTP and WebSocket): where to add one (the env var, for the two defaults). */
export function noKeyMessage(provider: Provider): string {
  const setting = { openai: 'AIBRIDGE_OPENAI_KEY', anthropic: 'AIBRIDGE_ANTHROPIC_KEY' }[provider.name];
  const how = `add one with \`aibridge providers update ${provider.name} --key <key>\``;
  return `aibridge has no ${provider.displayName} API key configured (${setting ? `set ${setting} on the server, or ${how}` : how})`;
}
