import { type Kysely, sql } from 'kysely';
import { isUniqueViolation } from '../db/errors.js';
import type { GroupRow, Schema } from '../db/schema/index.js';

/** Thrown when another group already has the name (names are unique case-insensitively). */
export class GroupNameTakenError extends Error {}

/** A member as a group lists it: live users only (a deleted user's membership is hidden). */
interface GroupMember {
  id: string;
  username: string;
  name: string;
}

/** A group with its live members, ordered by username. */
export interface GroupWithMembers extends GroupRow {
  members: GroupMember[];
}

/** A group's shared pools per minute; null clears one, undefined leaves it as it is. */
export interface GroupLimits {
  requests_per_minute?: number | null | undefined;
  tokens_per_minute?: number | null | undefined;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Groups and their memberships. Kept plain — a name and a set of users — so budgets can pool
 * a team's spend and a later identity-provider sync can write the same rows.
 */
export class GroupStore {
  constructor(private readonly db: Kysely<Schema>) {}

  async create(name: string): Promise<GroupRow> {
    try {
      return await this.db.insertInto('groups').values({ name }).returningAll().executeTakeFirstOrThrow();
    } catch (error) {
      if (isUniqueViolation(error)) throw new GroupNameTakenError(name);
      throw error;
    }
  }

  /** A group by uuid or (case-insensitive) name. */
  async find(ref: string): Promise<GroupRow | undefined> {
    const query = this.db.selectFrom('groups').selectAll();
    return (
      UUID_PATTERN.test(ref)
        ? query.where('id', '=', ref)
        : query.where(sql<string>`lower(name)`, '=', ref.toLowerCase())
    ).executeTakeFirst();
  }

  async rename(id: string, name: string): Promise<GroupRow | undefined> {
    try {
      return await this.db
        .updateTable('groups')
        .set({ name, updated_at: new Date() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    } catch (error) {
      if (isUniqueViolation(error)) throw new GroupNameTakenError(name);
      throw error;
    }
  }

  /** Sets or clears (null) the group's shared limits; a field left out is kept. */
  async setLimits(id: string, limits: GroupLimits): Promise<GroupRow | undefined> {
    return this.db
      .updateTable('groups')
      .set({ ...limits, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('groups').where('id', '=', id).execute();
  }

  /** Adds a member; adding one twice is not an error. */
  async addMember(groupId: string, userId: string): Promise<void> {
    await this.db
      .insertInto('group_members')
      .values({ group_id: groupId, user_id: userId })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async removeMember(groupId: string, userId: string): Promise<void> {
    await this.db
      .deleteFrom('group_members')
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .execute();
  }

  /** Every group (or only those `memberId` belongs to), by name, each with its live members. */
  async list(memberId?: string): Promise<GroupWithMembers[]> {
    let query = this.db.selectFrom('groups').selectAll('groups').orderBy(sql`lower(groups.name)`);
    if (memberId !== undefined) {
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('group_members')
            .select('group_members.user_id')
            .whereRef('group_members.group_id', '=', 'groups.id')
            .where('group_members.user_id', '=', memberId),
        ),
      );
    }
    const groups = await query.execute();
    return this.withMembers(groups);
  }

  /** The group's live members attached to it. */
  async withMembers(groups: GroupRow[]): Promise<GroupWithMembers[]> {
    if (groups.length === 0) return [];
    const rows = await this.db
      .selectFrom('group_members')
      .innerJoin('users', 'users.id', 'group_members.user_id')
      .select(['group_members.group_id', 'users.id', 'users.username', 'users.name'])
      .where(
        'group_members.group_id',
        'in',
        groups.map((g) => g.id),
      )
      .where('users.deleted_at', 'is', null)
      .orderBy('users.username')
      .execute();
    return groups.map((g) => ({
      ...g,
      members: rows
        .filter((r) => r.group_id === g.id)
        .map((r) => ({ id: r.id, username: r.username, name: r.name })),
    }));
  }
}
