import { z } from 'zod';
import { audited, whoOf } from '../audit/trail.js';
import { canManageUsers, canReadEveryone } from '../auth/roles.js';
import { periodBounds } from '../budgets/period.js';
import { type Budget, budgetsOf } from '../budgets/rules.js';
import { BudgetStore, type NamedBudgetRow, type NewBudget } from '../budgets/store.js';
import { forbidden, notFound, validationFailed } from '../errors.js';
import { GroupStore } from '../groups/store.js';
import { UserStore } from '../store/users.js';
import type { ApiDeps } from './context.js';
import { type AnyRoute, defineRoute } from './route.js';
import { BudgetListView, BudgetView, budgetView } from './views/budgets.js';

const SetBudgetBody = z
  .object({
    subject: z
      .string({ error: 'subject is required' })
      .regex(/^(user:.+|group:.+|default)$/, 'subject must be user:<username>, group:<name> or default'),
    limit_usd: z
      .union([z.string(), z.number()])
      .transform(String)
      .pipe(
        z
          .string()
          .regex(/^\d{1,9}(\.\d{1,6})?$/, 'limit_usd must be dollars, e.g. "5.00" (at most 6 decimals)'),
      ),
    period: z.enum(['day', 'week', 'month'], { error: 'period must be day, week or month' }),
    provider: z.enum(['openai', 'anthropic']).optional(),
    model: z.string().min(1).max(200).optional().describe('A model name, or a prefix ending in `*`.'),
  })
  .meta({ id: 'SetBudgetRequest' });

const BudgetParam = z.object({ id: z.uuid('id must be a budget id') });

/** "5.25" → 5_250_000, exactly (no floating point on money). */
function micros(text: string): number {
  const [whole = '0', fraction = ''] = text.split('.');
  return Number(whole) * 1_000_000 + Number(fraction.padEnd(6, '0'));
}

async function views(deps: ApiDeps, budgets: Budget[]) {
  const at = new Date();
  const { timeZone } = deps.config.budgets;
  const counters = await new BudgetStore(deps.db.kysely).counters(
    budgets.map((b) => ({ budgetId: b.id, periodStart: periodBounds(b.period, at, timeZone).start })),
  );
  return { budgets: budgets.map((b) => budgetView(b, counters, at, timeZone)) };
}

const listBudgets = defineRoute({
  method: 'GET',
  path: '/api/v2/aibridge/budgets',
  summary: 'Every budget with its current period (owners and auditors)',
  tags: ['Budgets'],
  response: BudgetListView,
  handler: async ({ actor, deps }) => {
    if (!canReadEveryone(actor)) throw forbidden('Only owners and auditors can list every budget.');
    return views(deps, (await new BudgetStore(deps.db.kysely).loadRules()).budgets.slice());
  },
});

const myBudgets = defineRoute({
  method: 'GET',
  path: '/api/v2/aibridge/budgets/me',
  summary: "The budgets that apply to the caller, with this period's spend and reset time",
  tags: ['Budgets'],
  response: BudgetListView,
  handler: async ({ actor, deps }) => {
    const rules = await new BudgetStore(deps.db.kysely).loadRules();
    return views(deps, budgetsOf(rules, actor.userId));
  },
});

const setBudget = defineRoute({
  method: 'POST',
  path: '/api/v2/aibridge/budgets',
  summary: 'Create a budget, or set the limit of the one with the same subject, period and scope (owners)',
  tags: ['Budgets'],
  body: SetBudgetBody,
  status: 201,
  response: BudgetView,
  handler: async ({ actor, deps, body, request }) => {
    if (!canManageUsers(actor)) throw forbidden('Only owners can set budgets.');
    const subject = await subjectOf(deps, body.subject);
    const row = await audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
      const budgets = new BudgetStore(trx);
      const earlier = await budgets.list();
      const set = await budgets.set({
        ...subject,
        limitMicros: micros(body.limit_usd),
        period: body.period,
        provider: body.provider ?? null,
        modelPattern: body.model ?? null,
      });
      const before = earlier.find((b) => b.id === set.id);
      const after = (await budgets.list()).find((b) => b.id === set.id);
      await audit({
        action: 'budget.set',
        target: { type: 'budget', id: set.id },
        before: before && budgetSnapshot(before),
        after: after && budgetSnapshot(after),
      });
      return set;
    });
    const store = new BudgetStore(deps.db.kysely);
    await deps.budgets.reload();
    const budget = (await store.loadRules()).budgets.find((b) => b.id === row.id);
    if (!budget) throw notFound();
    return (await views(deps, [budget])).budgets[0];
  },
});

const deleteBudget = defineRoute({
  method: 'DELETE',
  path: '/api/v2/aibridge/budgets/{id}',
  summary: 'Delete a budget and its counters (owners)',
  tags: ['Budgets'],
  params: BudgetParam,
  handler: async ({ actor, deps, params, request }) => {
    if (!canManageUsers(actor)) throw forbidden('Only owners can delete budgets.');
    await audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
      const budgets = new BudgetStore(trx);
      const before = (await budgets.list()).find((b) => b.id === params.id);
      if (!before || !(await budgets.delete(params.id))) throw notFound();
      await audit({
        action: 'budget.delete',
        target: { type: 'budget', id: before.id },
        before: budgetSnapshot(before),
      });
    });
    await deps.budgets.reload();
    return undefined;
  },
});

/** A budget as the audit log keeps it: its subject by name, its limit and scope. */
function budgetSnapshot(row: NamedBudgetRow) {
  return {
    id: row.id,
    subject: row.subject_kind === 'default' ? 'default' : `${row.subject_kind}:${row.subject_name ?? ''}`,
    limit_micros: Number(row.limit_micros),
    period: row.period,
    provider: row.provider,
    model: row.model_pattern,
  };
}

async function subjectOf(deps: ApiDeps, subject: string): Promise<Pick<NewBudget, 'subject' | 'subjectId'>> {
  if (subject === 'default') return { subject: 'default', subjectId: null };
  const [kind, ...rest] = subject.split(':');
  const name = rest.join(':');
  const found =
    kind === 'user'
      ? await new UserStore(deps.db.kysely).findLive(name)
      : await new GroupStore(deps.db.kysely).find(name);
  if (!found) throw validationFailed([{ field: 'subject', detail: `no ${kind} named "${name}"` }]);
  return { subject: kind === 'user' ? 'user' : 'group', subjectId: found.id };
}

/** The budgets endpoints: owners write, owners and auditors read all, anyone reads their own. */
export const budgetRoutes: AnyRoute[] = [myBudgets, listBudgets, setBudget, deleteBudget];
