import { type Kysely, sql } from 'kysely';

/**
 * Budgets and their counters. A budget's subject is one user, one group (a shared pool) or
 * the default (every user without a budget of their own); its limit is in integer
 * micro-dollars, like the price book; its period is a calendar day, week or month in the
 * configured time zone; provider and model pattern narrow what it counts. One counter row per
 * budget and period: `spent_micros` is settled cost (added in the recorder's batch), and
 * `leased_micros` is room gateway processes hold for requests in flight, taken and given back
 * in chunks so that the request path does not touch the database per request. `notified_percent`
 * is the highest warning threshold already announced for the period, so each threshold is
 * announced once across replicas. The counters have no foreign key: a batch settling spend
 * races a budget's deletion harmlessly (the deletion removes the counters it finds).
 *
 * Frozen: installations that ran it keep what it made, so it is never edited (a change is a
 * new migration). Each statement is sent on its own, exactly as written (PGlite takes one
 * statement per query).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

const STATEMENTS: readonly string[] = [
  `CREATE TABLE aibridge_budgets (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      subject_kind text NOT NULL CHECK (subject_kind IN ('user', 'group', 'default')),
      user_id uuid NULL REFERENCES users (id) ON DELETE CASCADE,
      group_id uuid NULL REFERENCES groups (id) ON DELETE CASCADE,
      limit_micros bigint NOT NULL CHECK (limit_micros >= 0),
      period text NOT NULL CHECK (period IN ('day', 'week', 'month')),
      provider text NULL,
      model_pattern text NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((subject_kind = 'user') = (user_id IS NOT NULL)),
      CHECK ((subject_kind = 'group') = (group_id IS NOT NULL))
    )`,
  `CREATE TABLE aibridge_budget_usage (
      budget_id uuid NOT NULL,
      period_start timestamptz NOT NULL,
      spent_micros bigint NOT NULL DEFAULT 0,
      leased_micros bigint NOT NULL DEFAULT 0,
      notified_percent integer NOT NULL DEFAULT 0,
      PRIMARY KEY (budget_id, period_start)
    )`,
];
