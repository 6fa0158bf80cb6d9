import type { BudgetSettlement, InterceptionStart, PricedAs, Recorder } from '../../recorder/types.js';
import type { InterceptionSeries } from '../metrics.js';
import type { RecordSink, ThoughtSource, TokenCounts, ToolCall } from './sink.js';

/** The user's prompt, decoded only when it is written (it can be megabytes). */
export interface PromptSource {
  bytes: number;
  read(): string;
  /**
   * Copies the prompt's bytes out of the request body, which is about to be reused for another
   * request; `read` then decodes the copy.
   */
  detach?(): void;
}

/** How long the end of a response may wait for what a follow-up request looks up to be committed. */
const LINK_DURABILITY_WAIT_MS = 2000;

/**
 * One recorded interception after its start row is durable: the sink the readers report to,
 * turning their findings into queued records and metrics, and the place its end is recorded
 * exactly once, however the relay came out.
 */
export class Interception implements RecordSink {
  private firstResponseId: string | undefined;
  private lastLinkSeq = 0;
  private sawFailure = false;
  private ended = false;
  private readonly startedAt = performance.now();
  private readonly pricedAs: PricedAs;
  /** Token totals of this interception, for its log line. */
  readonly usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

  constructor(
    readonly start: InterceptionStart,
    readonly threadRootId: string,
    private readonly prompt: PromptSource | undefined,
    private readonly recorder: Recorder,
    private readonly metrics: InterceptionSeries,
    /** Its response may be continued by id (`previous_response_id`): that id must be findable. */
    readonly continuable = false,
    private readonly budget?: BudgetSettlement,
  ) {
    this.pricedAs = { provider: start.provider, model: start.model, startedAt: start.startedAt };
    metrics.started();
  }

  get id(): string {
    return this.start.id;
  }

  responseId(id: string): void {
    if (this.firstResponseId !== undefined) return;
    this.firstResponseId = id;
    if (!this.prompt) return;
    const prompt = this.prompt;
    this.recorder.record({
      kind: 'prompt',
      interceptionId: this.id,
      providerResponseId: id,
      prompt: () => prompt.read(),
      promptBytes: prompt.bytes,
      createdAt: new Date(),
    });
    this.metrics.prompt();
  }

  tokens(counts: TokenCounts): void {
    const lineage = this.continuable
      ? {
          initiatorId: this.start.initiatorId,
          threadRootId: this.threadRootId,
          clientSessionId: this.start.clientSessionId ?? null,
        }
      : undefined;
    const seq = this.recorder.record({
      kind: 'token_usage',
      interceptionId: this.id,
      pricedAs: this.pricedAs,
      ...counts,
      lineage,
      createdAt: new Date(),
    });
    if (lineage) this.lastLinkSeq = seq;
    this.usage.input += counts.input;
    this.usage.output += counts.output;
    this.usage.cacheRead += counts.cacheRead;
    this.usage.cacheWrite += counts.cacheWrite;
    this.metrics.tokenCounts({
      input: counts.input,
      output: counts.output,
      cache_read_input_tokens: counts.cacheRead,
      cache_write_input_tokens: counts.cacheWrite,
      ...counts.metadata,
    });
  }

  tool(call: ToolCall): void {
    this.lastLinkSeq = this.recorder.record({
      kind: 'tool_usage',
      interceptionId: this.id,
      initiatorId: this.start.initiatorId,
      threadRootId: this.threadRootId,
      clientSessionId: this.start.clientSessionId ?? null,
      providerResponseId: call.providerResponseId,
      toolCallId: call.callId,
      tool: call.name,
      input: call.input,
      createdAt: new Date(),
    });
    this.metrics.toolSelected(call.name);
  }

  thought(text: string, source: ThoughtSource): void {
    if (text.trim() === '') return;
    this.recorder.record({
      kind: 'thought',
      interceptionId: this.id,
      content: text,
      metadata: { source },
      createdAt: new Date(),
    });
  }

  failed(): void {
    this.sawFailure = true;
  }

  /**
   * When the response selected tools, or may be continued by its id: resolves once those rows
   * are committed (bounded), so the client cannot send the tool result or the next turn before
   * the lineage lookup, on any replica, can find its parent.
   */
  linksDurable(): Promise<void> | undefined {
    if (this.lastLinkSeq === 0) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, LINK_DURABILITY_WAIT_MS);
    });
    return Promise.race([this.recorder.durable(this.lastLinkSeq), timeout]).finally(() =>
      clearTimeout(timer),
    );
  }

  /**
   * Ends the interception: queues its one `end` record (later calls do nothing) and counts it.
   * `ok` is false for upstream errors, broken streams and gone clients; `metadata` (which key,
   * how many attempts) is merged into the interception's.
   */
  end(ok: boolean, metadata?: Record<string, string>): void {
    if (this.ended) return;
    this.ended = true;
    this.recorder.record({
      kind: 'end',
      interceptionId: this.id,
      endedAt: new Date(),
      metadata,
      budget: this.budget,
    });
    const status = ok && !this.sawFailure ? 'completed' : 'failed';
    this.metrics.ended(status, (performance.now() - this.startedAt) / 1000);
  }
}
