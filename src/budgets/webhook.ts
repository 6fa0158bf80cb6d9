import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.js';

/** A budget event as the webhook's JSON body carries it. */
export interface BudgetEvent {
  /** `budget.threshold`: the budget's spend reached `percent` of its limit in this period. */
  type: 'budget.threshold';
  /** Stable for one budget, period and threshold: the receiver's idempotency key. */
  id: string;
  budget: { id: string; subject: string; limit_usd: string; period: string };
  percent: number;
  spent_usd: string;
  period_start: string;
  resets_at: string;
}

/** Where events go and how they are signed; delays are injectable for tests. */
export interface WebhookOptions {
  url: string;
  /** HMAC-SHA256 key; without one the signature header is left out. */
  secret: string | undefined;
  log: Logger;
  attempts?: number;
  firstDelayMs?: number;
}

/** The signature header: `sha256=<hex HMAC-SHA256 of the raw body with the secret>`. */
export const SIGNATURE_HEADER = 'x-aibridge-signature';

/**
 * Sends budget events to `AIBRIDGE_WEBHOOK_URL` off the request path: each POST is signed and
 * carries an `Idempotency-Key`; a failure (network, or a non-2xx answer) is retried with
 * exponential backoff (1 s, 2 s, 4 s, … by default, 6 attempts), then logged and dropped.
 */
export class Webhook {
  constructor(private readonly options: WebhookOptions) {}

  /** Sends in the background; never throws, never blocks the caller. */
  send(event: BudgetEvent): void {
    void this.deliver(event);
  }

  /** Sends and retries; resolves to whether the receiver accepted it. */
  async deliver(event: BudgetEvent): Promise<boolean> {
    const body = JSON.stringify(event);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'idempotency-key': event.id,
    };
    if (this.options.secret) {
      headers[SIGNATURE_HEADER] =
        `sha256=${createHmac('sha256', this.options.secret).update(body).digest('hex')}`;
    }
    const attempts = this.options.attempts ?? 6;
    let delay = this.options.firstDelayMs ?? 1000;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(this.options.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        if (res.ok) return true;
        if (attempt >= attempts) throw new Error(`the receiver answered ${res.status}`);
      } catch (error) {
        if (attempt >= attempts) {
          this.options.log.error({ err: error, event: event.id }, 'budgets: webhook delivery failed');
          return false;
        }
      }
      await sleep(delay);
      delay *= 2;
    }
  }
}
