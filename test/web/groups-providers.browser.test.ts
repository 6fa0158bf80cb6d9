import { expect, it } from 'vitest';
import { describeInBrowser } from './browser.js';

const SECRET = 'sk-browser-test-secret-key-9f8e7d6c';
const OTHER_SECRET = 'sk-browser-second-secret-key-a1b2c3';

describeInBrowser('dashboard: groups and providers', (dashboard) => {
  it('lets an owner create a group and add a member picked from the users', async () => {
    const server = dashboard().server;
    await server.createUser('gina');
    const page = await dashboard().open({ token: server.ownerToken });
    await page.goto('/groups');
    await page.getByRole('heading', { name: 'Groups' }).first().waitFor();

    await page.getByLabel('Group name').fill('platform');
    await page.getByRole('button', { name: 'Create group' }).click();
    const card = page.getByRole('region', { name: 'Group platform' });
    await card.getByText('0 members').waitFor();

    await card.getByLabel('Add a member').selectOption({ label: 'gina' });
    await card.getByRole('button', { name: 'Add', exact: true }).click();
    await card.getByText('1 member').waitFor();
    expect(await card.textContent()).toContain('@gina');

    const groups = (await (await server.request('/api/v2/groups', { token: server.ownerToken })).json()) as {
      groups: Array<{ name: string; members: Array<{ username: string }> }>;
    };
    expect(groups.groups.find((g) => g.name === 'platform')?.members.map((m) => m.username)).toEqual([
      'gina',
    ]);

    // The group's shared limits: two fields; an empty one means no limit.
    const limits = card.getByRole('form', { name: 'Limits of platform' });
    await limits.getByLabel('Requests per minute (whole group)').fill('600');
    await limits.getByLabel('Tokens per minute (whole group)').fill('2000000');
    await limits.getByRole('button', { name: 'Save limits' }).click();
    const limited = async () => {
      const res = await server.request('/api/v2/groups/platform', { token: server.ownerToken });
      const group = (await res.json()) as {
        requests_per_minute: number | null;
        tokens_per_minute: number | null;
      };
      return [group.requests_per_minute, group.tokens_per_minute];
    };
    await expect.poll(limited).toEqual([600, 2_000_000]);
    await limits.getByLabel('Tokens per minute (whole group)').fill('');
    await limits.getByRole('button', { name: 'Save limits' }).click();
    await expect.poll(limited).toEqual([600, null]);
  });

  it('lets an owner add a provider with a key shown only as a hint, edit it and delete it', async () => {
    const server = dashboard().server;
    const page = await dashboard().open({ token: server.ownerToken });
    await page.goto('/providers');
    const form = page.getByRole('form', { name: 'Add a provider' });
    await form.getByLabel(/^Name/).fill('vllm-lab');
    await form.getByLabel('Type').selectOption('openai-compatible');
    await form.getByLabel('Base URL').fill('http://127.0.0.1:9/v1');
    await form.getByLabel('Model allowlist').fill('llama-3');
    await form.getByLabel('Keys').fill(SECRET);
    await form.getByRole('button', { name: 'Add provider' }).click();

    const row = page.getByRole('row', { name: /vllm-lab/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('sk-…7d6c');
    expect(await page.content()).not.toContain(SECRET);

    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Edit vllm-lab' });
    await edit.getByLabel('Base URL').fill('http://127.0.0.1:10/v1');
    await edit.getByRole('button', { name: 'Save provider' }).click();
    await expect.poll(() => row.textContent()).toContain('http://127.0.0.1:10/v1');
    expect(await page.content()).not.toContain(SECRET);

    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    const list = await server.request('/api/v2/aibridge/providers', { token: server.ownerToken });
    expect(JSON.stringify(await list.json())).not.toContain('vllm-lab');
  });

  it("lets an owner add one key to an instance, see each key's state and remove one", async () => {
    const server = dashboard().server;
    const created = await server.request('/api/v2/aibridge/providers', {
      method: 'POST',
      json: { name: 'key-lab', type: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1', keys: [SECRET] },
    });
    expect(created.status).toBe(201);
    const page = await dashboard().open({ token: server.ownerToken });
    await page.goto('/providers');
    await page
      .getByRole('row', { name: /key-lab/ })
      .getByRole('button', { name: 'Keys' })
      .click();
    const panel = page.getByRole('region', { name: 'Keys of key-lab' });
    await panel.getByRole('row', { name: /sk-…7d6c/ }).waitFor();
    expect(await panel.getByRole('row', { name: /sk-…7d6c/ }).textContent()).toContain('active');

    await panel.getByLabel('New key').fill(OTHER_SECRET);
    await panel.getByRole('button', { name: 'Add key' }).click();
    await panel.getByRole('row', { name: /sk-…b2c3/ }).waitFor();
    expect(await panel.getByLabel('New key').inputValue()).toBe('');
    expect(await page.content()).not.toContain(OTHER_SECRET);

    page.once('dialog', (dialog) => void dialog.accept());
    await panel.getByRole('button', { name: 'Remove key sk-…7d6c' }).click();
    await panel.getByRole('row', { name: /sk-…7d6c/ }).waitFor({ state: 'detached' });
    const keys = await server.request('/api/v2/aibridge/providers/key-lab/keys', {
      token: server.ownerToken,
    });
    expect(((await keys.json()) as { hint: string }[]).map((k) => k.hint)).toEqual(['sk-…b2c3']);

    // The last key of a central instance stays: the page says why.
    page.once('dialog', (dialog) => void dialog.accept());
    await panel.getByRole('button', { name: 'Remove key sk-…b2c3' }).click();
    await panel.getByRole('alert').waitFor();
    expect(await panel.getByRole('alert').textContent()).toContain('last key');
  });
});
