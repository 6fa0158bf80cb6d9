import { z } from 'zod';
import { audited, whoOf } from '../audit/trail.js';
import { type Actor, canManageUsers, canReadEveryone } from '../auth/roles.js';
import { ApiError, forbidden, notFound } from '../errors.js';
import { GroupNameTakenError, GroupStore, type GroupWithMembers } from '../groups/store.js';
import type { ApiDeps } from './context.js';
import { type AnyRoute, defineRoute } from './route.js';
import { resolveVisibleUser } from './user-ref.js';
import { GroupListView, GroupView, groupView } from './views/groups.js';

/** Group names follow the username rule, so `group:<name>` needs no quoting anywhere. */
const GroupName = z
  .string({ error: 'name is required' })
  .max(64, 'name must be at most 64 characters')
  .regex(
    /^[a-zA-Z0-9]+([-_.][a-zA-Z0-9]+)*$/,
    'name may contain letters, digits and single - _ . between them',
  );
const GroupBody = z.object({ name: GroupName }).meta({ id: 'GroupRequest' });
/** Up to 2^31 − 1: the counters are PostgreSQL integers. */
const PerMinute = z.int().min(1, 'must be at least 1 (null clears the limit)').max(2_147_483_647).nullable();
const GroupLimitsBody = z
  .object({
    requests_per_minute: PerMinute.optional().describe(
      'Gateway requests per minute all members share, across replicas; null clears it.',
    ),
    tokens_per_minute: PerMinute.optional().describe(
      'Input + output tokens per minute all members share, across replicas; null clears it.',
    ),
  })
  .strict()
  .meta({ id: 'GroupLimitsRequest' });
const GroupParam = z.object({ group: z.string().describe('A group id or name.') });
const MemberParam = GroupParam.extend({ user: z.string().describe('A user id, a username, or `me`.') });

const listGroups = defineRoute({
  method: 'GET',
  path: '/api/v2/groups',
  summary: 'Groups with their members (owners and auditors: all; members: their own)',
  tags: ['Groups'],
  response: GroupListView,
  handler: async ({ actor, deps }) => {
    const store = new GroupStore(deps.db.kysely);
    const groups = await store.list(canReadEveryone(actor) ? undefined : actor.userId);
    return { groups: groups.map(groupView), count: groups.length };
  },
});

const getGroup = defineRoute({
  method: 'GET',
  path: '/api/v2/groups/{group}',
  summary: 'One group and its members (members may read the groups they are in)',
  tags: ['Groups'],
  params: GroupParam,
  response: GroupView,
  handler: async ({ actor, deps, params }) => groupView(await visibleGroup(deps, actor, params.group)),
});

const createGroup = defineRoute({
  method: 'POST',
  path: '/api/v2/groups',
  summary: 'Create a group (owners)',
  tags: ['Groups'],
  body: GroupBody,
  status: 201,
  response: GroupView,
  handler: async ({ actor, deps, body, request }) => {
    if (!canManageUsers(actor)) throw forbidden('Only owners can manage groups.');
    return named(body.name, () =>
      audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
        const after = groupView({ ...(await new GroupStore(trx).create(body.name)), members: [] });
        await audit({ action: 'group.create', target: { type: 'group', id: after.id }, after });
        return after;
      }),
    );
  },
});

const renameGroup = defineRoute({
  method: 'PUT',
  path: '/api/v2/groups/{group}',
  summary: 'Rename a group (owners)',
  tags: ['Groups'],
  params: GroupParam,
  body: GroupBody,
  response: GroupView,
  handler: async ({ actor, deps, params, body, request }) => {
    const group = await managedGroup(deps, actor, params.group);
    return named(body.name, () =>
      audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
        const row = await new GroupStore(trx).rename(group.id, body.name);
        const after = groupView({ ...(row ?? group), members: group.members });
        if (row && row.name !== group.name) {
          await audit({
            action: 'group.rename',
            target: { type: 'group', id: group.id },
            before: groupView(group),
            after,
          });
        }
        return after;
      }),
    );
  },
});

