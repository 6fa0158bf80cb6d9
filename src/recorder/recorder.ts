import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import { writeBatch } from './batch-sql.js';
import { BatchWriter, type BatchWriterOptions, type QueuedRecord } from './batch-writer.js';
import { StartWriter, type ThreadHint } from './start-writer.js';
import type { AsyncRecord, InterceptionStart, Recorder, StartedInterception } from './types.js';

/** Tuning for tests and benchmarks; production uses the defaults. */
export type RecorderOptions = Partial<Omit<BatchWriterOptions, 'write' | 'onSettled' | 'log'>> & {
  /** How long `close()` keeps retrying a failing database before giving up on queued records. */
  closeTimeoutMs?: number;
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
 * Records interceptions in the database: the start row synchronously (group commit), the rest
 * in ordered batches. Tool calls queued here but not yet committed are remembered by
 * (initiator, tool-call id), so a tool result arriving on this replica before the batch lands
 * still finds its parent; once committed, the database answers for every replica.
 */
export class DatabaseRecorder implements Recorder {
  private readonly starts: StartWriter;
  private readonly batches: BatchWriter;
  private readonly unflushedToolCalls = new Map<string, ThreadHint & { seq: number }>();
  private readonly closeTimeoutMs: number;

  constructor(db: Database, log: Logger, options: RecorderOptions = {}) {
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.starts = new StartWriter(db, (initiatorId, toolCallId) =>
      this.unflushedToolCalls.get(toolCallKey(initiatorId, toolCallId)),
    );
    this.batches = new BatchWriter({
      ...options,
      log,
      write: (records) => writeBatch(db, records),
      onSettled: (entries) => this.forgetFlushed(entries),
    });
  }

  start(start: InterceptionStart): Promise<StartedInterception> {
    return this.starts.write(start);
  }

  record(record: AsyncRecord): number {
    const seq = this.batches.add(record, approximateBytes(record));
    if (record.kind === 'tool_usage' && record.toolCallId) {
      this.unflushedToolCalls.set(toolCallKey(record.initiatorId, record.toolCallId), {
        parentId: record.interceptionId,
        rootId: record.threadRootId,
        seq,
      });
    }
    return seq;
  }

  durable(seq: number): Promise<void> {
    return this.batches.durable(seq);
  }

  admit(): Promise<void> {
    return this.batches.admit();
  }

  /** Records queued and not yet written (for metrics and tests). */
  get queueDepth(): number {
    return this.batches.depth;
  }

  /** How well writes are being batched, for metrics and tests. */
  get stats(): RecorderStats {
    return {
      startStatements: this.starts.stats.statements,
      startRows: this.starts.stats.rows,
      batches: this.batches.stats.batches,
      batchedRecords: this.batches.stats.records,
      queueDepth: this.batches.depth,
    };
  }

  close(): Promise<void> {
    return this.batches.close(this.closeTimeoutMs);
  }

  private forgetFlushed(entries: readonly QueuedRecord[]): void {
    for (const { seq, record } of entries) {
      if (record.kind !== 'tool_usage' || !record.toolCallId) continue;
      const key = toolCallKey(record.initiatorId, record.toolCallId);
      if (this.unflushedToolCalls.get(key)?.seq === seq) this.unflushedToolCalls.delete(key);
    }
  }
}

function toolCallKey(initiatorId: string, toolCallId: string): string {
  return `${initiatorId}\u0000${toolCallId}`;
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
