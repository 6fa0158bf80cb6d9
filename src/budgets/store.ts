import { type Kysely, sql } from 'kysely';
import type { BudgetPeriod, BudgetRow, BudgetSubjectKind, Schema } from '../db/schema/index.js';
import type { Budget, BudgetRules } from './rules.js';

/** A budget to create: whom, how much, how often, and what it counts. */
export interface NewBudget {
  subject: BudgetSubjectKind;
  subjectId: string | null;
  limitMicros: number;
  period: BudgetPeriod;
  provider: string | null;
  modelPattern: string | null;
}

/** A budget row with the name of its subject, for listings. */
export interface NamedBudgetRow extends BudgetRow {
  subject_name: string | null;
}

/** One period's counters as the database holds them. */
export interface UsageCounters {
  spentMicros: number;
  leasedMicros: number;
}

/** What a lease exchange returned: the room granted, and the counters after it. */
export interface LeaseResult extends UsageCounters {
  grantedMicros: number;
}

/** Budgets and their per-period counters in PostgreSQL, which every gateway process shares. */
export class BudgetStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /**
   * Creates the budget, or sets the limit of the one with the same subject, period and scope
   * (so `budgets set` can be run again with a new amount).
   */
  async set(budget: NewBudget): Promise<BudgetRow> {
    const same = await this.db
      .selectFrom('aibridge_budgets')
      .select('id')
      .where('subject_kind', '=', budget.subject)
      .where(
        budget.subject === 'user' ? 'user_id' : 'group_id',
        budget.subjectId === null ? 'is' : '=',
        budget.subjectId,
      )
      .where('period', '=', budget.period)
      .where('provider', budget.provider === null ? 'is' : '=', budget.provider)
      .where('model_pattern', budget.modelPattern === null ? 'is' : '=', budget.modelPattern)
      .executeTakeFirst();
    if (same) {
      return this.db
        .updateTable('aibridge_budgets')
        .set({ limit_micros: budget.limitMicros, updated_at: new Date() })
        .where('id', '=', same.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    return this.db
      .insertInto('aibridge_budgets')
      .values({
        subject_kind: budget.subject,
        user_id: budget.subject === 'user' ? budget.subjectId : null,
        group_id: budget.subject === 'group' ? budget.subjectId : null,
        limit_micros: budget.limitMicros,
        period: budget.period,
        provider: budget.provider,
        model_pattern: budget.modelPattern,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Every budget with its subject's name (a deleted user's budgets are left out). */
  async list(): Promise<NamedBudgetRow[]> {
    return this.db
      .selectFrom('aibridge_budgets as b')
      .leftJoin('users as u', 'u.id', 'b.user_id')
      .leftJoin('groups as g', 'g.id', 'b.group_id')
      .selectAll('b')
      .select(sql<string | null>`coalesce(u.username, g.name)`.as('subject_name'))
      .where((eb) => eb.or([eb('b.user_id', 'is', null), eb('u.deleted_at', 'is', null)]))
      .orderBy('b.created_at')
      .orderBy('b.id')
      .execute();
  }

  /** Deletes a budget and its counters; false when there was none. */
  async delete(id: string): Promise<boolean> {
    const remove = async (trx: Kysely<Schema>) => {
      await trx.deleteFrom('aibridge_budget_usage').where('budget_id', '=', id).execute();
      const result = await trx.deleteFrom('aibridge_budgets').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    };
    // Inside the caller's transaction (the audited API) it joins that one.
    return this.db.isTransaction ? remove(this.db) : this.db.transaction().execute(remove);
  }

  /** Budgets and group memberships together, as admission keeps them in memory. */
  async loadRules(): Promise<BudgetRules> {
    const [rows, members] = await Promise.all([
      this.list(),
      this.db
        .selectFrom('group_members')
        .innerJoin('users', 'users.id', 'group_members.user_id')
        .select(['group_members.group_id', 'group_members.user_id'])
        .where('users.deleted_at', 'is', null)
        .execute(),
    ]);
    const groupsOf = new Map<string, string[]>();
    for (const m of members) groupsOf.set(m.user_id, [...(groupsOf.get(m.user_id) ?? []), m.group_id]);
    return { budgets: rows.map(budgetOf), groupsOf };
  }

  /** The counters of these budgets' periods (missing rows count as zero). */
  async counters(
    keys: ReadonlyArray<{ budgetId: string; periodStart: Date }>,
  ): Promise<Map<string, UsageCounters>> {
    const found = new Map<string, UsageCounters>();
    if (keys.length === 0) return found;
    const rows = await this.db
      .selectFrom('aibridge_budget_usage')
      .selectAll()
      .where(
        'budget_id',
        'in',
        keys.map((k) => k.budgetId),
      )
      .execute();
    for (const r of rows) {
      found.set(counterKey(r.budget_id, r.period_start), {
        spentMicros: Number(r.spent_micros),
        leasedMicros: Number(r.leased_micros),
      });
    }
    return found;
  }

  /**
   * Gives back `returnMicros` of this process's lease and asks for `wantMicros` more, granted
   * only as far as the limit leaves room: `spent + leased ≤ limit` holds for every grant, under
   * a row lock, so processes sharing the database never lease the same room twice.
   */
  async exchangeLease(
    budgetId: string,
    periodStart: Date,
    limitMicros: number,
    returnMicros: number,
    wantMicros: number,
  ): Promise<LeaseResult> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('aibridge_budget_usage')
        .values({ budget_id: budgetId, period_start: periodStart })
        .onConflict((oc) => oc.doNothing())
        .execute();
      const row = await trx
        .selectFrom('aibridge_budget_usage')
        .select(['spent_micros', 'leased_micros'])
        .where('budget_id', '=', budgetId)
        .where('period_start', '=', periodStart)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const spent = Number(row.spent_micros);
      const leased = Math.max(0, Number(row.leased_micros) - returnMicros);
      const granted = Math.max(0, Math.min(wantMicros, limitMicros - spent - leased));
      await trx
        .updateTable('aibridge_budget_usage')
        .set({ leased_micros: leased + granted })
        .where('budget_id', '=', budgetId)
        .where('period_start', '=', periodStart)
        .execute();
      return { grantedMicros: granted, spentMicros: spent, leasedMicros: leased + granted };
    });
  }

  /** Raises the period's announced threshold to `percent`; true only for the one caller that did. */
  async claimThreshold(budgetId: string, periodStart: Date, percent: number): Promise<boolean> {
    const result = await this.db
      .updateTable('aibridge_budget_usage')
      .set({ notified_percent: percent })
      .where('budget_id', '=', budgetId)
      .where('period_start', '=', periodStart)
      .where('notified_percent', '<', percent)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}

/** The key of one budget's one period, in maps. */
export function counterKey(budgetId: string, periodStart: Date): string {
  return `${budgetId}@${periodStart.getTime()}`;
}

function budgetOf(row: NamedBudgetRow): Budget {
  const subjectId = row.user_id ?? row.group_id;
  return {
    id: row.id,
    subject: row.subject_kind,
    subjectId,
    label:
      row.subject_kind === 'default' ? 'default' : `${row.subject_kind}:${row.subject_name ?? subjectId}`,
    limitMicros: Number(row.limit_micros),
    period: row.period,
    provider: row.provider,
    modelPattern: row.model_pattern,
  };
}
