import { createHash } from 'node:crypto';
import type { InterceptionStart } from '../../recorder/types.js';
import type { Payload } from '../intercept/payload.js';

/** The fields of an interception's start that let the recorder place it in a conversation. */
export type ConversationLinks = Pick<
  InterceptionStart,
  'previousResponseId' | 'conversationFingerprint' | 'conversationOpening'
>;

/**
 * What links a request to the conversation it belongs to, beyond a client session id: the
 * response it continues, and — only when the client sent no session id — fingerprints of how
 * the conversation began, scoped to the initiator and the client (so they never cross users or
 * agents), hashed only then (Claude Code and Codex, which send ids, never pay for it). A first
 * turn stores the fingerprint of its opening; a later turn stores that of its opening and first
 * answer, and looks up that one first (an earlier later turn of the same conversation), then the
 * opening (its first turn).
 */
export function conversationLinks(
  initiatorId: string,
  client: string,
  clientSessionId: string | undefined,
  payload: Payload,
): ConversationLinks {
  const links: ConversationLinks = { previousResponseId: payload.previousResponseId };
  if (clientSessionId !== undefined) return links;
  const start = payload.conversation?.();
  if (!start) return links;
  const scoped = (digest: string) =>
    createHash('sha256').update(`${initiatorId}\u0000${client}\u0000${digest}`).digest('hex');
  const opening = scoped(start.opening);
  if (start.answered === undefined) {
    links.conversationFingerprint = opening;
  } else {
    links.conversationFingerprint = scoped(start.answered);
    links.conversationOpening = opening;
  }
  return links;
}
