import { expect, it } from 'vitest';
import { ARGUMENTS_HIDDEN, PROMPT_HIDDEN } from '../../src/audit/prompt-policy.js';
import { Seeder } from '../seed.js';
import { describeInBrowser, screenshots } from './browser.js';

describeInBrowser('dashboard: audit log', (dashboard) => {
  it('audits a token sign-in and shows owners each change with its before and after', async () => {
    const server = dashboard().server;
    const page = await dashboard().open();
    await page.goto('/signin');
    await page.getByLabel('API token').fill(server.ownerToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const table = page.getByRole('table', { name: 'Audit entries' });
    await table.getByText('user.sign_in').waitFor();

    await server.request('/api/v2/groups', { method: 'POST', json: { name: 'before-name' } });
    await server.request('/api/v2/groups/before-name', { method: 'PUT', json: { name: 'after-name' } });
    await page.getByLabel('Filter', { exact: true }).fill('action:group.rename');
    await page.getByRole('button', { name: 'Search' }).click();
    const row = table.getByRole('row', { name: /group\.rename/ });
    await expect.poll(() => row.getByTitle('name before').textContent()).toBe('before-name');
    expect(await row.getByTitle('name after').textContent()).toBe('after-name');
    expect(await table.getByText('user.sign_in').count()).toBe(0);
    await screenshots(page, 'audit');
  });

  it('lists the page for auditors and keeps members out', async () => {
    const auditor = await dashboard().server.createUser('web-auditor', 'auditor');
    const page = await dashboard().open({ token: auditor.token });
    await page.goto('/audit');
    await page.getByRole('table', { name: 'Audit entries' }).waitFor();
    const member = await dashboard().server.createUser('web-member');
    const memberPage = await dashboard().open({ token: member.token });
    await memberPage.goto('/audit');
    await memberPage.getByRole('heading', { name: 'No access' }).waitFor();
    const links = await memberPage
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link')
      .allTextContents();
    expect(links).not.toContain('Audit');
  });
});

const SECRET_PROMPT = 'summarise the quarterly numbers in confidential.xlsx';

describeInBrowser(
  'dashboard: prompts hidden by policy',
  (dashboard) => {
    it('shows members the marker where their prompts and tool arguments would be, and owners the text', async () => {
      const server = dashboard().server;
      const member = await server.createUser('hidden-web');
      await new Seeder(server.running.db.kysely).interceptions([
        {
          initiatorId: member.id,
          clientSessionId: 'web-hidden-session',
          startedAt: new Date(Date.now() - 60_000),
          prompt: SECRET_PROMPT,
          tokens: [{ input: 10, output: 5 }],
          tools: [{ tool: 'Read', input: { file_path: '/srv/confidential.xlsx' } }],
        },
      ]);
      const page = await dashboard().open({ token: member.token });
      await page.goto('/sessions');
      await page.getByText(PROMPT_HIDDEN).first().waitFor();
      await page.goto('/sessions/web-hidden-session');
      await page.getByText(PROMPT_HIDDEN).first().waitFor();
      await page.getByText(ARGUMENTS_HIDDEN).first().waitFor();
      expect(await page.content()).not.toContain('confidential');
      await page.goto('/requests');
      await page.getByText(PROMPT_HIDDEN).first().waitFor();
      expect(await page.content()).not.toContain('confidential');
      await screenshots(page, 'prompt-hidden');

      const owner = await dashboard().open({ token: server.ownerToken });
      await owner.goto('/sessions/web-hidden-session');
      await owner.getByText(SECRET_PROMPT).first().waitFor();
    });
  },
  { prompts: { recording: 'full', truncateChars: 2000, readers: 'owners' } },
);
