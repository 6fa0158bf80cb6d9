import {
  type Env,
  invalid,
  optional,
  parseChoice,
  parseHttpUrl,
  type Raw,
  type Read,
  required,
} from './parse.js';

/** How budgets count their periods and where their events go. */
export interface BudgetsConfig {
  /** Budgets: the IANA zone their calendar periods are counted in, and what an unpriced model may do. */
  budgets: { timeZone: string; unpriced: 'allow' | 'deny' };
  /** Where budget events are POSTed, and the HMAC key that signs them. */
  webhook: { url: string | undefined; secret: string | undefined };
}

/** The budget settings that have a flag (the webhook secret is env-only). */
export const BUDGETS_SETTINGS = {
  budgetTimeZone: { env: ['AIBRIDGE_BUDGET_TIME_ZONE'], fallback: 'UTC' },
  budgetUnpriced: { env: ['AIBRIDGE_BUDGET_UNPRICED'], fallback: 'allow' },
  webhookUrl: { env: ['AIBRIDGE_WEBHOOK_URL'], fallback: undefined },
};

/** Reads the budget settings; throws ConfigError naming a bad one. */
export function loadBudgetsConfig(read: Read<typeof BUDGETS_SETTINGS>, env: Env): BudgetsConfig {
  return {
    budgets: {
      timeZone: parseTimeZone(read('budgetTimeZone')),
      unpriced: parseChoice(read('budgetUnpriced'), ['allow', 'deny'] as const),
    },
    webhook: {
      url: optional(read('webhookUrl'), parseHttpUrl),
      secret: env.AIBRIDGE_WEBHOOK_SECRET || undefined,
    },
  };
}

function parseTimeZone(raw: Raw): string {
  const value = required(raw);
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
  } catch {
    throw invalid(raw, 'expected an IANA time zone, e.g. UTC or Europe/Paris');
  }
  return value;
}