const setGroupLimits = defineRoute({
  method: 'PATCH',
  path: '/api/v2/groups/{group}',
  summary: "Set or clear a group's shared rate limits (owners); every replica applies them within seconds",
  tags: ['Groups'],
  params: GroupParam,
  body: GroupLimitsBody,
  response: GroupView,
  handler: async ({ actor, deps, params, body, request }) => {
    const group = await managedGroup(deps, actor, params.group);
    const view = await audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
      const row = await new GroupStore(trx).setLimits(group.id, body);
      if (!row) throw notFound();
      const before = groupView(group);
      const after = groupView({ ...row, members: group.members });
      if (
        before.requests_per_minute !== after.requests_per_minute ||
        before.tokens_per_minute !== after.tokens_per_minute
      ) {
        await audit({ action: 'group.limits', target: { type: 'group', id: group.id }, before, after });
      }
      return after;
    });
    await deps.limits?.groupsChanged();
    return view;
  },
});

const deleteGroup = defineRoute({
  method: 'DELETE',
  path: '/api/v2/groups/{group}',
  summary: 'Delete a group and its memberships (owners)',
  tags: ['Groups'],
  params: GroupParam,
  handler: async ({ actor, deps, params, request }) => {
    const group = await managedGroup(deps, actor, params.group);
    await audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
      await new GroupStore(trx).delete(group.id);
      await audit({
        action: 'group.delete',
        target: { type: 'group', id: group.id },
        before: groupView(group),
      });
    });
    await deps.budgets.reload();
    await deps.limits?.groupsChanged();
    return undefined;
  },
});

/** Adds or removes one member; both answer with the group as it is afterwards. */
function membershipRoute(
  method: 'PUT' | 'DELETE',
  summary: string,
  change: 'addMember' | 'removeMember',
  action: string,
) {
  return defineRoute({
    method,
    path: '/api/v2/groups/{group}/members/{user}',
    summary,
    tags: ['Groups'],
    params: MemberParam,
    response: GroupView,
    handler: async ({ actor, deps, params, request }) => {
      const group = await managedGroup(deps, actor, params.group);
      const user = await resolveVisibleUser(deps.db.kysely, actor, params.user);
      const view = await audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
        const store = new GroupStore(trx);
        await store[change](group.id, user.id);
        const before = groupView(group);
        const after = groupView(await reread(store, group.id));
        if (after.members.length !== before.members.length) {
          await audit({ action, target: { type: 'group', id: group.id }, before, after });
        }
        return after;
      });
      await deps.budgets.reload();
      await deps.limits?.groupsChanged();
      return view;
    },
  });
}

const addMember = membershipRoute(
  'PUT',
  'Add a user to a group (owners); adding a member again changes nothing',
  'addMember',
  'group.member.add',
);
const removeMember = membershipRoute(
  'DELETE',
  'Remove a user from a group (owners)',
  'removeMember',
  'group.member.remove',
);

/** The group, if the caller may see it: everyone's for owners and auditors, otherwise their own. */
async function visibleGroup(deps: ApiDeps, actor: Actor, ref: string): Promise<GroupWithMembers> {
  const store = new GroupStore(deps.db.kysely);
  const row = await store.find(ref);
  if (!row) throw notFound();
  const [group] = await store.withMembers([row]);
  if (!group) throw notFound();
  if (!canReadEveryone(actor) && !group.members.some((m) => m.id === actor.userId)) throw notFound();
  return group;
}

async function managedGroup(deps: ApiDeps, actor: Actor, ref: string): Promise<GroupWithMembers> {
  if (!canManageUsers(actor)) throw forbidden('Only owners can manage groups.');
  return visibleGroup(deps, actor, ref);
}

async function reread(store: GroupStore, id: string): Promise<GroupWithMembers> {
  const row = await store.find(id);
  const [group] = row ? await store.withMembers([row]) : [];
  if (!group) throw notFound();
  return group;
}

async function named<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof GroupNameTakenError)) throw error;
    throw new ApiError(409, 'Group already exists.', undefined, [
      { field: 'name', detail: `group name "${name}" is already taken` },
    ]);
  }
}

/** The groups endpoints: owners manage, members read the groups they are in. */
export const groupRoutes: AnyRoute[] = [
  listGroups,
  getGroup,
  createGroup,
  renameGroup,
  setGroupLimits,
  deleteGroup,
  addMember,
  removeMember,
];
