import type { Generated, Selectable } from 'kysely';

/** Whom a budget limits: one user, a group's shared pool, or every user without their own. */
export type BudgetSubjectKind = 'user' | 'group' | 'default';

/** A calendar period in the configured time zone. */
export type BudgetPeriod = 'day' | 'week' | 'month';

/** A spending limit: subject, limit in micro-dollars, period and optional provider/model scope. */
export interface BudgetsTable {
  id: Generated<string>;
  subject_kind: BudgetSubjectKind;
  user_id: string | null;
  group_id: string | null;
  /** bigint: pg returns it as a string. */
  limit_micros: string | number;
  period: BudgetPeriod;
  provider: string | null;
  /** A model name, or a prefix ending in `*`. */
  model_pattern: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** One budget's counters for one period (see the migration for what each counts). */
export interface BudgetUsageTable {
  budget_id: string;
  period_start: Date;
  spent_micros: Generated<string | number>;
  leased_micros: Generated<string | number>;
  notified_percent: Generated<number>;
}

export type BudgetRow = Selectable<BudgetsTable>;
