import type { DatabaseHealth } from '../db/health.js';
import type { Logger } from '../log.js';
import type { DatabaseRecorder } from '../recorder/recorder.js';
import type { AsyncRecord, InterceptionStart, Recorder, StartedInterception } from '../recorder/types.js';
import type { OutageJournal } from './journal.js';

/** The database is unreachable and the outage journal is full (or off): the request is refused. */
export class SpoolFullError extends Error {}

/** The ticket `record` returns for a journaled record: `durable` waits for the journal's fsync. */
const JOURNAL_TICKET = -1;

/** Counters of the outage path, for /metrics. */
export interface SpoolStats {
  journaledInterceptions: number;
  journaledRecords: number;
  refused: number;
}

/**
 * The gateway's recorder: the database recorder while PostgreSQL answers, the outage journal
 * while it does not. An interception whose start went to the journal keeps all its records
 * there, so it is replayed whole; one whose start reached the database stays in the database
 * recorder's queue, which retries until the database is back (or shutdown spools it).
 */
export class SpoolingRecorder implements Recorder {
  readonly stats: SpoolStats = { journaledInterceptions: 0, journaledRecords: 0, refused: 0 };
  private synced: Promise<void> = Promise.resolve();

  constructor(
    private readonly database: DatabaseRecorder,
    private readonly journal: OutageJournal,
    private readonly health: DatabaseHealth,
    private readonly log: Logger,
  ) {}

  async start(start: InterceptionStart): Promise<StartedInterception> {
    if (!this.health.down) {
      try {
        return await this.database.start(start);
      } catch (error) {
        if (!this.health.failed(error)) throw error;
      }
    }
    const journaled = await this.journal.start({
      kind: 'start',
      ...start,
      metadata: { ...start.metadata, aibridge_recorded_via: 'outage_journal' },
    });
    if (!journaled) {
      this.stats.refused++;
      throw new SpoolFullError('the outage journal is full');
    }
    this.stats.journaledInterceptions++;
    return { threadParentId: null, threadRootId: null, clientSessionId: start.clientSessionId ?? null };
  }

  record(record: AsyncRecord): number {
    if (!this.journal.owns(record.interceptionId)) return this.database.record(record);
    this.stats.journaledRecords++;
    this.synced = this.journal.append(record).catch((error: unknown) => {
      this.log.error({ err: error, interception: record.interceptionId }, 'outage journal: append failed');
    });
    // The cost is added to the budget periods at replay; the hold is given back now.
    if (record.kind === 'end') record.budget?.settle(null);
    return JOURNAL_TICKET;
  }

  durable(seq: number): Promise<void> {
    return seq === JOURNAL_TICKET ? this.synced : this.database.durable(seq);
  }

  /** Flushes the journal and closes it; resolves with what the database recorder could not write. */
  async close(): Promise<AsyncRecord[]> {
    const left = await this.database.close();
    await this.journal.close();
    return left;
  }
}
