import { sql } from 'kysely';
import { Counter, type Registry } from 'prom-client';
import type { Database } from '../db/database.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { METRIC_PREFIX } from '../metrics.js';

/** Options of the reaper; the interval defaults to a quarter of the bound, at most 5 minutes. */
export interface ReaperOptions {
  db: Database;
  log: Logger;
  metrics: Registry;
  /** An interception still open this long after it started is taken as abandoned. */
  openForMs: number;
  intervalMs?: number;
}

/** The metadata key (and value) that marks an interception closed by the reaper. */
export const ENDED_REASON_KEY = 'aibridge_ended_reason';
/** Any replica reaping takes this transaction-level advisory lock first ("aibr" "reap"). */
const REAP_LOCK_KEY = 0x6169_6272_7265_6170n;
const BATCH_SIZE = 1000;
const FIVE_MINUTES = 5 * 60_000;

/**
 * Closes interceptions a dead process left open (SIGKILL, crash, power loss): rows with no
 * `ended_at` that started longer ago than the bound get `ended_at` = their last recorded token
 * usage (else their start) and `metadata.aibridge_ended_reason = "interrupted"`, keeping what
 * was recorded, so calls that reached the provider appear in every view. Runs at start and
 * periodically; with several replicas only the one holding the advisory lock reaps.
 */
export class InterruptedReaper {
  private readonly reaped: Counter;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly options: ReaperOptions) {
    const name = `${METRIC_PREFIX}interceptions_interrupted_total`;
    this.reaped =
      (options.metrics.getSingleMetric(name) as Counter | undefined) ??
      new Counter({
        name,
        help: 'Interceptions left open by a dead process and closed as interrupted.',
        registers: [options.metrics],
      });
  }

  start(): void {
    if (this.options.openForMs <= 0) return;
    const tick = () => {
      this.running ??= this.runOnce().finally(() => {
        this.running = undefined;
      });
    };
    tick();
    const interval = this.options.intervalMs ?? Math.min(FIVE_MINUTES, this.options.openForMs / 4);
    this.timer = setInterval(tick, Math.max(1000, interval));
    this.timer.unref();
  }

  /** One pass: closes abandoned interceptions in batches; returns how many (undefined: skipped). */
  async runOnce(now = new Date()): Promise<number | undefined> {
    const cutoff = new Date(now.getTime() - this.options.openForMs);
    let total = 0;
    try {
      for (;;) {
        const closed = await this.reapBatch(cutoff);
        if (closed === undefined) return undefined;
        total += closed;
        if (closed < BATCH_SIZE) break;
      }
    } catch (error) {
      if (!this.options.db.health.failed(error)) {
        this.options.log.warn(
          { err: errorMessage(error), closed: total },
          'interrupted-interception reaper failed',
        );
      }
      return total;
    }
    if (total > 0) {
      this.reaped.inc(total);
      this.options.log.info(
        { closed: total, cutoff: cutoff.toISOString() },
        'closed interceptions left open by a stopped process as interrupted',
      );
    }
    return total;
  }

  private reapBatch(cutoff: Date): Promise<number | undefined> {
    return this.options.db.kysely.transaction().execute(async (trx) => {
      const { rows: locked } = await sql<{ locked: boolean }>`
        SELECT pg_try_advisory_xact_lock(${REAP_LOCK_KEY.toString()}::bigint) AS locked`.execute(trx);
      if (!locked[0]?.locked) return undefined;
      const { rows } = await sql<{ id: string }>`
        WITH stale AS (
          SELECT id FROM aibridge_interceptions
          WHERE ended_at IS NULL AND started_at < ${cutoff}
          ORDER BY started_at LIMIT ${BATCH_SIZE}
          FOR UPDATE SKIP LOCKED
        )
        UPDATE aibridge_interceptions AS i
        SET ended_at = GREATEST(i.started_at, COALESCE(
              (SELECT max(t.created_at) FROM aibridge_token_usages t WHERE t.interception_id = i.id),
              i.started_at)),
            metadata = i.metadata || jsonb_build_object(${ENDED_REASON_KEY}::text, 'interrupted')
        FROM stale WHERE i.id = stale.id
        RETURNING i.id`.execute(trx);
      return rows.length;
    });
  }

  /** Stops scheduling and waits for a pass in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
