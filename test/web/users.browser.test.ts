import { expect, it } from 'vitest';
import { describeInBrowser, screenshots } from './browser.js';

describeInBrowser('dashboard: users and tokens', (dashboard) => {
  it('lets an owner create a user, issue a token shown once, and revoke it', async () => {
    const server = dashboard().server;
    const page = await dashboard().open({ token: server.ownerToken });
    await page.goto('/users');
    await page.getByRole('heading', { name: 'Users & tokens' }).waitFor();

    const form = page.getByRole('form', { name: 'Create a user' });
    await form.getByLabel('Username').fill('dana');
    await form.getByLabel('Name (optional)').fill('Dana Scully');
    await form.getByLabel('Role').selectOption('auditor');
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('heading', { name: 'Tokens of Dana Scully' }).waitFor();
    expect(await page.getByRole('table', { name: 'Users' }).textContent()).toContain('@dana');

    const tokens = page.getByRole('region', { name: 'Tokens of Dana Scully' });
    await tokens.getByLabel('Name (optional)').fill('laptop');
    await tokens.getByRole('button', { name: 'Issue token' }).click();
    const token = (await page.getByTestId('new-token').textContent()) ?? '';
    expect(token).toMatch(/^[a-zA-Z0-9]{10}-[a-zA-Z0-9]{22}$/);
    await page.getByRole('button', { name: 'Copy' }).waitFor();
    expect(await page.getByText('it will not be shown again').count()).toBe(1);
    await screenshots(page, 'users');

    const me = await server.request('/api/v2/users/me', { token });
    expect(((await me.json()) as { username: string }).username).toBe('dana');
    const row = page.getByRole('row', { name: /laptop/ });
    await row.waitFor();

    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await server.request('/api/v2/users/me', { token })).status).toBe(401);
  });

  it('shows a validation error for a taken username', async () => {
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    await page.goto('/users');
    const form = page.getByRole('form', { name: 'Create a user' });
    await form.getByLabel('Username').fill('admin');
    await form.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/already taken/);
  });

  it('gives members no way into user management', async () => {
    const member = await dashboard().server.createUser('plain-member');
    const page = await dashboard().open({ token: member.token });
    await page.goto('/usage');
    await page.getByRole('heading', { name: 'Usage' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'Sessions',
      'Request log',
      'Usage',
      'Spend',
      'Budgets',
      'Groups',
      'Connect',
    ]);
    await page.goto('/users');
    await page.getByRole('heading', { name: 'No access' }).waitFor();
    await screenshots(page, 'users-no-access');
  });
});
