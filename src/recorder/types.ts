import type { JsonObject } from '../db/schema/index.js';

/** What is known about an interception before it goes upstream; written durably first. */
export interface InterceptionStart {
  id: string;
  initiatorId: string;
  apiKeyId: string;
  provider: string;
  model: string;
  client: string;
  clientSessionId: string | undefined;
  /** Tool-call id the request answers (a tool result); links it to the interception that asked. */
  correlatingToolCallId: string | undefined;
  /** Responses `previous_response_id`: links the request to the interception of that response. */
  previousResponseId?: string | undefined;
  /**
   * How the conversation began (initiator, client, system prompt, first user messages, and on a
   * later turn the first answer), hashed; set only for requests without a client session id.
   */
  conversationFingerprint?: string | undefined;
  /**
   * Only on a later turn (the request resends history): the fingerprint of the opening alone.
   * Without lineage the request joins the session of the latest interception with its own
   * fingerprint, else of the latest with this one (the first turn), if recent enough.
   */
  conversationOpening?: string | undefined;
  metadata: JsonObject;
  startedAt: Date;
}

/** Where the interception landed in its thread, as the start insert resolved it. */
export interface StartedInterception {
  threadParentId: string | null;
  threadRootId: string | null;
  /** The session key stored: the client's own, or the one inherited from lineage or fingerprint. */
  clientSessionId: string | null;
}

/** Token counts of one upstream response, split as PRODUCT §4.4 requires: cache reads/writes apart. */
export interface TokenCounts {
  providerResponseId: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** Provider extras under the reference's metadata keys (e.g. `cache_ephemeral_5m_input`). */
  metadata: Record<string, number>;
}

/** What a token row is priced by: the interception's provider and model, and its start (the book in force then). */
export interface PricedAs {
  provider: string;
  model: string;
  startedAt: Date;
}

/** One token usage row to write; its cost is computed in the batch that writes it. */
interface TokenUsageRecord extends TokenCounts {
  kind: 'token_usage';
  interceptionId: string;
  pricedAs: PricedAs;
  /**
   * Set when a later request may continue this response by its id (a stored Responses
   * response): who made it and where, so this replica finds it before its row is committed.
   */
  lineage?: { initiatorId: string; threadRootId: string; clientSessionId: string | null } | undefined;
  createdAt: Date;
}

/** The human prompt an interception carried; text may be decoded late, off the request path. */
interface PromptRecord {
  kind: 'prompt';
  interceptionId: string;
  providerResponseId: string;
  prompt: string | (() => string);
  /** Size of the prompt's source bytes, to bound the queue's memory before it is decoded. */
  promptBytes: number;
  createdAt: Date;
}

/** A tool the model chose; `toolCallId` is what the follow-up request's tool result points back to. */
interface ToolUsageRecord {
  kind: 'tool_usage';
  interceptionId: string;
  initiatorId: string;
  /** The thread root of the interception that made the call (itself when it is a root). */
  threadRootId: string;
  /** Its stored session key, inherited by the interception that answers the call. */
  clientSessionId?: string | null | undefined;
  providerResponseId: string;
  toolCallId: string | undefined;
  tool: string;
  /** JSON text of the arguments as the model gave them. */
  input: string;
  createdAt: Date;
}

/** Model thinking (Anthropic thinking blocks, Responses reasoning summaries and commentary). */
interface ThoughtRecord {
  kind: 'thought';
  interceptionId: string;
  content: string;
  metadata: JsonObject;
  createdAt: Date;
}

/** The interception is over (success, upstream error, client gone, broken stream). */
interface EndRecord {
  kind: 'end';
  interceptionId: string;
  endedAt: Date;
  /** Learnt while relaying (which key served it, after how many attempts): merged into its metadata. */
  metadata?: Record<string, string>;
  /** The budget periods the request was charged to, and who to tell its cost once committed. */
  budget?: BudgetSettlement | undefined;
}

/** Budget periods an interception's cost is added to, in the batch that ends it. */
export interface BudgetSettlement {
  /** `reservedMicros`: what admission reserved, the most of the cost that leaves the lease. */
  charges: ReadonlyArray<{ budgetId: string; periodStart: Date; reservedMicros: number }>;
  /** Called once the batch is committed, with the interception's cost (null: unpriced). */
  settle(costMicros: number | null): void;
}

/** Everything written after the request went upstream, in batches. */
export type AsyncRecord = TokenUsageRecord | PromptRecord | ToolUsageRecord | ThoughtRecord | EndRecord;

/**
 * The gateway's only view of storage, as in the reference (Provider → Interceptor → Recorder):
 * the start of an interception is durable before the request goes upstream; everything after
 * is queued and written in batches, in order.
 */
export interface Recorder {
  /**
   * Admits the interception and durably records its start: waits for queue room for the records
   * it will queue (reserved until its end is recorded), then writes the start row. Rejects with
   * RecorderOverloadedError when the queue stays full, or with the database's error when the row
   * cannot be written; either way the request must not go upstream.
   */
  start(start: InterceptionStart): Promise<StartedInterception>;
  /** Queues a record; returns a ticket for `durable`. Never drops. */
  record(record: AsyncRecord): number;
  /**
   * Resolves once the record behind the ticket and every earlier record of the same interception
   * are committed (flushing now rather than after the linger).
   */
  durable(seq: number): Promise<void>;
  /** Writes everything queued, then stops; resolves with the records it could not write. */
  close(): Promise<AsyncRecord[]>;
}

/** The queue stayed full: the database cannot keep up, so new interceptions are refused. */
export class RecorderOverloadedError extends Error {}
