import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema/index.js';
import type { PriceBook } from '../pricing/book.js';
import { costOf } from '../pricing/cost.js';
import { billableUsage } from '../pricing/usage.js';

/** What one recalculation call changed, for the owner who asked. */
export interface Recalculation {
  interceptions: number;
  changed: number;
  costBeforeMicros: number;
  costAfterMicros: number;
  /** Where to go on from when the time budget ran out (undefined when done). */
  resumeSince: Date | undefined;
}

const PAGE = 500;

/**
 * Re-prices ended interceptions that started at or after `since` with the book in force now
 * (an override added for a past time), page by page in start order, each page in its own
 * transaction, until done or `deadline`. Rows whose cost does not change are not written, so
 * only the sessions and hours that change are recomputed by the triggers.
 */
export async function recalculateCosts(
  db: Kysely<Schema>,
  book: PriceBook,
  since: Date,
  deadline: number,
): Promise<Recalculation> {
  const result: Recalculation = {
    interceptions: 0,
    changed: 0,
    costBeforeMicros: 0,
    costAfterMicros: 0,
    resumeSince: undefined,
  };
  let cursor: { startedAt: Date; id: string } | undefined;
  for (;;) {
    if (Date.now() > deadline) {
      result.resumeSince = cursor?.startedAt;
      return result;
    }
    let query = db
      .selectFrom('aibridge_interceptions as i')
      .select(['i.id', 'i.provider', 'i.model', 'i.started_at', 'i.cost_micros'])
      .where('i.ended_at', 'is not', null)
      .where('i.started_at', '>=', since);
    if (cursor) {
      const { startedAt, id } = cursor;
      query = query.where(sql<boolean>`(i.started_at, i.id) > (${startedAt}::timestamptz, ${id}::uuid)`);
    }
    const page = await query.orderBy('i.started_at').orderBy('i.id').limit(PAGE).execute();
    const last = page.at(-1);
    if (!last) return result;
    cursor = { startedAt: last.started_at, id: last.id };
    const rows = await db
      .selectFrom('aibridge_token_usages')
      .select([
        'id',
        'interception_id',
        'input_tokens',
        'output_tokens',
        'cache_read_input_tokens',
        'cache_write_input_tokens',
        'metadata',
        'cost_micros',
      ])
      .where(
        'interception_id',
        'in',
        page.map((i) => i.id),
      )
      .execute();
    const byInterception = new Map<string, typeof rows>();
    for (const row of rows)
      byInterception.set(row.interception_id, [...(byInterception.get(row.interception_id) ?? []), row]);
    const tokenUpdates: object[] = [];
    const interceptionUpdates: object[] = [];
    for (const i of page) {
      const price = book.priceOf(i.provider, i.model, i.started_at);
      let sum: number | null = 0;
      for (const row of byInterception.get(i.id) ?? []) {
        const cost = price
          ? costOf(
              billableUsage({
                input: Number(row.input_tokens),
                output: Number(row.output_tokens),
                cacheRead: Number(row.cache_read_input_tokens),
                cacheWrite: Number(row.cache_write_input_tokens),
                metadata: (row.metadata ?? {}) as Record<string, number>,
              }),
              price,
            )
          : null;
        sum = sum === null || cost === null ? null : sum + cost.micros;
        const before = row.cost_micros === null ? null : Number(row.cost_micros);
        if ((cost?.micros ?? null) !== before) {
          tokenUpdates.push({ id: row.id, cost_micros: cost?.micros ?? null, price: cost?.snapshot ?? null });
        }
      }
      const before = i.cost_micros === null ? null : Number(i.cost_micros);
      result.interceptions++;
      result.costBeforeMicros += before ?? 0;
      result.costAfterMicros += sum ?? 0;
      if (sum !== before) {
        result.changed++;
        interceptionUpdates.push({ id: i.id, cost_micros: sum });
      }
    }
    if (tokenUpdates.length === 0 && interceptionUpdates.length === 0) continue;
    await db.transaction().execute(async (tx) => {
      if (tokenUpdates.length > 0) {
        await sql`UPDATE aibridge_token_usages AS t SET cost_micros = r.cost_micros, price = r.price
          FROM json_to_recordset(${JSON.stringify(tokenUpdates)}::json) AS r(id uuid, cost_micros bigint, price jsonb)
          WHERE t.id = r.id`.execute(tx);
      }
      if (interceptionUpdates.length > 0) {
        await sql`UPDATE aibridge_interceptions AS i SET cost_micros = r.cost_micros
          FROM json_to_recordset(${JSON.stringify(interceptionUpdates)}::json) AS r(id uuid, cost_micros bigint)
          WHERE i.id = r.id`.execute(tx);
      }
    });
  }
}
