import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { ProviderRow, Schema, StoredKey } from '../db/schema/index.js';
import { secretHint } from './hint.js';
import type { ByokPolicy, ProviderInstance, ProviderSettings, ProviderType } from './instance.js';
import type { Secrets } from './secret-box.js';

/** Channel on which a replica announces that provider instances changed. */
export const PROVIDERS_CHANGED_CHANNEL = 'aibridge_providers_changed';

/** What creating an instance takes; keys are plain here and sealed before they are stored. */
export interface NewProvider {
  name: string;
  type: ProviderType;
  baseUrl: string;
  headers?: Record<string, string>;
  models?: string[] | null;
  byok?: ByokPolicy;
  settings?: ProviderSettings;
  keys: string[];
}

/** A change to an instance: what is given replaces what was there. */
export type ProviderPatch = Partial<Omit<NewProvider, 'name'>>;

/** The name is taken (→ 409). */
export class ProviderNameTakenError extends Error {}

/**
 * Provider instances in `aibridge_providers`. Keys are sealed on the way in and only opened
 * for the registry; everything the API shows comes from the rows, which hold hints only.
 */
export class ProviderStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly secrets: Secrets,
  ) {}

  /** The same store over another handle: a transaction that also writes the change's audit entry. */
  within(db: Kysely<Schema>): ProviderStore {
    return new ProviderStore(db, this.secrets);
  }

  list(): Promise<ProviderRow[]> {
    return this.db.selectFrom('aibridge_providers').selectAll().orderBy('name').execute();
  }

  find(name: string): Promise<ProviderRow | undefined> {
    return this.db.selectFrom('aibridge_providers').selectAll().where('name', '=', name).executeTakeFirst();
  }

  /** A cheap fingerprint of every row, so a poll reloads only when something changed. */
  async version(): Promise<string> {
    const { rows } = await sql<{ v: string | null }>`
      SELECT string_agg(name || '@' || (extract(epoch FROM updated_at) * 1e6)::bigint, ',' ORDER BY name) AS v
      FROM aibridge_providers`.execute(this.db);
    return rows[0]?.v ?? '';
  }

  async create(input: NewProvider, envManaged = false): Promise<ProviderRow> {
    try {
      return await this.db
        .insertInto('aibridge_providers')
        .values({
          name: input.name,
          type: input.type,
          base_url: input.baseUrl,
          headers: JSON.stringify(input.headers ?? {}),
          models: input.models ?? null,
          byok: input.byok ?? 'central',
          settings: JSON.stringify(input.settings ?? {}),
          keys: JSON.stringify(await this.seal(input.keys)),
          env_managed: envManaged,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new ProviderNameTakenError(input.name);
      throw error;
    }
  }

  /** Applies a patch; an instance changed through the API no longer follows the env vars. */
  async update(name: string, patch: ProviderPatch, envManaged = false): Promise<ProviderRow | undefined> {
    return this.db
      .updateTable('aibridge_providers')
      .set({
        ...(patch.type !== undefined && { type: patch.type }),
        ...(patch.baseUrl !== undefined && { base_url: patch.baseUrl }),
        ...(patch.headers !== undefined && { headers: JSON.stringify(patch.headers) }),
        ...(patch.models !== undefined && { models: patch.models }),
        ...(patch.byok !== undefined && { byok: patch.byok }),
        ...(patch.settings !== undefined && { settings: JSON.stringify(patch.settings) }),
        ...(patch.keys !== undefined && { keys: JSON.stringify(await this.seal(patch.keys)) }),
        env_managed: envManaged,
        updated_at: sql<Date>`now()`,
      })
      .where('name', '=', name)
      .returningAll()
      .executeTakeFirst();
  }

  async delete(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('aibridge_providers').where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The row, locked until the transaction ends, so concurrent key changes do not lose one. */
  findForUpdate(name: string): Promise<ProviderRow | undefined> {
    return this.db
      .selectFrom('aibridge_providers')
      .selectAll()
      .where('name', '=', name)
      .forUpdate()
      .executeTakeFirst();
  }

  /** One key sealed for storing beside the others. */
  async sealKey(plain: string): Promise<StoredKey> {
    return { hint: secretHint(plain), sealed: await this.secrets.seal(plain) };
  }

  /** Stores exactly these (already sealed) keys; the instance no longer follows the env vars. */
  setStoredKeys(name: string, keys: StoredKey[]): Promise<ProviderRow | undefined> {
    return this.db
      .updateTable('aibridge_providers')
      .set({ keys: JSON.stringify(keys), env_managed: false, updated_at: sql<Date>`now()` })
      .where('name', '=', name)
      .returningAll()
      .executeTakeFirst();
  }

  /** True when `plain` is already one of the row's keys (only same-hint keys are opened). */
  async holds(row: ProviderRow, plain: string): Promise<boolean> {
    const hint = secretHint(plain);
    for (const key of row.keys) {
      if (key.hint === hint && (await this.secrets.open(key.sealed)) === plain.trim()) return true;
    }
    return false;
  }

  /** A row with its keys opened, as the gateway uses it. */
  async open(row: ProviderRow): Promise<ProviderInstance> {
    const keys = await Promise.all(
      row.keys.map(async (key) => ({
        id: keyId(key),
        secret: await this.secrets.open(key.sealed),
        hint: key.hint,
      })),
    );
    return { ...withoutKeys(row), keys };
  }

  private async seal(keys: string[]): Promise<StoredKey[]> {
    return Promise.all(
      keys.map(async (key) => ({ hint: secretHint(key), sealed: await this.secrets.seal(key) })),
    );
  }
}

/**
 * A key's id: derived from its ciphertext (random per sealing), so it is stable while the key
 * is stored, different for the same key stored twice, needs no column, and reveals nothing.
 */
export function keyId(key: StoredKey): string {
  return createHash('sha256').update(key.sealed).digest('hex').slice(0, 12);
}

/** A row as an instance with no keys: what a replica that cannot open them still knows. */
export function withoutKeys(row: ProviderRow): ProviderInstance {
  return {
    name: row.name,
    type: row.type as ProviderType,
    baseUrl: row.base_url,
    headers: row.headers,
    models: row.models,
    byok: row.byok as ByokPolicy,
    settings: row.settings as ProviderSettings,
    keys: [],
  };
}
