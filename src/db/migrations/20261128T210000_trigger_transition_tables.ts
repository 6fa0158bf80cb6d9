import { type Kysely, sql } from 'kysely';
import { INTERCEPTION_TRIGGERS } from './session-summary-sql.js';
import { ROLL_UP_FROM_TRANSITION, SUMMARIZE_FROM_TRANSITION, TRIGGER_FUNCTIONS } from './transition-sql.js';
import { USAGE_INTERCEPTION_TRIGGERS } from './usage-rollup-sql.js';

/**
 * Cheaper summary and rollup maintenance on the recorder's hot path (see transition-sql.ts):
 * the interceptions an UPDATE ends are folded in from its transition table, and the trigger
 * functions plan per call so a plan made while the tables were tiny is never kept as they grow.
 * Same results as before; the equivalence tests of both read models cover it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(SUMMARIZE_FROM_TRANSITION).execute(db);
  await sql.raw(ROLL_UP_FROM_TRANSITION).execute(db);
  for (const fn of TRIGGER_FUNCTIONS) {
    await sql.raw(`ALTER FUNCTION ${fn} SET plan_cache_mode = force_custom_plan`).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const fn of TRIGGER_FUNCTIONS) {
    await sql.raw(`ALTER FUNCTION ${fn} RESET plan_cache_mode`).execute(db);
  }
  const previous = [INTERCEPTION_TRIGGERS[0], USAGE_INTERCEPTION_TRIGGERS[0]];
  for (const statement of previous) {
    await sql.raw(String(statement).replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION')).execute(db);
  }
}
