import type { ColumnType, Generated, Selectable } from 'kysely';

/** A key as stored: AES-256-GCM ciphertext (see providers/secret-box.ts) and a hint safe to show. */
export interface StoredKey {
  hint: string;
  sealed: string;
}

/** jsonb columns: read as values, written as JSON text. */
type Json<T> = ColumnType<T, string, string>;

/** One provider instance (route prefix = name), with its sealed keys. */
export interface ProvidersTable {
  name: string;
  type: string;
  base_url: string;
  headers: Json<Record<string, string>>;
  models: string[] | null;
  byok: string;
  settings: Json<Record<string, unknown>>;
  keys: Json<StoredKey[]>;
  env_managed: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type ProviderRow = Selectable<ProvidersTable>;
