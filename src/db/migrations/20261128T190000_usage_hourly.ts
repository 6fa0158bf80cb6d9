import { type Kysely, sql } from 'kysely';
import {
  USAGE_INTERCEPTION_TRIGGERS,
  USAGE_ROLLUP_FUNCTIONS,
  USAGE_ROLLUP_TABLE,
  USAGE_TOKEN_TRIGGERS,
} from './usage-rollup-sql.js';

/**
 * The hourly usage rollup, maintained on write, so the Usage page's aggregate reads one row
 * per hour and (initiator, provider, model, client) instead of every interception and token
 * row of the range. Statement-level triggers with transition tables keep it exact, in the
 * style of the session summaries; existing rows are backfilled here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    ...USAGE_ROLLUP_TABLE,
    ...USAGE_ROLLUP_FUNCTIONS,
    ...USAGE_INTERCEPTION_TRIGGERS,
    ...USAGE_TOKEN_TRIGGERS,
  ];
  // Function bodies hold semicolons, so each statement is sent whole (not split).
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'DROP TABLE aibridge_usage_hourly',
    'DROP FUNCTION aibridge_token_usages_roll_up() CASCADE',
    'DROP FUNCTION aibridge_interceptions_roll_up() CASCADE',
    'DROP FUNCTION aibridge_interception_rolled_up() CASCADE',
    'DROP FUNCTION aibridge_usage_hourly_refresh(timestamptz[])',
    'DROP FUNCTION aibridge_usage_hourly_add(uuid[])',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
