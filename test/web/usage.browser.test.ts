import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { describeInBrowser, screenshots } from './browser.js';
import { produceScenario, type Scenario } from './scenario.js';

interface UsageJson {
  totals: { interceptions: number; input_tokens: number };
  by_user: Array<{ initiator: { username: string } }>;
}

const exact = (n: number) => new Intl.NumberFormat('en').format(n);

/** The number on one of the totals cards. */
async function total(page: Page, label: string): Promise<string> {
  const card = page.locator('.total', { has: page.getByText(label, { exact: true }) });
  return ((await card.locator('dd').textContent()) ?? '').trim();
}

describeInBrowser('dashboard: usage charts', (dashboard) => {
  let scenario: Scenario;
  const usage = async (q: string, token?: string) =>
    (await (
      await dashboard().server.request(
        `/api/v2/aibridge/usage?q=${encodeURIComponent(q)}`,
        token ? { token } : {},
      )
    ).json()) as UsageJson;
  beforeAll(async () => {
    // Some 60 agent threads through the real gateway: minutes on a loaded machine.
    scenario = await produceScenario(dashboard());
  }, 300_000);

  it('draws totals and the five charts an owner needs, matching the usage API, in the browser time zone', async () => {
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    const request = page.waitForRequest((r) => r.url().includes('/api/v2/aibridge/usage'));
    await page.goto('/usage');
    expect(new URL((await request).url()).searchParams.get('tz')).toBe('Europe/Paris');
    await page.getByRole('heading', { name: 'Usage' }).waitFor();
    await page.locator('.total').first().waitFor();

    const api = await usage('');
    expect(api.totals.interceptions).toBe(scenario.interceptions);
    expect(await total(page, 'Interceptions')).toBe(exact(scenario.interceptions));
    const captions = await page.locator('figure figcaption').allTextContents();
    expect(captions).toEqual([
      'Tokens over time',
      'Interceptions over time',
      'Tokens by model',
      'Tokens by client',
      'Top users by tokens',
    ]);
    for (const figure of await page.locator('figure').all()) {
      await expect.poll(() => figure.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
    }
    const users = page.locator('figure', { hasText: 'Top users by tokens' });
    for (const name of ['Alice Martin', 'Bob Chen', 'Carol Diaz']) {
      await users.getByText(name).waitFor();
    }
    await screenshots(page, 'usage');
  });

  it('narrows by the filter text and switches range and bucket, keeping them in the URL', async () => {
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    await page.goto('/usage');
    await page.locator('.total').first().waitFor();
    await page.getByRole('searchbox', { name: 'Filter' }).fill('client:Codex');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/filter=client%3ACodex/);
    const codex = exact((await usage('client:Codex')).totals.interceptions);
    await expect.poll(() => total(page, 'Interceptions')).toBe(codex);

    await page.getByLabel('Time').selectOption('30d');
    await page.waitForURL(/range=30d/);
    await page.getByRole('button', { name: 'Per day' }).click();
    expect(await page.getByRole('button', { name: 'Per day' }).getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => total(page, 'Interceptions')).toBe(codex);

    await page.getByRole('searchbox', { name: 'Filter' }).fill('model:no-such-model');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('No usage in this range').waitFor();
    await screenshots(page, 'usage-empty');
  });

  it('shows a member only their own usage', async () => {
    const page = await dashboard().open({ token: scenario.alice.token });
    await page.goto('/usage');
    await page.locator('.total').first().waitFor();
    const own = (await usage('', scenario.alice.token)).totals.interceptions;
    expect(await total(page, 'Interceptions')).toBe(exact(own));
    const byUser = page.locator('figure', { hasText: 'Top users by tokens' });
    await byUser.getByText('Alice Martin').waitFor();
    expect(await byUser.getByText('Bob Chen').count()).toBe(0);
    expect(await page.getByLabel('User', { exact: true }).count()).toBe(0);
    await screenshots(page, 'usage-member');
  });

  it('explains a bad filter in the server’s words', async () => {
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    await page.goto('/usage?filter=colour%3Ablue');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/Invalid usage search query.*colour/);
  });
});
