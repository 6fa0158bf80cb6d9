import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';

/** How often a replica says it is alive, and how long a silent one still counts. */
const BEAT_MS = 10_000;
const ALIVE_FOR_S = 30;
/** Rows of replicas silent this long are deleted (a crashed replica never deletes its own). */
const FORGET_AFTER_S = 3600;

/**
 * Counts the replicas sharing one database, from a heartbeat row each keeps fresh in
 * `aibridge_replicas` (every 10 s, off the request path). The count is what a replica divides a
 * limit by when the limits' store is unreachable; the last count is kept through an outage.
 * `AIBRIDGE_REPLICAS` overrides it; on the embedded database there is only ever one.
 */
export class ReplicaCount {
  private readonly id = randomUUID();
  private counted = 1;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    /** `AIBRIDGE_REPLICAS`; 0 = count by heartbeat. */
    private readonly configured: number,
  ) {}

  /** The replicas believed to share the limits (at least 1). */
  get current(): number {
    if (this.configured > 0) return this.configured;
    return this.db.kind === 'pglite' ? 1 : this.counted;
  }

  async start(): Promise<void> {
    if (this.configured > 0 || this.db.kind === 'pglite') return;
    await this.beat();
    this.timer = setInterval(() => void this.beat(), BEAT_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.configured > 0 || this.db.kind === 'pglite') return;
    await this.db.kysely
      .deleteFrom('aibridge_replicas')
      .where('id', '=', this.id)
      .execute()
      .catch(() => {});
  }

  private async beat(): Promise<void> {
    try {
      const { kysely } = this.db;
      await kysely
        .insertInto('aibridge_replicas')
        .values({ id: this.id })
        .onConflict((oc) => oc.column('id').doUpdateSet({ seen_at: sql`now()` }))
        .execute();
      await kysely
        .deleteFrom('aibridge_replicas')
        .where('seen_at', '<', sql<Date>`now() - make_interval(secs => ${FORGET_AFTER_S})`)
        .execute();
      const row = await kysely
        .selectFrom('aibridge_replicas')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('seen_at', '>', sql<Date>`now() - make_interval(secs => ${ALIVE_FOR_S})`)
        .executeTakeFirstOrThrow();
      this.counted = Math.max(1, Number(row.n));
    } catch (error) {
      this.log.debug({ err: error }, 'replica heartbeat failed; keeping the last count');
    }
  }
}
