import { z } from 'zod';
import { audited, whoOf } from '../audit/trail.js';
import type { Actor } from '../auth/roles.js';
import { canManageUsers } from '../auth/roles.js';
import { ApiError, forbidden, notFound } from '../errors.js';
import { BYOK_POLICIES, INSTANCE_NAME, PROVIDER_TYPES } from '../providers/instance.js';
import { ProviderNameTakenError } from '../providers/store.js';
import { type AnyRoute, defineRoute } from './route.js';
import { ProviderSettingsView, ProviderView, providerView } from './views/providers.js';

const BaseUrl = z.url({ protocol: /^https?$/, error: 'base_url must be an http(s) URL' });
const Keys = z.array(z.string().trim().min(1, 'a key must not be empty')).max(32);
const Models = z.array(z.string().min(1)).nullable();
const Headers = z.record(
  z.string().regex(/^[A-Za-z0-9-]+$/, 'header names are letters, digits and "-"'),
  z.string(),
);

const CreateProviderBody = z
  .object({
    name: z
      .string()
      .max(63)
      .regex(
        INSTANCE_NAME,
        'name: lower-case letters and digits, words joined by single "-" (it is the route prefix)',
      ),
    type: z.enum(PROVIDER_TYPES),
    base_url: BaseUrl,
    keys: Keys.default([]),
    headers: Headers.optional(),
    models: Models.optional(),
    byok: z.enum(BYOK_POLICIES).optional(),
    settings: ProviderSettingsView.optional(),
  })
  .strict()
  .meta({ id: 'CreateProviderRequest' });

const UpdateProviderBody = z
  .object({
    type: z.enum(PROVIDER_TYPES).optional(),
    base_url: BaseUrl.optional(),
    keys: Keys.optional().describe('Replaces every key of the instance.'),
    headers: Headers.optional(),
    models: Models.optional(),
    byok: z.enum(BYOK_POLICIES).optional(),
    settings: ProviderSettingsView.optional().describe('Replaces the settings as a whole.'),
  })
  .strict()
  .meta({ id: 'UpdateProviderRequest' });

const NameParam = z.object({ name: z.string() });

/** The request's fields as the store names them (all but name and keys). */
function changes<T extends z.infer<typeof UpdateProviderBody>>(body: T) {
  return {
    type: body.type as T['type'],
    baseUrl: body.base_url as T['base_url'],
    headers: body.headers,
    models: body.models,
    byok: body.byok,
    settings: body.settings,
  };
}

function ownersOnly(actor: Actor): void {
  if (!canManageUsers(actor)) throw forbidden('Only owners can see and change provider instances.');
}

const listProviders = defineRoute({
  method: 'GET',
  path: '/api/v2/aibridge/providers',
  summary: 'List provider instances (keys as hints only)',
  tags: ['Providers'],
  response: z.array(ProviderView),
  handler: async ({ actor, deps }) => {
    ownersOnly(actor);
    return (await deps.providers.store.list()).map(providerView);
  },
});

const getProvider = defineRoute({
  method: 'GET',
  path: '/api/v2/aibridge/providers/{name}',
  summary: 'One provider instance (keys as hints only)',
  tags: ['Providers'],
  params: NameParam,
  response: ProviderView,
  handler: async ({ actor, deps, params }) => {
    ownersOnly(actor);
    const row = await deps.providers.store.find(params.name);
    if (!row) throw notFound();
    return providerView(row);
  },
});

const createProvider = defineRoute({
  method: 'POST',
  path: '/api/v2/aibridge/providers',
  summary: 'Add a provider instance; it serves /api/v2/aibridge/<name>/… on every replica within seconds',
  tags: ['Providers'],
  body: CreateProviderBody,
  status: 201,
  response: ProviderView,
  handler: async ({ actor, deps, body, request }) => {
    ownersOnly(actor);
    if (request.server.gatewayPaths.resources.has(body.name)) {
      throw new ApiError(400, 'Validation failed.', undefined, [
        {
          field: 'name',
          detail: `"${body.name}" is an API resource under /api/v2/aibridge/; choose another name`,
        },
      ]);
    }
    try {
      const view = await audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
        const store = deps.providers.store.within(trx);
        const after = providerView(
          await store.create({ name: body.name, keys: body.keys, ...changes(body) }),
        );
        await audit({ action: 'provider.create', target: { type: 'provider', id: after.name }, after });
        return after;
      });
      await deps.providers.changed();
      return view;
    } catch (error) {
      if (!(error instanceof ProviderNameTakenError)) throw error;
      throw new ApiError(409, 'A provider with that name already exists.', undefined, [
        { field: 'name', detail: `provider "${body.name}" already exists` },
      ]);
    }
  },
});

const updateProvider = defineRoute({
  method: 'PATCH',
  path: '/api/v2/aibridge/providers/{name}',
  summary: 'Change a provider instance (what is given replaces what was there)',
  tags: ['Providers'],
  params: NameParam,
  body: UpdateProviderBody,
  response: ProviderView,
  handler: async ({ actor, deps, params, body, request }) => {
    ownersOnly(actor);
    const view = await audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
      const store = deps.providers.store.within(trx);
      const before = await store.find(params.name);
      const row = before && (await store.update(params.name, { keys: body.keys, ...changes(body) }));
      if (!before || !row) throw notFound();
      const after = providerView(row);
      await audit({
        action: 'provider.update',
        target: { type: 'provider', id: row.name },
        before: providerView(before),
        after,
      });
      return after;
    });
    await deps.providers.changed();
    return view;
  },
});

const deleteProvider = defineRoute({
  method: 'DELETE',
  path: '/api/v2/aibridge/providers/{name}',
  summary: 'Remove a provider instance; its route stops serving on every replica within seconds',
  tags: ['Providers'],
  params: NameParam,
  status: 204,
  handler: async ({ actor, deps, params, request }) => {
    ownersOnly(actor);
    await audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
      const store = deps.providers.store.within(trx);
      const before = await store.find(params.name);
      if (!before || !(await store.delete(params.name))) throw notFound();
      await audit({
        action: 'provider.delete',
        target: { type: 'provider', id: before.name },
        before: providerView(before),
      });
    });
    await deps.providers.changed();
    return undefined;
  },
});

/** The provider instance endpoints (owners only). */
export const providerRoutes: AnyRoute[] = [
  listProviders,
  getProvider,
  createProvider,
  updateProvider,
  deleteProvider,
];
