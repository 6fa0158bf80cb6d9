import type { BudgetPeriod, BudgetSubjectKind } from '../db/schema/index.js';

/** A budget as the gateway holds it in memory. */
export interface Budget {
  id: string;
  subject: BudgetSubjectKind;
  /** The user's or group's id; null for the default. */
  subjectId: string | null;
  /** For messages: `user:alice`, `group:platform` or `default`. */
  label: string;
  limitMicros: number;
  period: BudgetPeriod;
  provider: string | null;
  modelPattern: string | null;
}

/** Everything admission needs to know about budgets, loaded together and swapped whole. */
export interface BudgetRules {
  budgets: readonly Budget[];
  /** user id → the ids of the groups they are in. */
  groupsOf: ReadonlyMap<string, readonly string[]>;
}

/** A model name, or a prefix ending in `*` (`claude-*`); case-insensitive. */
function modelMatches(pattern: string | null, model: string): boolean {
  if (pattern === null) return true;
  const p = pattern.toLowerCase();
  const m = model.toLowerCase();
  return p.endsWith('*') ? m.startsWith(p.slice(0, -1)) : m === p;
}

function inScope(budget: Budget, provider: string, model: string): boolean {
  return (
    (budget.provider === null || budget.provider === provider) && modelMatches(budget.modelPattern, model)
  );
}

/**
 * The budgets whose subject covers a user: their own, every group's they are in, and the
 * default ones only when the user has no budget of their own (of any scope).
 */
export function budgetsOf(rules: BudgetRules, userId: string): Budget[] {
  const groups = rules.groupsOf.get(userId) ?? [];
  const hasOwn = rules.budgets.some((b) => b.subject === 'user' && b.subjectId === userId);
  return rules.budgets.filter((b) => {
    if (b.subject === 'user') return b.subjectId === userId;
    if (b.subject === 'group') return b.subjectId !== null && groups.includes(b.subjectId);
    return !hasOwn;
  });
}

/** The budgets a request must fit: the user's budgets whose scope covers its provider and model. */
export function applicableBudgets(
  rules: BudgetRules,
  userId: string,
  provider: string,
  model: string,
): Budget[] {
  return budgetsOf(rules, userId).filter((b) => inScope(b, provider, model));
}
