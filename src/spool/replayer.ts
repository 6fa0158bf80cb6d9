import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import type { OutageJournal } from './journal.js';
import type { RecordSpool } from './spool.js';

/** How often the replayer looks for finished spool files while the database answers. */
const TICK_MS = 5000;

/**
 * Puts spooled records back into the database: at start-up (before traffic), when the database
 * comes back, when a journal segment is sealed, and every few seconds while files are left (a
 * replay the database cut short). One replay at a time; each chunk commits with its marker, so
 * a file is applied once however many times it is tried (see RecordSpool).
 */
export class SpoolReplayer {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  /** Records left out of replays since start because their user's row was gone. */
  discarded = 0;

  constructor(
    private readonly spool: RecordSpool,
    private readonly journal: OutageJournal | undefined,
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  /** Replays what an earlier process left (a SIGTERM spool, a SIGKILLed journal). */
  async replayAtStart(): Promise<void> {
    const replayed = await this.spool.replay(this.db, this.log);
    this.discarded += replayed.discarded;
    this.journal?.freed(replayed.bytes);
    if (replayed.files > 0) log(this.log, replayed, 'replayed records spooled at the last shutdown');
  }

  /** Starts the periodic check and replays when the database comes back. */
  start(): void {
    this.db.health.onChange((change) => {
      if (change.state === 'up') this.trigger();
    });
    this.timer = setInterval(() => {
      if (!this.db.health.down) this.trigger();
    }, TICK_MS);
    this.timer.unref();
  }

  /** Replays now (or right after the replay in progress). */
  trigger(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.trigger();
      }
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async run(): Promise<void> {
    if (this.db.health.down) return;
    this.journal?.drain();
    const active = this.journal?.writing ?? new Set<string>();
    if (this.spool.pending(active).length === 0) return;
    const replayed = await this.spool.replay(this.db, this.log, active);
    this.discarded += replayed.discarded;
    this.journal?.freed(replayed.bytes);
    if (replayed.files > 0) log(this.log, replayed, 'replayed records journaled during a database outage');
  }
}

function log(logger: Logger, replayed: { files: number; records: number }, message: string): void {
  logger.info({ files: replayed.files, records: replayed.records }, message);
}
