import { type RawBuilder, sql } from 'kysely';

/**
 * A timestamp as fixed-width UTC text with microseconds (`2026-03-18T10:11:12.123456Z`).
 * JavaScript dates stop at milliseconds; PostgreSQL keeps microseconds, and the API shows
 * them like the reference does. Fixed width also makes these strings sort chronologically.
 */
export type DbTime = string;

/** Selects the column `ref` as a DbTime (NULL stays NULL). */
export function dbTime(ref: string): RawBuilder<DbTime> {
  return sql<DbTime>`to_char(${sql.ref(ref)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
