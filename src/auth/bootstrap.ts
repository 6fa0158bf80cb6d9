import { sql } from 'kysely';
import { recordAudit, SYSTEM } from '../audit/trail.js';
import type { Database } from '../db/database.js';
import { ApiKeyStore } from '../store/api-keys.js';
import { UserStore } from '../store/users.js';
import { MAX_TOKEN_LIFETIME_SECONDS, parseToken } from './token.js';

/** The owner the first start created, and its token when aibridge generated it. */
export interface Bootstrapped {
  username: string;
  /** Present only when generated here; a preset AIBRIDGE_BOOTSTRAP_TOKEN is never echoed. */
  generatedToken: string | undefined;
}

const BOOTSTRAP_LOCK = 'aibridge_bootstrap';
const OWNER_NAMES = ['admin', 'admin-1', 'admin-2', 'admin-3', 'aibridge-admin'];

/**
 * Makes sure someone can sign in: when no live owner exists, creates owner `admin` with the
 * preset token or a fresh one. Runs under an advisory lock so replicas starting together
 * create exactly one owner.
 */
export async function bootstrapOwner(
  db: Database,
  presetToken: string | undefined,
): Promise<Bootstrapped | undefined> {
  return db.kysely.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${BOOTSTRAP_LOCK}))`.execute(trx);
    const users = new UserStore(trx);
    if ((await users.countLiveOwners()) > 0) return undefined;
    let username: string | undefined;
    for (const candidate of OWNER_NAMES) {
      if (!(await users.findLive(candidate))) {
        username = candidate;
        break;
      }
    }
    if (!username) throw new Error('no owner exists and every bootstrap username is taken');
    const owner = await users.create({ username, name: 'Administrator', role: 'owner' });
    const preset = presetToken ? parseToken(presetToken) : undefined;
    const { token, key } = await new ApiKeyStore(trx).create({
      userId: owner.id,
      tokenName: 'bootstrap',
      lifetimeSeconds: MAX_TOKEN_LIFETIME_SECONDS,
      ...(preset ? { presetToken: preset } : {}),
    });
    await recordAudit(trx, SYSTEM, {
      action: 'user.create',
      target: { type: 'user', id: owner.id },
      after: { username, role: 'owner', bootstrap_token_id: key.id },
    });
    return { username, generatedToken: preset ? undefined : token };
  });
}
