import { type Kysely, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { AuditLogRow, Schema } from '../db/schema/index.js';
import { Keyset } from '../store/pagination.js';
import { type DbTime, dbTime } from '../store/timestamps.js';
import type { AuditFilter } from './search.js';

/** An entry with its time to the microsecond, as the API shows it. */
export type AuditEntryRow = AuditLogRow & { time: DbTime };

const NEWEST_FIRST = new Keyset(['created_at', 'id'], 'desc');

type AuditQuery = SelectQueryBuilder<Schema, 'aibridge_audit_log', object>;

/** Reads the audit log, newest first, a keyset page at a time (new entries never shift a page). */
export class AuditStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Whether an entry exists, so a stale cursor is refused rather than read as the start. */
  async exists(id: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('aibridge_audit_log')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Entries matching the filter, after the cursor entry when one is given. */
  async list(filter: AuditFilter, page: { limit: number; offset: number; afterId?: string | undefined }) {
    let query = this.filtered(filter).selectAll().select(dbTime('created_at').as('time'));
    if (page.afterId !== undefined) {
      const cursor = this.db
        .selectFrom('aibridge_audit_log')
        .select(['created_at', 'id'])
        .where('id', '=', page.afterId);
      query = query.where(NEWEST_FIRST.after(cursor));
    }
    return (await query
      .orderBy(NEWEST_FIRST.orderBy())
      .limit(page.limit)
      .offset(page.offset)
      .execute()) as AuditEntryRow[];
  }

  /** How many entries match the filter, as the other lists answer `count`. */
  async count(filter: AuditFilter): Promise<number> {
    const row = await this.filtered(filter)
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  private filtered(filter: AuditFilter): AuditQuery {
    let query: AuditQuery = this.db.selectFrom('aibridge_audit_log');
    if (filter.actorId !== undefined) query = query.where('actor_user_id', '=', filter.actorId);
    if (filter.actorName !== undefined) {
      query = query.where(sql<string>`lower(actor_username)`, '=', filter.actorName.toLowerCase());
    }
    if (filter.action?.prefix) query = query.where('action', 'like', `${escapeLike(filter.action.value)}%`);
    else if (filter.action) query = query.where('action', '=', filter.action.value);
    if (filter.targetType !== undefined) query = query.where('target_type', '=', filter.targetType);
    if (filter.targetId !== undefined) query = query.where('target_id', '=', filter.targetId);
    if (filter.since) query = query.where(sql<SqlBool>`created_at >= ${filter.since.sql}::timestamptz`);
    if (filter.until) query = query.where(sql<SqlBool>`created_at <= ${filter.until.sql}::timestamptz`);
    return query;
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}
