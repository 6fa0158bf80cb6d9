// The dashboard on more activity than it shows at once: thousands of sessions, counted, paged
// and summed right. The data is written straight to the database in two set-based statements
// (see seedVolume); how fast these pages draw on 100k interceptions is measured by
// `npm run bench:web` (bench/results/web.md), never asserted here.
import { beforeAll, expect, it } from 'vitest';
import { describeInBrowser } from './browser.js';
import { SESSION_SIZE, seedVolume } from './volume.js';

const COUNT = 20_000;
const SESSIONS = COUNT / SESSION_SIZE;

describeInBrowser('dashboard at scale', (dashboard) => {
  beforeAll(async () => {
    const server = dashboard().server;
    const people = await Promise.all(['ana', 'ben', 'cho', 'dev'].map((name) => server.createUser(name)));
    await seedVolume(server.running.db.kysely, {
      interceptions: COUNT,
      initiatorIds: people.map((p) => p.id),
    });
  }, 180_000);

  it(`counts and pages ${SESSIONS.toLocaleString('en')} sessions of ${COUNT.toLocaleString('en')} interceptions`, async () => {
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    await page.goto('/sessions');
    const table = page.getByRole('table', { name: 'Sessions' });
    const pager = page.getByRole('navigation', { name: 'Pages' }).locator('span.muted');
    const firstRow = table.locator('tbody tr.clickable').first();
    const total = SESSIONS.toLocaleString('en');
    // Newest first, each row led by its last prompt: session s-0 (interception 4's prompt), then
    // s-25 (interception 129's) at the top of page 2. The previous page stays on screen while
    // the next loads, so each step waits for its first row, then reads the pager.
    await expect.poll(() => firstRow.textContent()).toMatch(/^prompt 4\D/);
    expect(await pager.textContent()).toBe(`1–25 of ${total}`);
    expect(await table.locator('tbody tr.clickable').count()).toBe(25);
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => firstRow.textContent()).toMatch(/^prompt 129\D/);
    expect(await pager.textContent()).toBe(`26–50 of ${total}`);
    await page.getByRole('button', { name: 'First' }).click();
    await expect.poll(() => firstRow.textContent()).toMatch(/^prompt 4\D/);
    expect(await pager.textContent()).toBe(`1–25 of ${total}`);
  });

  it(`draws the usage of ${COUNT.toLocaleString('en')} interceptions over the last 7 days`, async () => {
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    const usage = page.waitForResponse((r) => r.url().includes('/api/v2/aibridge/usage'));
    await page.goto('/usage');
    expect((await usage).status()).toBe(200);
    // The default range is the last 7 days; at one interception every 6 s all of them fall in it.
    const interceptions = page.locator('.total', { has: page.getByText('Interceptions', { exact: true }) });
    await expect.poll(() => interceptions.locator('dd').textContent()).toBe(COUNT.toLocaleString('en'));
    await page.locator('figure .recharts-bar-rectangle').first().waitFor();
  });
});
