import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.js';
import { Database, type DatabaseOptions } from './database.js';
import { isDatabaseUnavailable } from './errors.js';

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;

/**
 * Opens the database, waiting for it while it is unreachable: a server started alongside
 * PostgreSQL (or during its restart) comes up when it does, instead of exiting. Retries back
 * off from 0.5 s to 10 s, one warning per attempt; after `waitMs` the last error is thrown.
 * Errors that are not about reachability (bad password, missing database) fail at once.
 */
export async function openWhenReachable(
  options: DatabaseOptions,
  log: Logger,
  waitMs: number,
): Promise<Database> {
  const deadline = Date.now() + waitMs;
  let delay = FIRST_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      const db = await Database.open(options);
      if (attempt > 1) log.info({ attempt }, 'database reachable; starting');
      return db;
    } catch (error) {
      const left = deadline - Date.now();
      if (!isDatabaseUnavailable(error) || left <= 0) throw error;
      const wait = Math.min(delay, left);
      log.warn(
        { err: { message: String((error as Error).message ?? error) }, attempt, retryInMs: wait },
        'database unreachable at start-up; waiting for it',
      );
      await sleep(wait);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}
