import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { InterceptionFilter } from '../search/filters.js';
import { type Scope, visibleTo } from './scope.js';

type Condition = RawBuilder<SqlBool>;

/** Conditions joined with AND; no conditions is TRUE. */
export function allOf(conditions: Condition[]): Condition {
  return conditions.length === 0 ? sql<SqlBool>`TRUE` : sql<SqlBool>`(${sql.join(conditions, sql` AND `)})`;
}

const column = (alias: string, name: string) => sql.ref(`${alias}.${name}`);

/**
 * Conditions every interception of one session shares (its initiator and key) plus the
 * caller's scope: they select whole sessions, so they can be checked on any one row.
 */
export function sessionConditions(alias: string, filter: InterceptionFilter, scope: Scope): Condition[] {
  const conditions: Condition[] = [
    sql<SqlBool>`${column(alias, 'ended_at')} IS NOT NULL`,
    visibleTo(scope, alias),
  ];
  if (filter.initiatorId !== undefined) {
    conditions.push(sql<SqlBool>`${column(alias, 'initiator_id')} = ${filter.initiatorId}`);
  }
  if (filter.sessionId !== undefined) {
    conditions.push(sql<SqlBool>`${column(alias, 'session_id')} = ${filter.sessionId}`);
  }
  return conditions;
}

/**
 * Conditions on one interception's own fields: within a session some rows may pass them and
 * others not. A missing client counts as `Unknown`, written so the client index still applies.
 */
export function rowConditions(alias: string, filter: InterceptionFilter): Condition[] {
  const conditions: Condition[] = [];
  if (filter.provider !== undefined)
    conditions.push(sql<SqlBool>`${column(alias, 'provider')} = ${filter.provider}`);
  if (filter.model !== undefined) conditions.push(sql<SqlBool>`${column(alias, 'model')} = ${filter.model}`);
  if (filter.client !== undefined) {
    const client = column(alias, 'client');
    conditions.push(
      filter.client === 'Unknown'
        ? sql<SqlBool>`(${client} = ${filter.client} OR ${client} IS NULL)`
        : sql<SqlBool>`${client} = ${filter.client}`,
    );
  }
  if (filter.startedAfter !== undefined) {
    conditions.push(sql<SqlBool>`${column(alias, 'started_at')} >= ${filter.startedAfter.sql}::timestamptz`);
  }
  if (filter.startedBefore !== undefined) {
    conditions.push(sql<SqlBool>`${column(alias, 'started_at')} <= ${filter.startedBefore.sql}::timestamptz`);
  }
  return conditions;
}

/** Everything an interception must satisfy to be listed: ended, visible, matching the filter. */
export function interceptionMatches(alias: string, filter: InterceptionFilter, scope: Scope): Condition {
  return allOf([...sessionConditions(alias, filter, scope), ...rowConditions(alias, filter)]);
}
