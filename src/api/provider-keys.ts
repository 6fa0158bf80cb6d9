import { z } from 'zod';
import { audited, whoOf } from '../audit/trail.js';
import { type Actor, canManageUsers } from '../auth/roles.js';
import { ApiError, forbidden, notFound } from '../errors.js';
import { keyId } from '../providers/store.js';
import { type AnyRoute, defineRoute } from './route.js';
import { AddedProviderKeyView, ProviderKeyView, providerKeysView } from './views/providers.js';

/** The most keys one instance holds (as `keys` on create and update allows). */
const MAX_KEYS = 32;

const NameParam = z.object({ name: z.string() });
const KeyParams = z.object({ name: z.string(), key_id: z.string() });

const AddKeyBody = z
  .object({ key: z.string().trim().min(1, 'a key must not be empty').describe('The upstream key.') })
  .strict()
  .meta({ id: 'AddProviderKeyRequest' });

function ownersOnly(actor: Actor): void {
  if (!canManageUsers(actor)) throw forbidden('Only owners can see and change provider instances.');
}

const conflict = (message: string, detail: string) =>
  new ApiError(409, message, undefined, [{ field: 'key', detail }]);

const listKeys = defineRoute({
  method: 'GET',
  path: '/api/v2/aibridge/providers/{name}/keys',
  summary:
    "An instance's keys with their state as the answering replica sees it (active, cooling down, out of rotation after a 401/403) and when each was last used; hints only",
  tags: ['Providers'],
  params: NameParam,
  response: z.array(ProviderKeyView),
  handler: async ({ actor, deps, params }) => {
    ownersOnly(actor);
    const row = await deps.providers.store.find(params.name);
    if (!row) throw notFound();
    return providerKeysView(row, deps.providers.keyStates(row.name));
  },
});

const addKey = defineRoute({
  method: 'POST',
  path: '/api/v2/aibridge/providers/{name}/keys',
  summary:
    "Add one key to an instance's pool (the others keep their state); every replica uses it within seconds",
  tags: ['Providers'],
  params: NameParam,
  body: AddKeyBody,
  status: 201,
  response: AddedProviderKeyView,
  handler: async ({ actor, deps, params, body, request }) => {
    ownersOnly(actor);
    const added = await audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
      const store = deps.providers.store.within(trx);
      const row = await store.findForUpdate(params.name);
      if (!row) throw notFound();
      if (row.keys.length >= MAX_KEYS) {
        throw conflict('The instance has as many keys as it can hold.', `at most ${MAX_KEYS} keys`);
      }
      if (await store.holds(row, body.key)) {
        throw conflict('The instance already has this key.', 'this key is already in the pool');
      }
      const stored = await store.sealKey(body.key);
      await store.setStoredKeys(row.name, [...row.keys, stored]);
      const key = { id: keyId(stored), hint: stored.hint };
      await audit({ action: 'provider.key.add', target: { type: 'provider', id: row.name }, after: key });
      return key;
    });
    await deps.providers.changed();
    return added;
  },
});

const removeKey = defineRoute({
  method: 'DELETE',
  path: '/api/v2/aibridge/providers/{name}/keys/{key_id}',
  summary:
    'Remove one key; no request starts with it on any replica after a few seconds. The last key of a `central` or `byok-allowed` instance cannot be removed (409)',
  tags: ['Providers'],
  params: KeyParams,
  status: 204,
  handler: async ({ actor, deps, params, request }) => {
    ownersOnly(actor);
    await audited(deps.db.kysely, whoOf(actor, request), async (trx, audit) => {
      const store = deps.providers.store.within(trx);
      const row = await store.findForUpdate(params.name);
      const key = row?.keys.find((k) => keyId(k) === params.key_id);
      if (!row || !key) throw notFound();
      if (row.keys.length === 1 && row.byok !== 'byok-only') {
        throw conflict(
          'This is the last key of an instance that needs its own keys.',
          `provider "${row.name}" (BYOK policy "${row.byok}") would have no key for requests without the person's own credential: add another key first, or set byok to "byok-only"`,
        );
      }
      await store.setStoredKeys(
        row.name,
        row.keys.filter((k) => k !== key),
      );
      await audit({
        action: 'provider.key.remove',
        target: { type: 'provider', id: row.name },
        before: { id: params.key_id, hint: key.hint },
      });
    });
    await deps.providers.changed();
    return undefined;
  },
});

/** Single-key management of a provider instance (owners only). */
export const providerKeyRoutes: AnyRoute[] = [listKeys, addKey, removeKey];
