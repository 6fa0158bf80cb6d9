import { type Kysely, sql } from 'kysely';
import type { Role, Schema, UserRow } from '../../db/schema/index.js';
import { type Identity, SignInRefused } from './claims.js';

/** What a completed sign-in did to the user, for the log (and later the audit trail). */
export interface Provisioned {
  user: UserRow;
  created: boolean;
  roleBefore: Role | undefined;
  groupsAdded: string[];
  groupsRemoved: string[];
}

/**
 * Finds or creates (just in time, as a member unless the role mapping says otherwise) the
 * user an identity-provider subject is, refreshes its name, avatar and mapped role, and syncs
 * its memberships of aibridge groups named by the groups claim. One transaction, so a sign-in
 * never leaves a half-synced user.
 */
export async function provisionUser(
  db: Kysely<Schema>,
  issuer: string,
  identity: Identity,
  groupMap: Map<string, string>,
): Promise<Provisioned> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`aibridge_oidc:${issuer}:${identity.subject}`}))`.execute(
      trx,
    );
    const linked = await trx
      .selectFrom('users')
      .selectAll()
      .where('oidc_issuer', '=', issuer)
      .where('oidc_subject', '=', identity.subject)
      .executeTakeFirst();
    if (linked?.deleted_at) {
      throw new SignInRefused('Your aibridge user has been deleted. Ask an owner to restore your access.');
    }
    const user = linked ? await refresh(trx, linked, identity) : await createUser(trx, issuer, identity);
    const { added, removed } = await syncGroups(trx, user.id, identity.groups, groupMap);
    return {
      user,
      created: !linked,
      roleBefore: linked?.role,
      groupsAdded: added,
      groupsRemoved: removed,
    };
  });
}

async function createUser(trx: Kysely<Schema>, issuer: string, identity: Identity): Promise<UserRow> {
  const taken = await trx
    .selectFrom('users')
    .select('id')
    .where('deleted_at', 'is', null)
    .where(sql<string>`lower(username)`, '=', identity.username.toLowerCase())
    .executeTakeFirst();
  if (taken) {
    throw new SignInRefused(
      `The username "${identity.username}" already belongs to an aibridge user who does not sign in with single sign-on. Ask an owner to rename or delete that user.`,
    );
  }
  return trx
    .insertInto('users')
    .values({
      username: identity.username,
      name: identity.name,
      avatar_url: identity.avatarUrl,
      role: identity.role ?? 'member',
      oidc_issuer: issuer,
      oidc_subject: identity.subject,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

async function refresh(trx: Kysely<Schema>, user: UserRow, identity: Identity): Promise<UserRow> {
  return trx
    .updateTable('users')
    .set({
      name: identity.name || user.name,
      avatar_url: identity.avatarUrl || user.avatar_url,
      role: identity.role ?? user.role,
      last_seen_at: new Date(),
      updated_at: new Date(),
    })
    .where('id', '=', user.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The groups claim names aibridge groups (by exact name, or through AIBRIDGE_OIDC_GROUP_MAP,
 * which also creates the group). Memberships the identity provider gave are marked `oidc` and
 * removed when the claim no longer names them; memberships an owner added stay.
 */
async function syncGroups(
  trx: Kysely<Schema>,
  userId: string,
  claimed: string[],
  groupMap: Map<string, string>,
): Promise<{ added: string[]; removed: string[] }> {
  const mapped = [...new Set(claimed.map((g) => groupMap.get(g) ?? g))];
  for (const name of new Set(claimed.flatMap((g) => groupMap.get(g) ?? []))) {
    await trx
      .insertInto('groups')
      .values({ name })
      .onConflict((oc) => oc.expression(sql`lower(name)`).doNothing())
      .execute();
  }
  const wanted =
    mapped.length === 0
      ? []
      : await trx
          .selectFrom('groups')
          .select(['id', 'name'])
          .where(
            sql<string>`lower(name)`,
            'in',
            mapped.map((n) => n.toLowerCase()),
          )
          .execute();
  const current = await trx
    .selectFrom('group_members')
    .innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select(['groups.id', 'groups.name', 'group_members.source'])
    .where('group_members.user_id', '=', userId)
    .execute();
  const has = new Set(current.map((m) => m.id));
  const added = wanted.filter((g) => !has.has(g.id));
  if (added.length > 0) {
    await trx
      .insertInto('group_members')
      .values(added.map((g) => ({ group_id: g.id, user_id: userId, source: 'oidc' as const })))
      .execute();
  }
  const keep = new Set(wanted.map((g) => g.id));
  const removed = current.filter((m) => m.source === 'oidc' && !keep.has(m.id));
  if (removed.length > 0) {
    await trx
      .deleteFrom('group_members')
      .where('user_id', '=', userId)
      .where(
        'group_id',
        'in',
        removed.map((g) => g.id),
      )
      .execute();
  }
  return { added: added.map((g) => g.name), removed: removed.map((g) => g.name) };
}
