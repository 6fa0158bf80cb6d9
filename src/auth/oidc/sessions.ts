import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { BrowserSessionRow, Schema, SessionMethod } from '../../db/schema/index.js';
import type { Actor } from '../roles.js';
import { hashSecret } from '../token.js';
import type { BrowserSessionConfig } from './config.js';

/** Why a session cookie was refused; the API turns it into a 401 detail. */
type SessionFailure = 'unknown' | 'expired' | 'user-deleted';

/** A cookie that signs someone in, and the session it names. */
export type SessionResult =
  | { ok: true; actor: Actor; session: BrowserSessionRow }
  | { ok: false; reason: SessionFailure };

/** What a new session hands the browser: the cookie's secret and the CSRF token. */
export interface NewSession {
  secret: string;
  csrfToken: string;
  expiresAt: Date;
}

/** `last_seen_at` is written at most this often, so a busy dashboard is not a write per request. */
const TOUCH_GRANULARITY_MS = 60_000;

/**
 * The dashboard's server-side sessions. Each request with the cookie reads its row joined to
 * the user, so ending a session or deleting a user takes effect on the very next request on
 * every replica (the dashboard is not the gateway's hot path; tokens keep their cache).
 */
export class BrowserSessions {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly config: BrowserSessionConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts a session for a user who just signed in; also sweeps sessions that have ended. */
  async create(userId: string, method: SessionMethod): Promise<NewSession> {
    const now = this.now();
    await this.sweep(now);
    const secret = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now + this.config.maxAgeMs);
    await this.db
      .insertInto('browser_sessions')
      .values({
        user_id: userId,
        secret_hash: hashSecret(secret),
        csrf_token: csrfToken,
        method,
        created_at: new Date(now),
        last_seen_at: new Date(now),
        expires_at: expiresAt,
      })
      .execute();
    return { secret, csrfToken, expiresAt };
  }

  /** The signed-in user behind a cookie, or why there is none; keeps an active session alive. */
  async authenticate(secret: string): Promise<SessionResult> {
    const row = await this.db
      .selectFrom('browser_sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .selectAll('s')
      .select(['u.username', 'u.name', 'u.avatar_url', 'u.role', 'u.deleted_at'])
      .where('s.secret_hash', '=', hashSecret(secret))
      .executeTakeFirst();
    if (!row) return { ok: false, reason: 'unknown' };
    const now = this.now();
    if (row.deleted_at) return { ok: false, reason: 'user-deleted' };
    // Left in place (the next sign-in sweeps it): requests racing in still hear "expired".
    if (!this.isLive(row, now)) return { ok: false, reason: 'expired' };
    if (now - row.last_seen_at.getTime() >= TOUCH_GRANULARITY_MS) {
      await this.db
        .updateTable('browser_sessions')
        .set({ last_seen_at: new Date(now) })
        .where('id', '=', row.id)
        .execute();
    }
    const { username, name, avatar_url, role, deleted_at: _deleted, ...session } = row;
    return {
      ok: true,
      session,
      actor: { userId: row.user_id, username, name, avatarUrl: avatar_url, role, apiKeyId: '' },
    };
  }

  /** Signs the browser out on the server: the cookie names nothing from now on. */
  async end(secret: string): Promise<void> {
    await this.db.deleteFrom('browser_sessions').where('secret_hash', '=', hashSecret(secret)).execute();
  }

  private isLive(row: BrowserSessionRow, now: number): boolean {
    return row.expires_at.getTime() > now && now - row.last_seen_at.getTime() < this.config.idleMs;
  }

  private async sweep(now: number): Promise<void> {
    await this.db
      .deleteFrom('browser_sessions')
      .where((eb) =>
        eb.or([
          eb('expires_at', '<=', new Date(now)),
          eb('last_seen_at', '<=', new Date(now - this.config.idleMs)),
        ]),
      )
      .execute();
  }
}

/** Constant-time check of the `X-CSRF-Token` a cookie-authenticated change must carry. */
export function csrfTokenMatches(presented: string | undefined, expected: string): boolean {
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
