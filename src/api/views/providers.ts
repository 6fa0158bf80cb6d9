import { z } from 'zod';
import type { ProviderRow } from '../../db/schema/index.js';
import { secretHint } from '../../providers/hint.js';
import { BYOK_POLICIES, PROVIDER_TYPES, type ProviderSettings } from '../../providers/instance.js';
import type { KeyState } from '../../providers/key-pool.js';
import { keyId } from '../../providers/store.js';

const time = z.iso.datetime();

/** Per-instance tuning (milliseconds; the circuit breaker's five settings), stored as given. */
export const ProviderSettingsView = z
  .object({
    api_version: z
      .string()
      .min(1)
      .optional()
      .describe('Azure OpenAI: api-version added when a client sends none.'),
    connect_timeout_ms: z.number().int().positive().optional(),
    first_byte_timeout_ms: z.number().int().positive().optional(),
    idle_timeout_ms: z.number().int().positive().optional(),
    websockets: z
      .boolean()
      .optional()
      .describe(
        "Responses over WebSocket: relay each turn to the provider's own WebSocket (OpenAI's WebSocket mode) instead of bridging it to an HTTP stream. Off by default.",
      ),
    circuit_breaker: z
      .object({
        enabled: z.boolean().optional().describe('Off by default.'),
        failure_threshold: z.number().int().positive().optional().describe('Default 5.'),
        interval_ms: z.number().int().nonnegative().optional().describe('Default 10000.'),
        timeout_ms: z.number().int().positive().optional().describe('Default 30000.'),
        max_requests: z.number().int().positive().optional().describe('Default 3.'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .meta({ id: 'ProviderSettings' });

/** An instance as the API shows it: keys and extra header values as hints only. */
export const ProviderView = z
  .object({
    name: z.string(),
    type: z.enum(PROVIDER_TYPES),
    base_url: z.string(),
    headers: z.record(z.string(), z.string()).describe('Extra upstream headers; values shown as hints.'),
    models: z.array(z.string()).nullable(),
    byok: z.enum(BYOK_POLICIES),
    settings: ProviderSettingsView,
    keys: z.array(
      z.object({
        id: z.string().describe('For `DELETE …/providers/{name}/keys/{key_id}`.'),
        hint: z.string(),
      }),
    ),
    env_managed: z.boolean().describe('Seeded from the env vars and still following them.'),
    created_at: time,
    updated_at: time,
  })
  .meta({ id: 'Provider' });

/** A row → the API's JSON. */
export function providerView(row: ProviderRow): z.infer<typeof ProviderView> {
  return {
    name: row.name,
    type: row.type as (typeof PROVIDER_TYPES)[number],
    base_url: row.base_url,
    headers: Object.fromEntries(Object.entries(row.headers).map(([k, v]) => [k, secretHint(v)])),
    models: row.models,
    byok: row.byok as (typeof BYOK_POLICIES)[number],
    settings: row.settings as ProviderSettings,
    keys: row.keys.map((k) => ({ id: keyId(k), hint: k.hint })),
    env_managed: row.env_managed,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

const KEY_STATES = ['active', 'cooling-down', 'out-of-rotation', 'unknown'] as const;

/** One key of an instance as the key list shows it: never the key, only its hint and state. */
export const ProviderKeyView = z
  .object({
    id: z.string(),
    hint: z.string(),
    state: z
      .enum(KEY_STATES)
      .describe(
        'As the answering replica sees it: `out-of-rotation` after the upstream refused it (401/403) until it serves again or is removed, `cooling-down` after a 429/5xx/connection failure, `unknown` when this replica does not serve the instance (its keys do not decrypt here).',
      ),
    cooling_until: time.nullable(),
    out_of_rotation_since: time.nullable(),
    out_of_rotation_status: z.number().int().nullable().describe('The upstream status that refused it.'),
    last_used_at: time.nullable().describe('Last request sent upstream with it by this replica.'),
  })
  .meta({ id: 'ProviderKey' });

/** A key just added: its id and hint. */
export const AddedProviderKeyView = z
  .object({ id: z.string(), hint: z.string() })
  .meta({ id: 'AddedProviderKey' });

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** The stored keys with what this replica knows of each (matched by id). */
export function providerKeysView(
  row: ProviderRow,
  states: readonly KeyState[] | undefined,
): z.infer<typeof ProviderKeyView>[] {
  const byId = new Map((states ?? []).map((s) => [s.id, s]));
  return row.keys.map((k) => {
    const id = keyId(k);
    const known = byId.get(id);
    return {
      id,
      hint: k.hint,
      state: known?.state ?? 'unknown',
      cooling_until: iso(known?.coolingUntil),
      out_of_rotation_since: iso(known?.outSince),
      out_of_rotation_status: known?.outStatus ?? null,
      last_used_at: iso(known?.lastUsed),
    };
  });
}
