import { z } from 'zod';
import { audited, whoOf } from '../audit/trail.js';
import { canManageUsers, canReadEveryone, ROLES } from '../auth/roles.js';
import type { Role } from '../db/schema/index.js';
import { ApiError, forbidden, validationFailed } from '../errors.js';
import { UsernameTakenError, UserStore } from '../store/users.js';
import { type AnyRoute, defineRoute } from './route.js';
import { resolveVisibleUser } from './user-ref.js';
import { MessageView, UserListView, UserView, userView } from './views/users.js';

/** Coder's username rule: letters and digits in hyphen-separated groups, at most 32 long. */
export const USERNAME_PATTERN = /^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$/;

const Username = z
  .string({ error: 'username is required' })
  .max(32, 'username must be at most 32 characters')
  .regex(USERNAME_PATTERN, 'username may contain letters, digits and single hyphens between them');
const RoleName = z.enum(ROLES as [Role, ...Role[]], { error: `role must be one of ${ROLES.join(', ')}` });
const UserParam = z.object({ user: z.string().describe('A user id, a username, or `me`.') });

const CreateUserBody = z
  .object({
    username: Username,
    name: z.string().max(128, 'name must be at most 128 characters').optional(),
    avatar_url: z.url('avatar_url must be a URL').or(z.literal('')).optional(),
    role: RoleName.default('member'),
  })
  .meta({ id: 'CreateUserRequest' });

const ListUsersQuery = z.object({
  q: z
    .string()
    .optional()
    .describe('Text matched against usernames and names; `role:<role>` filters by role.'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

const UpdateRolesBody = z
  .object({ roles: z.array(RoleName).length(1, 'give exactly one role') })
  .meta({ id: 'UpdateRoles' });

const me = defineRoute({
  method: 'GET',
  path: '/api/v2/users/me',
  summary: 'The authenticated user',
  tags: ['Users'],
  response: UserView,
  handler: async ({ actor, deps }) => userView(await resolveVisibleUser(deps.db.kysely, actor, 'me')),
});

const getUser = defineRoute({
  method: 'GET',
  path: '/api/v2/users/{user}',
  summary: 'One user (yourself, or anyone for owners and auditors)',
  tags: ['Users'],
  params: UserParam,
  response: UserView,
  handler: async ({ actor, deps, params }) =>
    userView(await resolveVisibleUser(deps.db.kysely, actor, params.user)),
});

const listUsers = defineRoute({
  method: 'GET',
  path: '/api/v2/users',
  summary: 'List users (owners and auditors)',
  tags: ['Users'],
  query: ListUsersQuery,
  response: UserListView,
  handler: async ({ actor, deps, query }) => {
    if (!canReadEveryone(actor)) throw forbidden('Only owners and auditors can list users.');
    const { search, role } = parseUserSearch(query.q ?? '');
    const { users, count } = await new UserStore(deps.db.kysely).list({
      search,
      role,
      limit: query.limit,
      offset: query.offset,
    });
    return { users: users.map(userView), count };
  },
});

const createUser = defineRoute({
  method: 'POST',
  path: '/api/v2/users',
  summary: 'Create a user (owners)',
  tags: ['Users'],
  body: CreateUserBody,
  status: 201,
  response: UserView,
  handler: async ({ actor, deps, body, request }) => {
    if (!canManageUsers(actor)) throw forbidden('Only owners can create users.');
    try {
      return await audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
        const view = userView(
          await new UserStore(trx).create({
            username: body.username,
            name: body.name ?? '',
            avatarUrl: body.avatar_url ?? '',
            role: body.role,
          }),
        );
        await audit({ action: 'user.create', target: { type: 'user', id: view.id }, after: view });
        return view;
      });
    } catch (error) {
      if (error instanceof UsernameTakenError) {
        throw new ApiError(409, 'User already exists.', undefined, [
          { field: 'username', detail: `username "${body.username}" is already taken` },
        ]);
      }
      throw error;
    }
  },
});

const deleteUser = defineRoute({
  method: 'DELETE',
  path: '/api/v2/users/{user}',
  summary: 'Delete a user (owners); their tokens stop working at once',
  tags: ['Users'],
  params: UserParam,
  response: MessageView,
  handler: async ({ actor, deps, params, request }) => {
    if (!canManageUsers(actor)) throw forbidden('Only owners can delete users.');
    const user = await resolveVisibleUser(deps.db.kysely, actor, params.user);
    if (user.id === actor.userId) throw forbidden('You cannot delete yourself!');
    await audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
      if (!(await new UserStore(trx).softDelete(user.id))) return;
      await audit({ action: 'user.delete', target: { type: 'user', id: user.id }, before: userView(user) });
    });
    await deps.auth.invalidate();
    return { message: 'User has been deleted!' };
  },
});

const updateRoles = defineRoute({
  method: 'PUT',
  path: '/api/v2/users/{user}/roles',
  summary: "Change a user's role (owners)",
  tags: ['Users'],
  params: UserParam,
  body: UpdateRolesBody,
  response: UserView,
  handler: async ({ actor, deps, params, body, request }) => {
    if (!canManageUsers(actor)) throw forbidden('Only owners can change roles.');
    const user = await resolveVisibleUser(deps.db.kysely, actor, params.user);
    const role = body.roles[0] as Role;
    const view = await audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
      const users = new UserStore(trx);
      if (user.role === 'owner' && role !== 'owner' && (await users.countLiveOwners()) <= 1) {
        throw validationFailed([{ field: 'roles', detail: 'the last owner cannot give up the owner role' }]);
      }
      const updated = await users.setRole(user.id, role);
      if (!updated) return userView(user);
      const after = userView(updated);
      if (user.role !== role) {
        await audit({
          action: 'user.role',
          target: { type: 'user', id: user.id },
          before: userView(user),
          after,
        });
      }
      return after;
    });
    await deps.auth.invalidate();
    return view;
  },
});

/** `role:<r>` picks a role; every other word is matched against username and name. */
function parseUserSearch(q: string): { search: string | undefined; role: Role | undefined } {
  let role: Role | undefined;
  const words: string[] = [];
  for (const word of q.trim().split(/\s+/).filter(Boolean)) {
    const match = /^role:(.+)$/i.exec(word);
    const value = match?.[1]?.toLowerCase();
    if (value === undefined) words.push(word);
    else if ((ROLES as string[]).includes(value)) role = value as Role;
    else throw validationFailed([{ field: 'role', detail: `role must be one of ${ROLES.join(', ')}` }]);
  }
  return { search: words.join(' ') || undefined, role };
}

/** The users endpoints (Coder's shapes). */
export const userRoutes: AnyRoute[] = [me, listUsers, getUser, createUser, deleteUser, updateRoles];
