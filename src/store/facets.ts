import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Schema } from '../db/schema/index.js';
import type { PrefixFilter } from '../search/filters.js';
import type { Page } from './pagination.js';
import type { Scope } from './scope.js';

/**
 * Distinct models and clients of ended interceptions, for the filter pickers. There are few
 * distinct values among many rows, so for callers who see everyone the values are read by
 * skipping through the index one value at a time (a "loose index scan") instead of grouping
 * every row; a member's own rows are few enough to group directly. (The ORDER BY of the
 * missing-client probe only steers it onto the client index.)
 */
export class FacetStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Models, ascending, optionally starting with a prefix (case-sensitive). */
  async models(filter: PrefixFilter, scope: Scope, page: Page): Promise<string[]> {
    const values =
      scope.initiatorId === undefined
        ? sql`WITH RECURSIVE walk(value) AS (
            (SELECT model FROM aibridge_interceptions WHERE ended_at IS NOT NULL ORDER BY model LIMIT 1)
            UNION ALL
            SELECT (SELECT i.model FROM aibridge_interceptions i
                    WHERE i.ended_at IS NOT NULL AND i.model > walk.value ORDER BY i.model LIMIT 1)
            FROM walk WHERE walk.value IS NOT NULL
          ) SELECT value FROM walk WHERE value IS NOT NULL`
        : sql`SELECT DISTINCT model AS value FROM aibridge_interceptions
            WHERE ended_at IS NOT NULL AND initiator_id = ${scope.initiatorId}`;
    return this.pick(values, filter, page);
  }

  /** Clients, ascending, a missing client listed as `Unknown`. */
  async clients(filter: PrefixFilter, scope: Scope, page: Page): Promise<string[]> {
    const values =
      scope.initiatorId === undefined
        ? sql`WITH RECURSIVE walk(value) AS (
            (SELECT client FROM aibridge_interceptions
             WHERE ended_at IS NOT NULL AND client IS NOT NULL ORDER BY client LIMIT 1)
            UNION ALL
            SELECT (SELECT i.client FROM aibridge_interceptions i
                    WHERE i.ended_at IS NOT NULL AND i.client > walk.value ORDER BY i.client LIMIT 1)
            FROM walk WHERE walk.value IS NOT NULL
          )
          SELECT value::text FROM walk WHERE value IS NOT NULL
          UNION
          SELECT 'Unknown' WHERE EXISTS (
            SELECT 1 FROM aibridge_interceptions WHERE ended_at IS NOT NULL AND client IS NULL
            ORDER BY client, started_at DESC LIMIT 1)`
        : sql`SELECT DISTINCT COALESCE(client, 'Unknown')::text AS value FROM aibridge_interceptions
            WHERE ended_at IS NOT NULL AND initiator_id = ${scope.initiatorId}`;
    return this.pick(values, filter, page);
  }

  private async pick(values: RawBuilder<unknown>, filter: PrefixFilter, page: Page): Promise<string[]> {
    const prefix = filter.prefix === undefined ? sql`TRUE` : sql`starts_with(v.value, ${filter.prefix})`;
    const { rows } = await sql<{ value: string }>`
      SELECT v.value FROM (${values}) v WHERE ${prefix}
      ORDER BY v.value LIMIT ${page.limit} OFFSET ${page.offset}`.execute(this.db);
    return rows.map((r) => r.value);
  }
}
