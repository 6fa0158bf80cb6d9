import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { generateToken, hashSecret, type ParsedToken } from '../auth/token.js';
import { isUniqueViolation } from '../db/errors.js';
import type { ApiKeyRow, Schema, UserRow } from '../db/schema/index.js';

/** Thrown when the user already has a token with that name (or the id collides). */
export class TokenNameTakenError extends Error {}

/** A token row joined with its owner, what authentication needs in one round trip. */
export interface KeyWithUser {
  key: ApiKeyRow;
  user: UserRow;
}

/** API tokens: created once (the secret is returned and never stored), listed, revoked. */
export class ApiKeyStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Issues a token; pass `presetToken` to issue a known token (the bootstrap token). */
  async create(input: {
    userId: string;
    tokenName?: string | undefined;
    lifetimeSeconds: number;
    presetToken?: ParsedToken;
  }): Promise<{ token: string; key: ApiKeyRow }> {
    const { id, secret } = input.presetToken ?? generateToken();
    const now = new Date();
    try {
      const key = await this.db
        .insertInto('api_keys')
        .values({
          id,
          hashed_secret: hashSecret(secret),
          user_id: input.userId,
          token_name: input.tokenName || `token-${id.toLowerCase()}`,
          lifetime_seconds: input.lifetimeSeconds,
          expires_at: new Date(now.getTime() + input.lifetimeSeconds * 1000),
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { token: `${id}-${secret}`, key };
    } catch (error) {
      if (isUniqueViolation(error)) throw new TokenNameTakenError(input.tokenName ?? id);
      throw error;
    }
  }

  /** The key and its user by public id, whether or not either is still valid. */
  async findWithUser(id: string): Promise<KeyWithUser | undefined> {
    const row = await this.db
      .selectFrom('api_keys as k')
      .innerJoin('users as u', 'u.id', 'k.user_id')
      .select([
        'k.id as key_id',
        'k.hashed_secret',
        'k.user_id',
        'k.token_name',
        'k.lifetime_seconds',
        'k.expires_at',
        'k.last_used',
        'k.created_at as key_created_at',
        'k.updated_at as key_updated_at',
        'u.id',
        'u.username',
        'u.name',
        'u.avatar_url',
        'u.role',
        'u.created_at',
        'u.updated_at',
        'u.last_seen_at',
        'u.deleted_at',
        'u.oidc_issuer',
        'u.oidc_subject',
      ])
      .where('k.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      key: {
        id: row.key_id,
        hashed_secret: row.hashed_secret,
        user_id: row.user_id,
        token_name: row.token_name,
        lifetime_seconds: row.lifetime_seconds,
        expires_at: row.expires_at,
        last_used: row.last_used,
        created_at: row.key_created_at,
        updated_at: row.key_updated_at,
      },
      user: {
        id: row.id,
        username: row.username,
        name: row.name,
        avatar_url: row.avatar_url,
        role: row.role,
        created_at: row.created_at,
        updated_at: row.updated_at,
        last_seen_at: row.last_seen_at,
        deleted_at: row.deleted_at,
        oidc_issuer: row.oidc_issuer,
        oidc_subject: row.oidc_subject,
      },
    };
  }

  async listForUser(userId: string): Promise<ApiKeyRow[]> {
    return this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
  }

  async find(userId: string, id: string): Promise<ApiKeyRow | undefined> {
    return this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('api_keys')
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Records when keys were last used (and their users last seen), many keys per statement. */
  async touch(lastUsed: ReadonlyMap<string, Date>): Promise<void> {
    if (lastUsed.size === 0) return;
    const ids = [...lastUsed.keys()];
    const times = ids.map((id) => (lastUsed.get(id) as Date).toISOString());
    await sql`
      WITH used AS (
        SELECT * FROM unnest(${ids}::text[], ${times}::timestamptz[]) AS t(id, at)
      ), keys AS (
        UPDATE api_keys k SET last_used = used.at
        FROM used WHERE k.id = used.id AND (k.last_used IS NULL OR k.last_used < used.at)
        RETURNING k.user_id, used.at
      )
      UPDATE users u SET last_seen_at = latest.at
      FROM (SELECT user_id, max(at) AS at FROM keys GROUP BY user_id) latest
      WHERE u.id = latest.user_id AND (u.last_seen_at IS NULL OR u.last_seen_at < latest.at)
    `.execute(this.db);
  }
}
