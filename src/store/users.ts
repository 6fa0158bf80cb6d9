import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { isUniqueViolation } from '../db/errors.js';
import type { Role, Schema, UserRow } from '../db/schema/index.js';

/** Thrown when a live user already has the username. */
export class UsernameTakenError extends Error {}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a hyphenated UUID, the form user and interception ids take. */
function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** Filters and page for listing users. */
export interface UserListQuery {
  search?: string | undefined;
  role?: Role | undefined;
  limit: number;
  offset: number;
}

/** Users: created by owners or the CLI, soft-deleted so their records keep an initiator. */
export class UserStore {
  constructor(private readonly db: Kysely<Schema>) {}

  async create(user: { username: string; name?: string; avatarUrl?: string; role: Role }): Promise<UserRow> {
    try {
      return await this.db
        .insertInto('users')
        .values({
          username: user.username,
          name: user.name ?? '',
          avatar_url: user.avatarUrl ?? '',
          role: user.role,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (isUniqueViolation(error)) throw new UsernameTakenError(user.username);
      throw error;
    }
  }

  /** A live user by uuid or (case-insensitive) username. */
  async findLive(ref: string): Promise<UserRow | undefined> {
    let query = this.db.selectFrom('users').selectAll().where('deleted_at', 'is', null);
    query = isUuid(ref)
      ? query.where('id', '=', ref)
      : query.where(sql<string>`lower(username)`, '=', ref.toLowerCase());
    return query.executeTakeFirst();
  }

  async list(q: UserListQuery): Promise<{ users: UserRow[]; count: number }> {
    let base = this.db.selectFrom('users').where('deleted_at', 'is', null);
    if (q.role) base = base.where('role', '=', q.role);
    if (q.search) {
      const pattern = `%${q.search.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;
      base = base.where((eb) =>
        eb.or([
          eb(sql<string>`lower(username)`, 'like', pattern),
          eb(sql<string>`lower(name)`, 'like', pattern),
        ]),
      );
    }
    const [users, total] = await Promise.all([
      base.selectAll().orderBy('username').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
    ]);
    return { users, count: Number(total.count) };
  }

  async softDelete(id: string): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ deleted_at: new Date(), updated_at: new Date() })
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async setRole(id: string, role: Role): Promise<UserRow | undefined> {
    return this.db
      .updateTable('users')
      .set({ role, updated_at: new Date() })
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
  }

  async countLiveOwners(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('role', '=', 'owner')
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
}
