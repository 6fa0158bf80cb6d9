import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema/index.js';

/** What one purge batch deleted. */
export interface PurgeBatch {
  interceptions: number;
  /** Interceptions plus their token usages, prompts, tool usages and thoughts. */
  rows: number;
}

/** What a dry run counts: the rows a purge with the same cutoff would delete. */
export type PurgeCount = PurgeBatch;

/** Any replica purging takes this transaction-level advisory lock first ("aibr" "purg"). */
const PURGE_LOCK_KEY = 0x6169_6272_7075_7267n;

/**
 * Deletes interceptions older than the retention, with their child rows (there are no
 * foreign keys to cascade), a bounded batch per transaction so no lock is held for long.
 */
export class RetentionStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /**
   * Deletes up to `batchSize` interceptions started before `cutoff` and everything recorded
   * under them, oldest first. Returns undefined, deleting nothing, when another replica is
   * purging at this moment — unless `wait`, which waits for that replica's batch instead.
   */
  purgeBatch(cutoff: Date, batchSize: number, wait = false): Promise<PurgeBatch | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const key = sql`${PURGE_LOCK_KEY.toString()}::bigint`;
      if (wait) {
        await sql`SELECT pg_advisory_xact_lock(${key})`.execute(trx);
      } else {
        const { rows: locked } = await sql<{ locked: boolean }>`
          SELECT pg_try_advisory_xact_lock(${key}) AS locked`.execute(trx);
        if (!locked[0]?.locked) return undefined;
      }
      const { rows } = await sql<{ interceptions: number; children: number }>`
        WITH doomed AS (
          SELECT id FROM aibridge_interceptions
          WHERE started_at < ${cutoff}
          ORDER BY started_at
          LIMIT ${batchSize}
          FOR UPDATE SKIP LOCKED
        ),
        thoughts AS (DELETE FROM aibridge_model_thoughts WHERE interception_id IN (SELECT id FROM doomed) RETURNING 1),
        tools AS (DELETE FROM aibridge_tool_usages WHERE interception_id IN (SELECT id FROM doomed) RETURNING 1),
        tokens AS (DELETE FROM aibridge_token_usages WHERE interception_id IN (SELECT id FROM doomed) RETURNING 1),
        prompts AS (DELETE FROM aibridge_user_prompts WHERE interception_id IN (SELECT id FROM doomed) RETURNING 1),
        interceptions AS (DELETE FROM aibridge_interceptions WHERE id IN (SELECT id FROM doomed) RETURNING 1)
        SELECT (SELECT count(*) FROM interceptions) AS interceptions,
          (SELECT count(*) FROM thoughts) + (SELECT count(*) FROM tools)
            + (SELECT count(*) FROM tokens) + (SELECT count(*) FROM prompts) AS children`.execute(trx);
      const interceptions = Number(rows[0]?.interceptions ?? 0);
      return { interceptions, rows: interceptions + Number(rows[0]?.children ?? 0) };
    });
  }

  /** Counts what purging everything started before `cutoff` would delete (a dry run). */
  async countBefore(cutoff: Date): Promise<PurgeCount> {
    const { rows } = await sql<{ interceptions: number; children: number }>`
      WITH doomed AS (SELECT id FROM aibridge_interceptions WHERE started_at < ${cutoff})
      SELECT (SELECT count(*) FROM doomed) AS interceptions,
        (SELECT count(*) FROM aibridge_model_thoughts WHERE interception_id IN (SELECT id FROM doomed))
        + (SELECT count(*) FROM aibridge_tool_usages WHERE interception_id IN (SELECT id FROM doomed))
        + (SELECT count(*) FROM aibridge_token_usages WHERE interception_id IN (SELECT id FROM doomed))
        + (SELECT count(*) FROM aibridge_user_prompts WHERE interception_id IN (SELECT id FROM doomed)) AS children`.execute(
      this.db,
    );
    const interceptions = Number(rows[0]?.interceptions ?? 0);
    return { interceptions, rows: interceptions + Number(rows[0]?.children ?? 0) };
  }
}
