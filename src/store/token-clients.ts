import { type Kysely, sql } from 'kysely';
import type { Schema, TokenClientRow } from '../db/schema/index.js';

/** One client's latest use of one token, as the gateway's flush hands it over. */
export interface TokenClientUse {
  apiKeyId: string;
  client: string;
  clientVersion: string;
  at: Date;
}

/** The most rows one person's token list shows (newest first). */
const LIST_LIMIT = 500;

/** Which clients used which tokens, and when last: written in batches, read by the connect page. */
export class TokenClientStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /**
   * Upserts many uses in one statement; a later time wins, so replicas flushing in any order
   * agree. Uses of a token revoked meanwhile are dropped by the join rather than failing the batch.
   */
  async record(uses: readonly TokenClientUse[]): Promise<void> {
    if (uses.length === 0) return;
    await sql`
      INSERT INTO aibridge_token_clients (api_key_id, client, client_version, last_used_at)
      SELECT u.api_key_id, u.client, u.client_version, max(u.at)
      FROM unnest(
        ${uses.map((u) => u.apiKeyId)}::text[],
        ${uses.map((u) => u.client)}::text[],
        ${uses.map((u) => u.clientVersion)}::text[],
        ${uses.map((u) => u.at.toISOString())}::timestamptz[]
      ) AS u(api_key_id, client, client_version, at)
      JOIN api_keys k ON k.id = u.api_key_id
      GROUP BY u.api_key_id, u.client, u.client_version
      ON CONFLICT (api_key_id, client, client_version) DO UPDATE
        SET last_used_at = GREATEST(aibridge_token_clients.last_used_at, EXCLUDED.last_used_at)
    `.execute(this.db);
  }

  /** Every client that used any of the user's tokens, most recent first. */
  async listForUser(userId: string): Promise<TokenClientRow[]> {
    return this.db
      .selectFrom('aibridge_token_clients as c')
      .innerJoin('api_keys as k', 'k.id', 'c.api_key_id')
      .select(['c.api_key_id', 'c.client', 'c.client_version', 'c.last_used_at'])
      .where('k.user_id', '=', userId)
      .orderBy('c.last_used_at', 'desc')
      .orderBy('c.api_key_id')
      .limit(LIST_LIMIT)
      .execute();
  }
}
