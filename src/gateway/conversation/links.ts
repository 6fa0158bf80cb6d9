import { createHash } from 'node:crypto';
import type { InterceptionStart } from '../../recorder/types.js';
import type { Payload } from '../intercept/payload.js';

/** The fields of an interception's start that let the recorder place it in a conversation. */
export type ConversationLinks = Pick<
  InterceptionStart,
  'previousResponseId' | 'conversationFingerprint' | 'continuesConversation'
>;

/**
 * What links a request to the conversation it belongs to, beyond a client session id: the
 * response it continues, and — only when the client sent no session id — the fingerprint of how
 * the conversation began, scoped to the initiator and the client (so it never crosses users or
 * agents), hashed only then (Claude Code and Codex, which send ids, never pay for it).
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
  links.conversationFingerprint = createHash('sha256')
    .update(`${initiatorId}\u0000${client}\u0000${start.digest}`)
    .digest('hex');
  links.continuesConversation = start.continues;
  return links;
}
