import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeInBrowser, STORED_TOKEN, screenshots } from './browser.js';

describeInBrowser('dashboard: signing in and out', (dashboard) => {
  it('signs in with a pasted token, shows who is signed in, and signs out', async () => {
    const page = await dashboard().open();
    await page.goto('/usage');
    await page.waitForURL('**/signin');
    await page.getByRole('heading', { name: 'aibridge' }).waitFor();
    await screenshots(page, 'signin');
    await page.getByLabel('API token').fill(dashboard().server.ownerToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back to where the browser was going, signed in as the bootstrapped owner.
    await page.waitForURL('**/usage');
    await page.getByRole('heading', { name: 'Usage' }).waitFor();
    expect(await page.locator('.whoami').textContent()).toContain('Administrator');
    expect(await page.evaluate(STORED_TOKEN)).toBe(dashboard().server.ownerToken);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/signin');
    expect(await page.evaluate(STORED_TOKEN)).toBeNull();
    await page.goto('/sessions');
    await page.waitForURL('**/signin');
  });

  it('explains a mistyped, unknown or expired token', async () => {
    const user = await dashboard().server.createUser('expiring');
    await sql`update api_keys set expires_at = now() - interval '1 minute' where user_id = ${user.id}`.execute(
      dashboard().server.running.db.kysely,
    );
    const page = await dashboard().open();
    await page.goto('/signin');
    const cases: Array<[string, RegExp]> = [
      ['not-a-token', /does not look like an aibridge token/],
      ['abcdefghij-abcdefghijabcdefghijab', /not valid: it may have been revoked or mistyped/],
      [user.token, /has expired/],
    ];
    for (const [token, message] of cases) {
      await page.getByLabel('API token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toMatch(message);
    }
    expect(page.url()).toMatch(/\/signin$/);
    await screenshots(page, 'signin-expired');
  });

  it('returns to sign-in with the reason when the token is revoked mid-session', async () => {
    const member = await dashboard().server.createUser('revoked-later');
    const page = await dashboard().open({ token: member.token });
    await page.goto('/usage');
    await page.getByRole('heading', { name: 'Usage' }).waitFor();
    const keyId = member.token.split('-')[0];
    const revoke = await dashboard().server.request(`/api/v2/users/${member.id}/keys/${keyId}`, {
      method: 'DELETE',
    });
    expect(revoke.status).toBe(204);
    await page.reload();
    await page.waitForURL('**/signin');
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/You were signed out/);
  });
});
