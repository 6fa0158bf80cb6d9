import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK_PATH } from '../../src/auth/oidc/relying-party.js';
import { BIN, runCli, temporaryConfigDir } from '../cli.js';
import {
  freePort,
  oidcSettings,
  startIdentityProvider,
  type TestAccount,
  type TestIdentityProvider,
} from '../oidc/provider.js';
import { chromiumMissing, type Dashboard, screenshots, startDashboard } from './browser.js';

const accounts = new Map<string, TestAccount>([
  [
    'alice',
    {
      email: 'alice@example.com',
      name: 'Alice Admin',
      groups: ['aibridge-users', 'aibridge-owners', 'platform'],
    },
  ],
  ['bob', { email: 'bob@example.com', name: 'Bob Builder', groups: ['aibridge-users'] }],
  ['carol', { email: 'carol@example.com', name: 'Carol Coder', groups: ['aibridge-users'] }],
]);

/** Opens a page with its own cookies; the provider's page asks for web fonts: never fetched here. */
async function openPage(dashboard: Dashboard): Promise<Page> {
  const page = await dashboard.open();
  await page.context().route(/fonts\.googleapis\.com/, (route) => route.abort());
  return page;
}

/** From the dashboard's sign-in page through the provider's own sign-in and consent forms. */
async function signInAtProvider(page: Page, login: string): Promise<void> {
  await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('any-password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

describe.skipIf(chromiumMissing !== undefined)(
  `dashboard and CLI: single sign-on against a real OpenID provider${chromiumMissing ? ` [SKIPPED: ${chromiumMissing}]` : ''}`,
  () => {
    let idp: TestIdentityProvider;
    let dashboard: Dashboard;
    let publicUrl: string;

    beforeAll(async () => {
      const port = await freePort();
      publicUrl = `http://127.0.0.1:${port}`;
      idp = await startIdentityProvider(`${publicUrl}${CALLBACK_PATH}`, accounts);
      dashboard = await startDashboard({
        http: { host: '127.0.0.1', port },
        oidc: oidcSettings(idp, publicUrl, {
          roleMap: new Map([['aibridge-owners', 'owner']]),
          groupMap: new Map([['aibridge-users', 'everyone']]),
          requiredGroups: ['aibridge-users'],
        }),
      });
      const created = await dashboard.server.request('/api/v2/groups', {
        method: 'POST',
        json: { name: 'platform' },
      });
      expect(created.status).toBe(201);
    });
    afterAll(async () => {
      await dashboard?.close();
      await idp?.close();
    });

    const db = () => dashboard.server.running.db.kysely;

    /**
     * Signs in at the provider in a fresh browser but holds back its redirect to aibridge's
     * callback (the provider's redirects are followed here, since a browser route sees only
     * the first request of a redirect chain), returning that page and the callback URL unsent.
     */
    async function heldCallback(login: string): Promise<{ page: Page; url: string }> {
      const page = await openPage(dashboard);
      let captured: string | undefined;
      await page.context().route(`${idp.issuer}/**`, async (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        let response = await route.fetch({ maxRedirects: 0 });
        for (let hop = 0; hop < 5 && response.status() >= 300 && response.status() < 400; hop++) {
          const location = new URL(response.headers().location ?? '', response.url()).href;
          if (location.startsWith(`${publicUrl}${CALLBACK_PATH}`)) {
            captured = location;
            return route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Held back</h1>' });
          }
          response = await page.context().request.get(location, { maxRedirects: 0 });
        }
        return route.fulfill({ response });
      });
      await page.goto('/signin');
      await signInAtProvider(page, login);
      await page.getByRole('heading', { name: 'Held back' }).waitFor();
      await page.context().unroute(`${idp.issuer}/**`);
      return { page, url: captured as string };
    }

    it('creates the user with mapped groups and role at first sign-in, refuses a cookie change without its CSRF token, and signs out on the server', async () => {
      const page = await openPage(dashboard);
      await page.goto('/usage');
      await page.waitForURL('**/signin');
      await screenshots(page, 'signin-sso');
      await signInAtProvider(page, 'alice');
      await page.waitForURL('**/usage');
      await page.getByRole('heading', { name: 'Usage' }).waitFor();
      expect(await page.locator('.whoami').textContent()).toContain('Alice Admin');

      const user = await (await dashboard.server.request('/api/v2/users/alice')).json();
      expect(user).toMatchObject({ username: 'alice', name: 'Alice Admin', role: 'owner' });
      const { groups } = (await (await dashboard.server.request('/api/v2/groups')).json()) as {
        groups: Array<{ name: string; members: Array<{ username: string }> }>;
      };
      const membersOf = (name: string) => groups.find((g) => g.name === name)?.members.map((m) => m.username);
      expect(membersOf('platform')).toEqual(['alice']);
      expect(membersOf('everyone')).toEqual(['alice']);

      const cookies = await page.context().cookies();
      const session = cookies.find((c) => c.name === 'aibridge_session');
      const csrf = cookies.find((c) => c.name === 'aibridge_csrf');
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
      expect(csrf).toMatchObject({ httpOnly: false, sameSite: 'Lax' });

      // A forged change rides on the cookie but cannot know the CSRF token.
      const forged = await page.request.post('/api/v2/users/me/keys', { data: { token_name: 'forged' } });
      expect(forged.status()).toBe(403);
      expect(await forged.json()).toMatchObject({ detail: expect.stringMatching(/X-CSRF-Token/) });
      const genuine = await page.request.post('/api/v2/users/me/keys', {
        data: { token_name: 'genuine' },
        headers: { 'x-csrf-token': csrf?.value ?? '' },
      });
      expect(genuine.status()).toBe(201);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL('**/signin');
      // The old cookie names nothing any more: the session ended on the server.
      const replayed = await fetch(`${publicUrl}/api/v2/users/me`, {
        headers: { cookie: `aibridge_session=${session?.value}` },
      });
      expect(replayed.status).toBe(401);
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from browser_sessions s join users u on u.id = s.user_id where u.username = 'alice'`.execute(
        db(),
      );
      expect(rows[0]?.n).toBe(0);
    });

    it('sends an expired session back to sign-in with the reason, and a deleted user out at once', async () => {
      const page = await openPage(dashboard);
      await page.goto('/signin');
      await signInAtProvider(page, 'bob');
      await page.waitForURL('**/sessions');
      await sql`update browser_sessions set last_seen_at = now() - interval '13 hours' where user_id = (select id from users where username = 'bob')`.execute(
        db(),
      );
      const stale = (await page.context().cookies()).find((c) => c.name === 'aibridge_session');
      const expired = await fetch(`${publicUrl}/api/v2/users/me`, {
        headers: { cookie: `aibridge_session=${stale?.value}` },
      });
      expect(expired.status).toBe(401);
      expect(await expired.json()).toMatchObject({ detail: expect.stringMatching(/session expired/) });
      // The home page may still be loading: its own requests can hear the 401 before the reload
      // does, and the reason must survive the reload all the same.
      await page.reload();
      await page.waitForURL('**/signin');
      await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/session expired/);

      const again = await openPage(dashboard);
      await again.goto('/signin');
      await signInAtProvider(again, 'bob');
      await again.waitForURL('**/sessions');
      const cookie = (await again.context().cookies()).find((c) => c.name === 'aibridge_session');
      const bob = (await (await dashboard.server.request('/api/v2/users/bob')).json()) as { id: string };
      const deleted = await dashboard.server.request(`/api/v2/users/${bob.id}`, { method: 'DELETE' });
      expect(deleted.ok).toBe(true);
      const after = await fetch(`${publicUrl}/api/v2/users/me`, {
        headers: { cookie: `aibridge_session=${cookie?.value}` },
      });
      expect(after.status).toBe(401);
      expect(await after.json()).toMatchObject({ detail: expect.stringMatching(/deleted/) });
      await again.reload();
      await again.waitForURL('**/signin');
      await expect.poll(() => again.getByRole('alert').textContent()).toMatch(/deleted/);
    });

    it('refuses at the next sign-in a person removed from the required group', async () => {
      const first = await openPage(dashboard);
      await first.goto('/signin');
      await signInAtProvider(first, 'carol');
      await first.waitForURL('**/sessions');
      accounts.set('carol', { ...(accounts.get('carol') as TestAccount), groups: [] });
      const again = await openPage(dashboard);
      await again.goto('/signin');
      await signInAtProvider(again, 'carol');
      await again.getByRole('heading', { name: 'Sign-in failed' }).waitFor();
      expect(await again.getByRole('alert').textContent()).toMatch(/not in a group allowed to use aibridge/);
      await screenshots(again, 'signin-sso-refused');
    });

    it('fails a callback whose state, PKCE verifier or nonce was tampered with', async () => {
      const held = await heldCallback('alice');
      const page = held.page;
      const tamperedState = new URL(held.url);
      tamperedState.searchParams.set('state', 'forged-state');
      const stateAnswer = await page.goto(tamperedState.href);
      expect(stateAnswer?.status()).toBe(400);
      expect(await page.getByRole('alert').textContent()).toMatch(/state/i);

      for (const field of ['codeVerifier', 'nonce'] as const) {
        const { page, url: callback } = await heldCallback('alice');
        const pending = (await page.context().cookies()).find((c) => c.name === 'aibridge_oidc');
        expect(pending).toBeDefined();
        const value = JSON.parse(Buffer.from(pending?.value ?? '', 'base64url').toString());
        value[field] = `${value[field]}-tampered`;
        await page.context().addCookies([
          {
            ...(pending as NonNullable<typeof pending>),
            value: Buffer.from(JSON.stringify(value)).toString('base64url'),
          },
        ]);
        const answer = await page.goto(callback);
        expect(answer?.status()).toBe(400);
        expect(await page.getByRole('alert').textContent()).toMatch(
          field === 'nonce' ? /nonce/i : /refused the code/i,
        );
      }
      // And a genuine callback is redeemed once: replaying it finds no sign-in in flight.
      const genuine = await heldCallback('alice');
      await genuine.page.goto(genuine.url);
      await genuine.page.waitForURL('**/sessions');
      const replay = await genuine.page.goto(genuine.url);
      expect(replay?.status()).toBe(400);
    });

    for (const method of ['single sign-on', 'a pasted token'] as const) {
      it(`aibridge login <url> signs the CLI in through the browser with ${method}`, async () => {
        const config = temporaryConfigDir();
        try {
          const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', XDG_CONFIG_HOME: config };
          const child = spawn(process.execPath, [BIN, 'login', publicUrl, '--web', '--no-browser'], { env });
          child.stdin.end();
          let stderr = '';
          child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
            stderr += chunk;
          });
          const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
          await expect.poll(() => /https?:\/\/\S+\/cli-login\S+/.exec(stderr)?.[0]).toBeDefined();
          const url = /https?:\/\/\S+\/cli-login\S+/.exec(stderr)?.[0] as string;

          const page = await openPage(dashboard);
          await page.goto(url);
          await page.waitForURL('**/signin');
          if (method === 'single sign-on') await signInAtProvider(page, 'alice');
          else {
            await page.getByLabel('API token').fill(dashboard.server.ownerToken);
            await page.getByRole('button', { name: 'Sign in', exact: true }).click();
          }
          await page.getByRole('button', { name: 'Authorize the CLI' }).click();
          await page.getByRole('heading', { name: 'Signed in' }).waitFor();
          expect(await exited).toBe(0);
          const who = method === 'single sign-on' ? 'alice' : 'admin';
          expect(stderr).toContain(`Logged in to ${publicUrl} as ${who}`);
          const whoami = await runCli(['whoami', '-o', 'json'], { XDG_CONFIG_HOME: config });
          expect(whoami.code).toBe(0);
          expect(JSON.parse(whoami.stdout)).toMatchObject({ username: who });
        } finally {
          rmSync(config, { recursive: true, force: true });
        }
      });
    }
  },
);
