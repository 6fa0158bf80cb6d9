import { type Kysely, sql } from 'kysely';
import { INTERCEPTION_TRIGGERS } from './session-summary-sql.js';
import { FUNCTION_SETTINGS, ROLL_UP_FROM_TRANSITION, SUMMARIZE_FROM_TRANSITION } from './transition-sql.js';
import { USAGE_INTERCEPTION_TRIGGERS } from './usage-rollup-sql.js';

/**
 * Cheaper summary and rollup maintenance on the recorder's hot path (see transition-sql.ts):
 * the interceptions an UPDATE ends are folded in from its transition table, and the trigger
 * functions plan so that a plan made while the tables were tiny never outlives its fit.
 * Same results as before; the equivalence tests of both read models cover it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(SUMMARIZE_FROM_TRANSITION).execute(db);
  await sql.raw(ROLL_UP_FROM_TRANSITION).execute(db);
  for (const [functions, settings] of FUNCTION_SETTINGS) {
    for (const fn of functions) {
      await sql
        .raw(`ALTER FUNCTION ${fn} ${settings.map((setting) => `SET ${setting}`).join(' ')}`)
        .execute(db);
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [functions] of FUNCTION_SETTINGS) {
    for (const fn of functions) await sql.raw(`ALTER FUNCTION ${fn} RESET ALL`).execute(db);
  }
  const previous = [INTERCEPTION_TRIGGERS[0], USAGE_INTERCEPTION_TRIGGERS[0]];
  for (const statement of previous) {
    await sql.raw(String(statement).replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION')).execute(db);
  }
}
