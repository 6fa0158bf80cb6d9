import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import { ApiKeyStore, type KeyWithUser } from '../store/api-keys.js';
import type { Actor } from './roles.js';
import { parseToken, secretMatches } from './token.js';

/** Why a presented token was refused; the API turns it into a 401 detail. */
export type AuthFailure = 'malformed' | 'unknown' | 'expired' | 'user-deleted';

/** The outcome of checking a token: an actor, or the reason it was refused. */
export type AuthResult = { ok: true; actor: Actor } | { ok: false; reason: AuthFailure };

interface CacheEntry {
  key: KeyWithUser;
  cachedAt: number;
}

/** Channel on which any replica announces that tokens or users changed. */
export const AUTH_CHANGED_CHANNEL = 'aibridge_auth_changed';

const CACHE_TTL_MS = 10_000;
/**
 * While the database is unavailable, a token verified this recently keeps authenticating from
 * the cache (revocations made during the outage cannot reach this replica anyway).
 */
const OUTAGE_STALE_MS = 5 * 60_000;
const CACHE_MAX_ENTRIES = 10_000;
const LAST_USED_GRANULARITY_MS = 60_000;
const LAST_USED_FLUSH_MS = 10_000;
/**
 * How often a replica on PostgreSQL reads `aibridge_auth_version` (bumped by triggers on every
 * token or user change): a revocation whose NOTIFY this replica missed (its LISTEN connection
 * was being re-made) empties the cache within this plus one query, under 2 s.
 */
const REVOCATION_POLL_MS = 1000;

/**
 * Turns a presented token into an Actor. It sits on every gateway request, so verified keys are
 * cached briefly; any replica that deletes a user or token clears every replica's cache via
 * NOTIFY (milliseconds), a missed NOTIFY is caught by a once-a-second poll of the auth version
 * (under 2 s), and `last_used` is written in batches rather than per request.
 */
export class Authenticator {
  private readonly keys: ApiKeyStore;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly pendingLastUsed = new Map<string, Date>();
  private flushTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private authVersion: number | undefined;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
  ) {
    this.keys = new ApiKeyStore(db.kysely);
  }

  /** Subscribes to invalidations and starts the periodic `last_used` flush. */
  async start(): Promise<void> {
    await this.db.listen(AUTH_CHANGED_CHANNEL, () => this.cache.clear());
    this.flushTimer = setInterval(() => void this.flushLastUsed(), LAST_USED_FLUSH_MS);
    this.flushTimer.unref();
    if (this.db.kind === 'postgres') {
      // The embedded database is one process: its NOTIFY cannot be missed.
      await this.pollAuthVersion();
      this.pollTimer = setInterval(() => void this.pollAuthVersion(), REVOCATION_POLL_MS);
      this.pollTimer.unref();
    }
  }

  /** Empties the cache when tokens or users changed since the last poll (whatever NOTIFY did). */
  private async pollAuthVersion(): Promise<void> {
    try {
      const row = await this.db.kysely
        .selectFrom('aibridge_auth_version')
        .select('version')
        .executeTakeFirst();
      const version = Number(row?.version ?? 0);
      if (this.authVersion !== undefined && version !== this.authVersion) this.cache.clear();
      this.authVersion = version;
    } catch {
      // The database is away: the outage rules of authenticate() apply until it is back.
    }
  }

  async authenticate(token: string): Promise<AuthResult> {
    const parsed = parseToken(token);
    if (!parsed) return { ok: false, reason: 'malformed' };
    const now = Date.now();
    let entry = this.cache.get(token);
    if (!entry || now - entry.cachedAt > CACHE_TTL_MS) {
      const stale = entry && now - entry.cachedAt <= OUTAGE_STALE_MS ? entry : undefined;
      let key: KeyWithUser | undefined;
      if (stale && this.db.health.down) {
        // The database is out: a token verified in the last few minutes keeps working.
        key = stale.key;
      } else {
        try {
          key = await this.keys.findWithUser(parsed.id);
        } catch (error) {
          if (!stale || !this.db.health.failed(error)) throw error;
          key = stale.key;
        }
      }
      if (!key || !secretMatches(parsed.secret, key.key.hashed_secret)) {
        this.cache.delete(token);
        return { ok: false, reason: 'unknown' };
      }
      if (key !== stale?.key) {
        entry = { key, cachedAt: now };
        if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
        this.cache.set(token, entry);
      } else entry = stale;
    }
    const { key, user } = entry.key;
    if (user.deleted_at) return { ok: false, reason: 'user-deleted' };
    if (key.expires_at.getTime() <= now) return { ok: false, reason: 'expired' };
    this.noteUse(key.id, key.last_used, now);
    return {
      ok: true,
      actor: {
        userId: user.id,
        username: user.username,
        name: user.name,
        avatarUrl: user.avatar_url,
        role: user.role,
        apiKeyId: key.id,
      },
    };
  }

  /** Forgets every cached key here and on every other replica (after deletes and role changes). */
  async invalidate(): Promise<void> {
    this.cache.clear();
    await this.db.notify(AUTH_CHANGED_CHANNEL, '');
  }

  private noteUse(keyId: string, stored: Date | null, now: number): void {
    const pending = this.pendingLastUsed.get(keyId);
    const last = pending?.getTime() ?? stored?.getTime() ?? 0;
    if (now - last >= LAST_USED_GRANULARITY_MS) this.pendingLastUsed.set(keyId, new Date(now));
  }

  /** Writes the pending `last_used` times; called on a timer and at shutdown. */
  async flushLastUsed(): Promise<void> {
    if (this.pendingLastUsed.size === 0) return;
    const batch = new Map(this.pendingLastUsed);
    this.pendingLastUsed.clear();
    for (const entry of this.cache.values()) {
      const at = batch.get(entry.key.key.id);
      if (at) entry.key.key.last_used = at;
    }
    try {
      await this.keys.touch(batch);
    } catch (error) {
      this.log.warn({ err: error }, 'could not record token last_used times');
    }
  }

  async close(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.flushLastUsed();
  }
}
