import { beforeAll, expect, it, vi } from 'vitest';
import { claudeCode } from '../../src/demo/agents/clients.js';
import { runThread } from '../../src/demo/agents/loop.js';
import { createPeople, type Person } from '../../src/demo/people.js';
import { CLAUDE_CODE_TASKS } from '../../src/demo/tasks.js';
import { formatCost } from '../../web/src/lib/format.js';
import { describeInBrowser, screenshots } from './browser.js';

interface SessionJson {
  id: string;
  initiator: { id: string };
  cost_micros: number;
}
interface InterceptionJson {
  id: string;
  cost_micros: number | null;
  token_usages: Array<{
    cost_micros: number | null;
    price: { source: string; input: number; output: number } | null;
  }>;
}

/** Money as the dashboard shows it to this suite's browser (locale en-GB). */
const money = (micros: number) => formatCost(micros, 'en-GB');

describeInBrowser('dashboard: dollars, budgets and prices', (dashboard) => {
  let alice: Person;
  const get = async <T>(path: string): Promise<T> =>
    (await (await dashboard().server.request(path)).json()) as T;
  const thread = async (person: Person, prompt: string) => {
    const run = await runThread(dashboard().gateway, claudeCode(person.token), prompt);
    // Each interception is recorded just after its response: wait until all are listed (ended).
    await vi.waitFor(
      async () => {
        const listed = new Set(
          (
            await get<{ results: InterceptionJson[] }>('/api/v2/aibridge/interceptions?limit=100')
          ).results.map((r) => r.id),
        );
        if (!run.interceptionIds.every((id) => listed.has(id))) throw new Error('not all recorded yet');
      },
      { timeout: 60_000, interval: 50 },
    );
    return run.interceptionIds;
  };
  beforeAll(async () => {
    [alice] = (await createPeople(dashboard().server.url, dashboard().server.ownerToken, [
      { username: 'alice', name: 'Alice Martin', role: 'member' },
    ])) as [Person];
    await thread(alice, CLAUDE_CODE_TASKS[0]?.prompt ?? 'hello');
  }, 120_000);

  it('shows the API’s dollars on the sessions list, the session detail and the spend page', async () => {
    const { sessions } = await get<{ sessions: SessionJson[] }>('/api/v2/aibridge/sessions');
    const session = sessions[0] as SessionJson;
    expect(session.cost_micros).toBeGreaterThan(0);
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    await page.goto('/sessions');
    const listed = page.locator('tbody tr').first().locator('.cost');
    await expect.poll(() => listed.getAttribute('data-cost-micros')).toBe(String(session.cost_micros));
    expect(((await listed.textContent()) ?? '').trim()).toBe(money(session.cost_micros));

    await page.goto(`/sessions/${encodeURIComponent(session.id)}?initiator=${session.initiator.id}`);
    const summary = page.getByTestId('summary-cost').locator('.cost');
    await expect.poll(() => summary.getAttribute('data-cost-micros')).toBe(String(session.cost_micros));
    expect(((await summary.textContent()) ?? '').trim()).toBe(money(session.cost_micros));

    const spend = await get<{ totals: { cost_micros: number } }>('/api/v2/aibridge/spend');
    await page.goto('/spend');
    const total = page.getByTestId('spend-total').locator('.cost');
    await expect.poll(() => total.getAttribute('data-cost-micros')).toBe(String(spend.totals.cost_micros));
    expect(((await total.textContent()) ?? '').trim()).toBe(money(spend.totals.cost_micros));
    const row = page.locator('[data-testid="spend-row"][data-key="alice"] .cost');
    expect(((await row.textContent()) ?? '').trim()).toBe(money(spend.totals.cost_micros));
  });

  it('lets an owner create and edit a budget, and shows it on the member’s home', async () => {
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    await page.goto('/budgets');
    await page.getByLabel('Subject').fill('user:alice');
    await page.getByLabel('Limit in dollars').fill('5');
    await page.getByRole('button', { name: 'Set budget' }).click();
    const card = page.locator('[data-testid="budget"][data-subject="user:alice"]');
    await expect.poll(() => card.getByTestId('budget-limit').textContent()).toBe(money(5_000_000));
    let api = await get<{ budgets: Array<{ subject: string; limit_usd: string; spent_usd: string }> }>(
      '/api/v2/aibridge/budgets',
    );
    expect(api.budgets.map((b) => [b.subject, b.limit_usd])).toEqual([['user:alice', '5.00']]);

    await card.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Limit in dollars').fill('7.5');
    await page.getByRole('button', { name: 'Save limit' }).click();
    await expect.poll(() => card.getByTestId('budget-limit').textContent()).toBe(money(7_500_000));
    api = await get('/api/v2/aibridge/budgets');
    expect(api.budgets.map((b) => [b.subject, b.limit_usd])).toEqual([['user:alice', '7.50']]);
    await screenshots(page, 'budgets');

    const member = await dashboard().open({ token: alice.token });
    await member.goto('/sessions');
    const mine = member.getByTestId('my-budgets').locator('[data-testid="budget"]');
    await expect.poll(() => mine.getByTestId('budget-limit').textContent()).toBe(money(7_500_000));
  });

  it('prices new interceptions with the rate an owner sets on the Spend page, and keeps recorded costs', async () => {
    const list = async () =>
      (await get<{ results: InterceptionJson[] }>('/api/v2/aibridge/interceptions?limit=100')).results;
    const before = await list();
    expect(before.length).toBeGreaterThan(0);
    for (const old of before) expect(old.token_usages[0]?.price?.source).toBe('package');

    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    await page.goto('/spend');
    const form = page.getByRole('form', { name: 'Set a price' });
    await form.getByLabel('Model').fill('claude-sonnet-4-5');
    await form.getByLabel('Input ($/MTok)').fill('123');
    await form.getByLabel('Output ($/MTok)').fill('456.5');
    await form.getByRole('button', { name: 'Set price' }).click();
    await expect.poll(() => page.getByTestId('price-saved').textContent()).toContain('claude-sonnet-4-5');

    // Alice still has the budget the test above set; a person without one sends the new request.
    const [erin] = (await createPeople(dashboard().server.url, dashboard().server.ownerToken, [
      { username: 'erin', name: 'Erin Park', role: 'member' },
    ])) as [Person];
    const ids = await thread(erin, CLAUDE_CODE_TASKS[1]?.prompt ?? 'hello again');
    const after = await list();
    for (const id of ids) {
      const fresh = after.find((r) => r.id === id) as InterceptionJson;
      expect(fresh.token_usages.length).toBeGreaterThan(0);
      for (const usage of fresh.token_usages) {
        expect(usage.price).toMatchObject({ source: 'override', input: 123_000_000, output: 456_500_000 });
      }
      expect(fresh.cost_micros).toBe(fresh.token_usages.reduce((sum, u) => sum + (u.cost_micros ?? 0), 0));
    }
    // Recorded costs keep the rates they were computed with.
    expect(after.filter((r) => !ids.includes(r.id))).toEqual(before);
  });
});
