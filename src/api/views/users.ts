import { z } from 'zod';
import { ROLE_DISPLAY_NAMES, ROLES } from '../../auth/roles.js';
import type { ApiKeyRow, UserRow } from '../../db/schema/index.js';

const time = z.iso.datetime();

/** A user as Coder clients expect it, plus our single `role`. */
export const UserView = z
  .object({
    id: z.uuid(),
    username: z.string(),
    name: z.string(),
    avatar_url: z.string(),
    role: z.enum(ROLES as [string, ...string[]]),
    roles: z.array(z.object({ name: z.string(), display_name: z.string() })),
    status: z.enum(['active', 'deleted']),
    created_at: time,
    updated_at: time,
    last_seen_at: time.nullable(),
  })
  .meta({ id: 'User' });

/** The list envelope of `GET /api/v2/users`. */
export const UserListView = z.object({ users: z.array(UserView), count: z.int() }).meta({ id: 'UserList' });

/** Token metadata; the secret is never part of it. */
export const ApiKeyView = z
  .object({
    id: z.string(),
    user_id: z.uuid(),
    token_name: z.string(),
    login_type: z.literal('token'),
    scope: z.literal('all'),
    lifetime_seconds: z.int(),
    expires_at: time,
    last_used: time.nullable(),
    created_at: time,
    updated_at: time,
  })
  .meta({ id: 'APIKey' });

/** The only time a token's secret is shown: right after creation. */
export const GeneratedKeyView = z.object({ key: z.string() }).meta({ id: 'GenerateAPIKeyResponse' });

/** A message-only success body (Coder's `codersdk.Response`). */
export const MessageView = z.object({ message: z.string() }).meta({ id: 'MessageResponse' });

/** Maps a user row to its API JSON. */
export function userView(row: UserRow): z.infer<typeof UserView> {
  return {
    id: row.id,
    username: row.username,
    name: row.name,
    avatar_url: row.avatar_url,
    role: row.role,
    roles: [{ name: row.role, display_name: ROLE_DISPLAY_NAMES[row.role] }],
    status: row.deleted_at ? 'deleted' : 'active',
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    last_seen_at: row.last_seen_at?.toISOString() ?? null,
  };
}

/** Maps a token row to its API JSON, without anything secret. */
export function apiKeyView(row: ApiKeyRow): z.infer<typeof ApiKeyView> {
  return {
    id: row.id,
    user_id: row.user_id,
    token_name: row.token_name,
    login_type: 'token',
    scope: 'all',
    lifetime_seconds: row.lifetime_seconds,
    expires_at: row.expires_at.toISOString(),
    last_used: row.last_used?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
