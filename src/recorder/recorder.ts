import { type PromptPolicy, recordedText } from '../audit/prompt-policy.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import { PriceBook } from '../pricing/book.js';
import type { UnpricedCounter } from '../pricing/metrics.js';
import { PackagePrices } from '../pricing/package-book.js';
import { Admissions } from './admissions.js';
import { writeBatch } from './batch-sql.js';
import { BatchWriter, type BatchWriterOptions, type QueuedRecord } from './batch-writer.js';
import { QueueBudget } from './budget.js';
import { CostLedger } from './cost-ledger.js';
import { type LineageKind, StartWriter, type ThreadHint } from './start-writer.js';
import type { AsyncRecord, InterceptionStart, Recorder, StartedInterception } from './types.js';

/** Tuning for tests and benchmarks; production uses the defaults. */
export type RecorderOptions = Partial<Omit<BatchWriterOptions, 'write' | 'onSettled' | 'log' | 'budget'>> & {
  /** Above either bound, new interceptions wait for room (and are refused after admitTimeoutMs). */
  maxQueuedRecords?: number;
  maxQueuedBytes?: number;
  admitTimeoutMs?: number;
  /** How long `close()` keeps retrying a failing database before giving up on queued records. */
  closeTimeoutMs?: number;
  /**
   * Batches written at once, each on its own connection (PostgreSQL); interceptions are split
   * between them by id; they share one queue bound.
   */
  lanes?: number;
  /** Queue room each started interception reserves until its end is recorded. */
  recordsPerInterception?: number;
  /** Start inserts in flight at once (group commit keeps filling the next while one waits on its flush). */
  startsInFlight?: number;
  /** The price book token rows are costed with (default: the package's prices, no overrides). */
  prices?: PriceBook;
  /** Told about each interception recorded with an unpriced model (the metric). */
  onUnpriced?: UnpricedCounter;
  /** How long a conversation without a session id stays joinable by its fingerprint (default 2 h). */
  sessionIdleMs?: number;
  /** What is kept of prompts and tool-call arguments (default: everything). */
  prompts?: PromptPolicy;
};

/** Counters of the recorder's database work. */
export interface RecorderStats {
  startStatements: number;
  startRows: number;
  batches: number;
  batchedRecords: number;
  queueDepth: number;
}

const BASE_RECORD_BYTES = 256;
/**
 * One batch writer keeps a single PostgreSQL backend busy (index upkeep dominates: ~30 ms of
 * server CPU per 250 interceptions), so on a server with cores to spare a second one in
 * parallel nearly doubles what can be recorded. PGlite runs one statement at a time anyway.
 */
const POSTGRES_LANES = 2;
/** How long a conversation fingerprint stays joinable after its latest interception, by default. */
const DEFAULT_SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
/** Room an interception reserves: prompt, a few token usages and tool calls, end. */
const RECORDS_PER_INTERCEPTION = 8;

/**
 * Records interceptions in the database: the start row synchronously (group commit), the rest
 * in ordered batches. Batches are written on a few lanes in parallel; every record of an
 * interception goes to the same lane (chosen by its id), so its rows still commit in order and
 * never after its `ended_at`. Tool calls and continuable response ids queued here but not yet
 * committed are remembered by (initiator, id), so a tool result or a `previous_response_id`
 * arriving on this replica before the batch lands still finds its parent; once committed, the
 * database answers for every replica.
 */
export class DatabaseRecorder implements Recorder {
  private readonly starts: StartWriter;
  private readonly lanes: BatchWriter[];
  private readonly admissions: Admissions;
  private readonly unflushedLinks = new Map<string, ThreadHint & { seq: number }>();
  private readonly closeTimeoutMs: number;
  private readonly prompts: PromptPolicy | undefined;

  constructor(db: Database, log: Logger, options: RecorderOptions = {}) {
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.prompts = options.prompts?.recording === 'full' ? undefined : options.prompts;
    this.starts = new StartWriter(
      db,
      (kind, initiatorId, id) => this.unflushedLinks.get(linkKey(kind, initiatorId, id)),
      options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS,
      options.startsInFlight,
    );
    const count = Math.max(1, options.lanes ?? (db.kind === 'postgres' ? POSTGRES_LANES : 1));
    const budget = new QueueBudget({
      maxRecords: options.maxQueuedRecords ?? 50_000,
      maxBytes: options.maxQueuedBytes ?? 64 * 1024 * 1024,
      admitTimeoutMs: options.admitTimeoutMs ?? 5000,
    });
    this.admissions = new Admissions(budget, options.recordsPerInterception ?? RECORDS_PER_INTERCEPTION);
    const prices = options.prices ?? new PriceBook(new PackagePrices());
    this.lanes = Array.from({ length: count }, (_, lane) => {
      const ledger = new CostLedger(prices, options.onUnpriced);
      return new BatchWriter({
        ...options,
        budget,
        log,
        write: (records) => writeBatch(db, records, ledger),
        onSettled: (entries) => this.forgetFlushed(lane, entries),
      });
    });
  }

  /** Waits for queue room (reserving it under the interception's id), then writes the start row. */
  async start(start: InterceptionStart): Promise<StartedInterception> {
    await this.admissions.admit(start.id);
    try {
      return await this.starts.write(start);
    } catch (error) {
      this.admissions.release(start.id);
      // A timed-out insert may still commit once a frozen database thaws: queue its end, so
      // such a row is closed rather than left open (the UPDATE matches nothing otherwise).
      if (outcomeUnknown(error))
        this.record({ kind: 'end', interceptionId: start.id, endedAt: start.startedAt });
      throw error;
    }
  }

