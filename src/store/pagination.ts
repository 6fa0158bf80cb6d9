import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';

/**
 * Keyset pagination over a list sorted by several columns in one direction: a page continues
 * strictly after (or before) the sort key of a cursor row, compared as one row value so
 * PostgreSQL can seek straight to it in a matching index. New rows arriving between two
 * requests never shift what the next page returns, unlike OFFSET.
 */
export class Keyset {
  constructor(
    private readonly columns: readonly string[],
    private readonly direction: 'asc' | 'desc',
  ) {}

  /** Rows that come after `position` (a row value or a one-row subquery of the same columns). */
  after(position: Expression<unknown>): RawBuilder<SqlBool> {
    return sql<SqlBool>`(${this.key()}) ${this.direction === 'desc' ? sql`<` : sql`>`} (${position})`;
  }

  /** Rows that come before `position`. */
  before(position: Expression<unknown>): RawBuilder<SqlBool> {
    return sql<SqlBool>`(${this.key()}) ${this.direction === 'desc' ? sql`>` : sql`<`} (${position})`;
  }

  /** ORDER BY this order; reversed, it reads the rows nearest to a `before` cursor first. */
  orderBy(reversed = false): RawBuilder<unknown> {
    const descending = (this.direction === 'desc') !== reversed;
    return sql.join(this.columns.map((c) => sql`${sql.ref(c)} ${descending ? sql`DESC` : sql`ASC`}`));
  }

  private key(): RawBuilder<unknown> {
    return sql.join(this.columns.map((c) => sql.ref(c)));
  }
}

/** A page of a list: how many rows, and how many to skip first. */
export interface Page {
  limit: number;
  offset: number;
}
