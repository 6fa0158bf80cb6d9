import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema/index.js';
import type { InterceptionFilter } from '../search/filters.js';
import type { Scope } from './scope.js';

/** A filter's provider/model/client values, as (facet, value) pairs of the counters. */
export function listConditions(filter: InterceptionFilter): Array<[string, string]> {
  const values: Array<[string, string | undefined]> = [
    ['provider', filter.provider],
    ['model', filter.model],
    ['client', filter.client],
  ];
  return values.filter((v): v is [string, string] => v[1] !== undefined);
}

/**
 * Exact counts read from `aibridge_activity_counts` (kept by triggers) instead of counting
 * rows, for the filters a counter answers: at most one provider/model/client value, an
 * initiator, the caller's scope — no time range and no session id. Returns undefined for the
 * others, which the caller counts itself.
 */
export async function countFromCounters(
  db: Kysely<Schema>,
  column: 'sessions' | 'interceptions',
  filter: InterceptionFilter,
  scope: Scope,
): Promise<number | undefined> {
  if (
    filter.sessionId !== undefined ||
    filter.startedAfter !== undefined ||
    filter.startedBefore !== undefined
  ) {
    return undefined;
  }
  const values = listConditions(filter);
  if (values.length > 1) return undefined;
  const [facet, value] = values[0] ?? ['', ''];
  const initiators = [filter.initiatorId, scope.initiatorId].filter((id) => id !== undefined);
  const { rows } = await sql<{ count: number }>`
    SELECT COALESCE(sum(${sql.ref(`c.${column}`)}), 0)::int8 AS count FROM aibridge_activity_counts c
    WHERE c.facet = ${facet} AND c.value = ${value}
      ${sql.join(
        initiators.map((id) => sql`AND c.initiator_id = ${id}`),
        sql` `,
      )}`.execute(db);
  return Number(rows[0]?.count ?? 0);
}
