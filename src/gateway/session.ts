import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { CLIENTS, type ClientName } from './client.js';

/** What the request body says about the session, read lazily by the payload reader. */
export interface SessionHints {
  /** Anthropic `metadata.user_id` (Claude Code puts its session there). */
  metadataUserId?: string | undefined;
  /** Responses `prompt_cache_key` (Codex sets it to its session id). */
  promptCacheKey?: string | undefined;
}

/** The client's own conversation identity, and how Codex labels side requests. */
export interface ClientSession {
  id: string | undefined;
  /** Codex's `thread_source` (e.g. `thread_title` for the TUI's title request), kept in metadata. */
  threadSource: string | undefined;
}

/** The column holding client session ids is varchar(256). */
export const MAX_SESSION_ID_LENGTH = 256;
const KEPT_PREFIX = MAX_SESSION_ID_LENGTH - 65;

const SESSION_HEADER: Partial<Record<ClientName, string>> = {
  [CLIENTS.mux]: 'x-mux-workspace-id',
  [CLIENTS.copilotVsCode]: 'x-interaction-id',
  [CLIENTS.copilotCli]: 'x-client-session-id',
  [CLIENTS.kiloCode]: 'x-kilocode-taskid',
  [CLIENTS.coderAgents]: 'x-coder-chat-id',
  // opencode 1.18 sends its `ses_…` id as both on every request, title request included
  // (test/fixtures/clients/opencode-*); the generic headers below read it.
  // Cline 4 sends its task id as `X-Task-Id` beside `X-Client-Type` / `X-Client-Version`
  // (as gateways that reproduce Cline's requests show).
  [CLIENTS.cline]: 'x-task-id',
};

/**
 * Headers any client may carry its conversation's id in, read when its own rule finds none:
 * opencode and AI SDK–based agents send `x-session-id`, and `x-session-affinity` (the same id,
 * meant for sticky routing).
 */
const GENERIC_SESSION_HEADERS = ['x-session-id', 'x-session-affinity'];

/**
 * The client's session id (reference §6.6, updated for what today's clients send): Claude
 * Code's `X-Claude-Code-Session-Id` or its `metadata.user_id` (JSON or legacy form); Codex's
 * `session_id` / `session-id` header, its turn-metadata JSON, or `prompt_cache_key`; one header
 * for Mux, Copilot, Kilo Code, Coder Agents and Cline; then, for any client, `x-session-id` or
 * `x-session-affinity` (opencode's `ses_…`). Trimmed; empty means none; longer than 256
 * characters is shortened deterministically rather than failing the request.
 */
export function guessSession(
  client: ClientName,
  headers: IncomingHttpHeaders,
  hints: SessionHints,
): ClientSession {
  const own = clientSession(client, headers, hints);
  if (own.id !== undefined) return own;
  for (const name of GENERIC_SESSION_HEADERS) {
    const id = tidy(header(headers, name));
    if (id !== undefined) return { id, threadSource: own.threadSource };
  }
  return own;
}

/** The session id by the client's own convention. */
function clientSession(client: ClientName, headers: IncomingHttpHeaders, hints: SessionHints): ClientSession {
  if (client === CLIENTS.claudeCode) {
    return {
      id: tidy(header(headers, 'x-claude-code-session-id') ?? claudeUserIdSession(hints.metadataUserId)),
      threadSource: undefined,
    };
  }
  if (client === CLIENTS.codex) {
    const turn = codexTurnMetadata(headers);
    const id =
      tidy(header(headers, 'session_id')) ??
      tidy(header(headers, 'session-id')) ??
      tidy(turn.sessionId) ??
      tidy(hints.promptCacheKey);
    return { id, threadSource: turn.threadSource };
  }
  const name = SESSION_HEADER[client];
  return { id: name ? tidy(header(headers, name)) : undefined, threadSource: undefined };
}

/** Keeps a readable prefix and appends a hash of the whole id, so equal ids stay equal. */
export function shortenSessionId(id: string): string {
  if (id.length <= MAX_SESSION_ID_LENGTH) return id;
  const codePoints = Array.from(id);
  if (codePoints.length <= MAX_SESSION_ID_LENGTH) return id;
  const digest = createHash('sha256').update(id).digest('hex');
  return `${codePoints.slice(0, KEPT_PREFIX).join('')}~${digest}`;
}

function tidy(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? shortenSessionId(trimmed) : undefined;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `metadata.user_id`: a JSON string with `session_id`, or legacy `user_<hash>_account_<id>_session_<uuid>`. */
function claudeUserIdSession(userId: string | undefined): string | undefined {
  if (!userId) return undefined;
  if (userId.trimStart().startsWith('{')) {
    try {
      const parsed = JSON.parse(userId) as { session_id?: unknown };
      return typeof parsed.session_id === 'string' ? parsed.session_id : undefined;
    } catch {
      return undefined;
    }
  }
  const at = userId.lastIndexOf('_session_');
  return at === -1 ? undefined : userId.slice(at + '_session_'.length);
}

function codexTurnMetadata(headers: IncomingHttpHeaders): { sessionId?: string; threadSource?: string } {
  const raw = header(headers, 'x-codex-turn-metadata');
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as { session_id?: unknown; thread_source?: unknown };
    return {
      ...(typeof parsed.session_id === 'string' ? { sessionId: parsed.session_id } : {}),
      ...(typeof parsed.thread_source === 'string' ? { threadSource: parsed.thread_source } : {}),
    };
  } catch {
    return {};
  }
}
