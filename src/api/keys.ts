import { z } from 'zod';
import { audited, whoOf } from '../audit/trail.js';
import { canManageTokensOf } from '../auth/roles.js';
import { DEFAULT_TOKEN_LIFETIME_SECONDS, MAX_TOKEN_LIFETIME_SECONDS } from '../auth/token.js';
import { parseDurationText } from '../config.js';
import { ApiError, forbidden, notFound } from '../errors.js';
import { ApiKeyStore, TokenNameTakenError } from '../store/api-keys.js';
import { type AnyRoute, defineRoute } from './route.js';
import { resolveVisibleUser } from './user-ref.js';
import { ApiKeyView, apiKeyView, GeneratedKeyView } from './views/users.js';

const NANOS_PER_SECOND = 1e9;

/**
 * `lifetime` is either Coder's wire form (a Go duration in nanoseconds) or text such as
 * `30d` or `720h`; both end up as whole seconds within (0, 365 days].
 */
const Lifetime = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const ms = typeof value === 'number' ? value / (NANOS_PER_SECOND / 1000) : parseDurationText(value);
    if (typeof ms === 'string') {
      ctx.addIssue({ code: 'custom', message: `lifetime: ${ms}` });
      return z.NEVER;
    }
    const seconds = Math.floor(ms / 1000);
    if (seconds < 1 || seconds > MAX_TOKEN_LIFETIME_SECONDS) {
      ctx.addIssue({ code: 'custom', message: 'lifetime must be between 1 second and 365 days' });
      return z.NEVER;
    }
    return seconds;
  })
  .describe('Nanoseconds (Coder clients) or a duration such as "30d"; default 30 days, at most 365 days.');

const CreateKeyBody = z
  .object({
    token_name: z
      .string()
      .max(64, 'token_name must be at most 64 characters')
      .regex(/^[\w.-]*$/, 'token_name may contain letters, digits, ".", "_" and "-"')
      .optional(),
    lifetime: Lifetime.optional(),
  })
  .meta({ id: 'CreateTokenRequest' });

const UserParam = z.object({ user: z.string().describe('A user id, a username, or `me`.') });
const KeyParams = UserParam.extend({ keyid: z.string().describe('The token id (the part before the "-").') });

function createKeyRoute(path: string) {
  return defineRoute({
    method: 'POST',
    path,
    summary: 'Issue an API token (yourself, or anyone for owners); the secret is shown only here',
    tags: ['Tokens'],
    params: UserParam,
    body: CreateKeyBody,
    status: 201,
    response: GeneratedKeyView,
    handler: async ({ actor, deps, params, body, request }) => {
      const user = await resolveVisibleUser(deps.db.kysely, actor, params.user);
      if (!canManageTokensOf(actor, user.id))
        throw forbidden('Only owners can issue tokens for other users.');
      try {
        return await audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
          const { token, key } = await new ApiKeyStore(trx).create({
            userId: user.id,
            tokenName: body.token_name,
            lifetimeSeconds: body.lifetime ?? DEFAULT_TOKEN_LIFETIME_SECONDS,
          });
          const after = { ...apiKeyView(key), username: user.username };
          await audit({ action: 'token.create', target: { type: 'token', id: key.id }, after });
          return { key: token };
        });
      } catch (error) {
        if (error instanceof TokenNameTakenError) {
          throw new ApiError(409, 'A token with that name already exists.', undefined, [
            { field: 'token_name', detail: `token_name "${body.token_name}" is already used by this user` },
          ]);
        }
        throw error;
      }
    },
  });
}

function listKeysRoute(path: string) {
  return defineRoute({
    method: 'GET',
    path,
    summary: "List a user's API tokens (metadata only)",
    tags: ['Tokens'],
    params: UserParam,
    response: z.array(ApiKeyView),
    handler: async ({ actor, deps, params }) => {
      const user = await resolveVisibleUser(deps.db.kysely, actor, params.user);
      return (await new ApiKeyStore(deps.db.kysely).listForUser(user.id)).map(apiKeyView);
    },
  });
}

const getKey = defineRoute({
  method: 'GET',
  path: '/api/v2/users/{user}/keys/{keyid}',
  summary: 'One API token (metadata only)',
  tags: ['Tokens'],
  params: KeyParams,
  response: ApiKeyView,
  handler: async ({ actor, deps, params }) => {
    const user = await resolveVisibleUser(deps.db.kysely, actor, params.user);
    const key = await new ApiKeyStore(deps.db.kysely).find(user.id, params.keyid);
    if (!key) throw notFound();
    return apiKeyView(key);
  },
});

const deleteKey = defineRoute({
  method: 'DELETE',
  path: '/api/v2/users/{user}/keys/{keyid}',
  summary: 'Revoke an API token; it stops working at once',
  tags: ['Tokens'],
  params: KeyParams,
  status: 204,
  handler: async ({ actor, deps, params, request }) => {
    const user = await resolveVisibleUser(deps.db.kysely, actor, params.user);
    if (!canManageTokensOf(actor, user.id)) throw forbidden("Only owners can revoke other users' tokens.");
    await audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
      const keys = new ApiKeyStore(trx);
      const key = await keys.find(user.id, params.keyid);
      if (!key || !(await keys.delete(user.id, params.keyid))) throw notFound();
      const before = { ...apiKeyView(key), username: user.username };
      await audit({ action: 'token.revoke', target: { type: 'token', id: key.id }, before });
    });
    await deps.auth.invalidate();
    return undefined;
  },
});

/** The token endpoints; `/keys/tokens` are Coder's spellings of the same operations. */
export const keyRoutes: AnyRoute[] = [
  createKeyRoute('/api/v2/users/{user}/keys'),
  createKeyRoute('/api/v2/users/{user}/keys/tokens'),
  listKeysRoute('/api/v2/users/{user}/keys'),
  listKeysRoute('/api/v2/users/{user}/keys/tokens'),
  getKey,
  deleteKey,
];
