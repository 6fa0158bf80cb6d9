import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/databases.js';
import { GroupStore } from '../../groups/store.js';
import { UserStore } from '../../store/users.js';
import { type Identity, SignInRefused } from './claims.js';
import { provisionUser } from './provision.js';
import { BrowserSessions } from './sessions.js';

const ISSUER = 'https://idp.example.com';
const HOUR = 3_600_000;

function identity(subject: string, extra: Partial<Identity> = {}): Identity {
  return {
    subject,
    username: subject,
    name: `Person ${subject}`,
    avatarUrl: '',
    email: `${subject}@example.com`,
    groups: [],
    role: undefined,
    ...extra,
  };
}

describeEachDatabase('single sign-on store', (db) => {
  it('creates the user on first sign-in, then refreshes it and keeps the same row', async () => {
    const first = await provisionUser(db().kysely, ISSUER, identity('dana'), new Map());
    expect(first).toMatchObject({
      created: true,
      user: { username: 'dana', role: 'member', name: 'Person dana' },
    });
    const again = await provisionUser(
      db().kysely,
      ISSUER,
      identity('dana', { name: 'Dana D', role: 'auditor' }),
      new Map(),
    );
    expect(again).toMatchObject({
      created: false,
      roleBefore: 'member',
      user: { id: first.user.id, name: 'Dana D', role: 'auditor' },
    });
  });

  it('refuses a username a local user holds, and a deleted single sign-on user', async () => {
    await new UserStore(db().kysely).create({ username: 'local-erin', role: 'member' });
    await expect(
      provisionUser(db().kysely, ISSUER, identity('x1', { username: 'local-erin' }), new Map()),
    ).rejects.toThrow(SignInRefused);
    const frank = await provisionUser(db().kysely, ISSUER, identity('frank'), new Map());
    await new UserStore(db().kysely).softDelete(frank.user.id);
    await expect(provisionUser(db().kysely, ISSUER, identity('frank'), new Map())).rejects.toThrow(/deleted/);
  });

  it('syncs identity-provider memberships and leaves those an owner added', async () => {
    const groups = new GroupStore(db().kysely);
    const platform = await groups.create('platform');
    const manual = await groups.create('hand-picked');
    const user = (
      await provisionUser(
        db().kysely,
        ISSUER,
        identity('gail', { groups: ['platform', 'idp-ml'] }),
        new Map([['idp-ml', 'ml']]),
      )
    ).user;
    await groups.addMember(manual.id, user.id);
    const names = async () => (await groups.list(user.id)).map((g) => g.name).sort();
    expect(await names()).toEqual(['hand-picked', 'ml', 'platform']);
    const later = await provisionUser(
      db().kysely,
      ISSUER,
      identity('gail', { groups: ['idp-ml'] }),
      new Map([['idp-ml', 'ml']]),
    );
    expect(later).toMatchObject({ groupsAdded: [], groupsRemoved: ['platform'] });
    expect(await names()).toEqual(['hand-picked', 'ml']);
    expect((await groups.find(platform.id))?.name).toBe('platform');
  });

  it('ends sessions when idle, at their absolute expiry, at sign-out and with their user', async () => {
    let now = Date.parse('2026-12-08T00:00:00Z');
    const sessions = new BrowserSessions(db().kysely, { idleMs: 2 * HOUR, maxAgeMs: 5 * HOUR }, () => now);
    const user = (await provisionUser(db().kysely, ISSUER, identity('hank'), new Map())).user;
    const idle = await sessions.create(user.id, 'oidc');
    const active = await sessions.create(user.id, 'oidc');
    expect(await sessions.authenticate(active.secret)).toMatchObject({
      ok: true,
      actor: { username: 'hank', apiKeyId: '' },
    });
    now += 1.5 * HOUR;
    await sessions.authenticate(active.secret);
    now += 1 * HOUR;
    expect(await sessions.authenticate(idle.secret)).toEqual({ ok: false, reason: 'expired' });
    expect(await sessions.authenticate(active.secret)).toMatchObject({ ok: true });
    now += 1.5 * HOUR;
    expect(await sessions.authenticate(active.secret)).toMatchObject({ ok: true });
    // Active all along, but past its absolute lifetime.
    now += 1.5 * HOUR;
    expect(await sessions.authenticate(active.secret)).toEqual({ ok: false, reason: 'expired' });

    const ended = await sessions.create(user.id, 'oidc');
    await sessions.end(ended.secret);
    expect(await sessions.authenticate(ended.secret)).toEqual({ ok: false, reason: 'unknown' });
    const orphan = await sessions.create(user.id, 'oidc');
    await new UserStore(db().kysely).softDelete(user.id);
    expect(await sessions.authenticate(orphan.secret)).toEqual({ ok: false, reason: 'user-deleted' });
    expect(await sessions.authenticate('not-a-session')).toEqual({ ok: false, reason: 'unknown' });
  });
});
