import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../db/schema/index.js';

/**
 * Runs related reads (a count and a page, a page and its sub-resources) in one read-only
 * REPEATABLE READ transaction: they see the same snapshot while the gateway keeps writing.
 */
export function readSnapshot<T>(
  db: Kysely<Schema>,
  work: (trx: Transaction<Schema>) => Promise<T>,
): Promise<T> {
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(work);
}
