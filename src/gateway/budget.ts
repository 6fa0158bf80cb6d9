import type { Actor } from '../auth/roles.js';
import type { Admission, BudgetGate } from '../budgets/gate.js';
import type { BudgetSettlement } from '../recorder/types.js';
import { type ClientResponse, sendError } from './errors.js';
import type { Payload } from './intercept/payload.js';
import type { Route } from './provider.js';

/** Response header with the tightest applicable budget's remaining dollars. */
export const BUDGET_REMAINING_HEADER = 'x-aibridge-budget-remaining';

/** An admitted request's reservation: what to tell the recorder, and the header to send. */
export interface BudgetHold {
  settlement: BudgetSettlement;
  remaining(): string | undefined;
}

/**
 * Asks the gate whether the request fits every budget that applies to it. Undefined when no
 * budget exists at all (the common case costs one property read); a hold to settle when it was
 * admitted; the refusal otherwise.
 */
export async function admitToBudgets(
  gate: BudgetGate | undefined,
  actor: Actor,
  route: Extract<Route, { kind: 'bridged' }>,
  payload: Payload,
  bodyBytes: number,
): Promise<BudgetHold | Extract<Admission, { ok: false }> | undefined> {
  if (!gate || gate.idle) return undefined;
  const admission = await gate.admit({
    userId: actor.userId,
    provider: route.provider.name,
    model: payload.model,
    bodyBytes,
    maxTokens: payload.maxTokens,
  });
  if (!admission.ok) return admission;
  const { charges } = admission;
  if (charges.length === 0) return undefined;
  return {
    settlement: { charges, settle: (cost) => gate.settle(charges, cost) },
    remaining: () => gate.remaining(charges),
  };
}

/**
 * Answers a refused request as its provider answers an account out of credit — Anthropic 402
 * `billing_error`, OpenAI 429 `insufficient_quota` — which the real Claude Code and Codex
 * (test/clients/budget-refusal.test.ts) take as final: one request, no retry, unlike a rate
 * limit. Claude Code prints the message; Codex prints its own "Quota exceeded" line.
 */
export function sendBudgetRefusal(
  res: ClientResponse,
  route: Extract<Route, { kind: 'bridged' }>,
  refusal: Extract<Admission, { ok: false }>,
  headers: Record<string, string>,
): void {
  const status = route.provider.type === 'anthropic' ? 402 : 429;
  sendError(res, route.provider.errorShape, status, 'out_of_credit', refusal.message, {
    ...headers,
    [BUDGET_REMAINING_HEADER]: '0',
  });
}