  /** Returns a ticket for `durable`: the lane's sequence number, with the lane in its low digits. */
  record(given: AsyncRecord): number {
    const record = this.prompts ? withPolicy(given, this.prompts) : given;
    const lane = laneOf(record.interceptionId, this.lanes.length);
    const seq = this.ticket(lane, this.laneWriter(lane).add(record, approximateBytes(record)));
    this.admissions.recorded(record);
    const link = linkOf(record);
    if (link) {
      this.unflushedLinks.set(link.key, { ...link.hint, seq });
    }
    return seq;
  }

  /** Resolves once the ticket's record, and every earlier record of its interception, is committed. */
  durable(seq: number): Promise<void> {
    const lane = seq % this.lanes.length;
    return this.laneWriter(lane).durable(Math.floor(seq / this.lanes.length));
  }

  /** Records queued and not yet written (for metrics and tests). */
  get queueDepth(): number {
    return this.lanes.reduce((sum, lane) => sum + lane.depth, 0);
  }

  /** How well writes are being batched, for metrics and tests. */
  get stats(): RecorderStats {
    return {
      startStatements: this.starts.stats.statements,
      startRows: this.starts.stats.rows,
      batches: this.lanes.reduce((sum, lane) => sum + lane.stats.batches, 0),
      batchedRecords: this.lanes.reduce((sum, lane) => sum + lane.stats.records, 0),
      queueDepth: this.queueDepth,
    };
  }

  /**
   * Writes what is queued, retrying a failing database for `closeTimeoutMs`; resolves with the
   * records it could not write (empty when everything was flushed).
   */
  async close(): Promise<AsyncRecord[]> {
    const left = await Promise.all(this.lanes.map((lane) => lane.close(this.closeTimeoutMs)));
    return left.flat();
  }

  private laneWriter(lane: number): BatchWriter {
    const writer = this.lanes[lane];
    if (!writer) throw new Error(`no recording lane ${lane}`);
    return writer;
  }

  private ticket(lane: number, seq: number): number {
    return seq * this.lanes.length + lane;
  }

  private forgetFlushed(lane: number, entries: readonly QueuedRecord[]): void {
    for (const { seq, record } of entries) {
      const key = linkOf(record)?.key;
      if (key && this.unflushedLinks.get(key)?.seq === this.ticket(lane, seq))
        this.unflushedLinks.delete(key);
    }
  }
}

/** The lane of an interception: a hash of the end of its id (random UUIDs spread evenly). */
function laneOf(interceptionId: string, lanes: number): number {
  if (lanes === 1) return 0;
  let hash = 0;
  for (let i = Math.max(0, interceptionId.length - 8); i < interceptionId.length; i++) {
    hash = (hash * 31 + interceptionId.charCodeAt(i)) | 0;
  }
  return Math.abs(hash) % lanes;
}

function linkKey(kind: LineageKind, initiatorId: string, id: string): string {
  return `${kind}\u0000${initiatorId}\u0000${id}`;
}

/** What a later request can point back to through this record: a tool call, or a continuable response. */
function linkOf(record: AsyncRecord): { key: string; hint: ThreadHint } | undefined {
  if (record.kind === 'tool_usage' && record.toolCallId) {
    return {
      key: linkKey('tool_call', record.initiatorId, record.toolCallId),
      hint: {
        parentId: record.interceptionId,
        rootId: record.threadRootId,
        clientSessionId: record.clientSessionId ?? null,
      },
    };
  }
  if (record.kind === 'token_usage' && record.lineage && record.providerResponseId) {
    const { initiatorId, threadRootId, clientSessionId } = record.lineage;
    return {
      key: linkKey('response', initiatorId, record.providerResponseId),
      hint: { parentId: record.interceptionId, rootId: threadRootId, clientSessionId },
    };
  }
  return undefined;
}

function approximateBytes(record: AsyncRecord): number {
  switch (record.kind) {
    case 'prompt':
      return (
        BASE_RECORD_BYTES +
        (typeof record.prompt === 'string' ? record.prompt.length * 2 : record.promptBytes)
      );
    case 'tool_usage':
      return BASE_RECORD_BYTES + record.input.length * 2;
    case 'thought':
      return BASE_RECORD_BYTES + record.content.length * 2;
    default:
      return BASE_RECORD_BYTES;
  }
}

/** The insert was sent but its answer never came (timeout, connection lost): it may have committed. */
function outcomeUnknown(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return message.includes('Query read timeout') || message.includes('Connection terminated');
}

/**
 * A prompt or tool call cut to what the policy keeps, before it is queued (so neither the
 * batch nor the shutdown spool ever holds more). A lazily decoded prompt stays lazy.
 */
function withPolicy(record: AsyncRecord, policy: PromptPolicy): AsyncRecord {
  if (record.kind === 'tool_usage') return { ...record, input: recordedText(record.input, policy) };
  if (record.kind !== 'prompt') return record;
  const { prompt } = record;
  return {
    ...record,
    prompt: typeof prompt === 'string' ? recordedText(prompt, policy) : () => recordedText(prompt(), policy),
  };
}
