import type { Generated, Selectable } from 'kysely';

/** An API token: only its public id and the SHA-256 of its secret are kept. */
export interface ApiKeysTable {
  /** The 10-character public part of `<id>-<secret>`. */
  id: string;
  hashed_secret: Uint8Array;
  user_id: string;
  token_name: string;
  lifetime_seconds: number;
  expires_at: Date;
  last_used: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type ApiKeyRow = Selectable<ApiKeysTable>;
