// The dashboard on 100k interceptions. The data is written straight to the database (in
// 1,000-row inserts): sending 100k requests through the gateway would take minutes.
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { Seeder, type SeedInterception } from '../seed.js';
import { describeInBrowser } from './browser.js';

const COUNT = 100_000;

/** In the page: the page clock's time once the first usage chart has bars (false before). */
const BARS_DRAWN_AT = `document.querySelector('figure .recharts-bar-rectangle') !== null && performance.now()`;

/** In the page: the page clock's time once the sessions table has rows (false before). */
const ROWS_SHOWN_AT = `[...document.querySelectorAll('table')].some(
  (t) => t.caption?.textContent === 'Sessions' && t.querySelector('tbody tr.clickable'),
) && performance.now()`;
const MODELS = ['claude-sonnet-4-5', 'claude-opus-4-1', 'gpt-5-codex'];

describeInBrowser('dashboard at scale', (dashboard) => {
  beforeAll(async () => {
    const server = dashboard().server;
    const people = await Promise.all(['ana', 'ben', 'cho', 'dev'].map((name) => server.createUser(name)));
    const now = Date.now();
    const specs: SeedInterception[] = [];
    for (let i = 0; i < COUNT; i++) {
      // 20k sessions of five interceptions each, one interception every 6 s over the last week.
      const session = Math.floor(i / 5);
      const kind = session % 3;
      specs.push({
        id: randomUUID(),
        initiatorId: people[session % people.length]?.id ?? '',
        model: MODELS[kind],
        provider: kind === 2 ? 'openai' : 'anthropic',
        client: kind === 2 ? 'Codex' : 'Claude Code',
        clientSessionId: `s-${session}`,
        startedAt: new Date(now - i * 6_000),
        ...(i % 5 === 4 ? { prompt: `prompt ${i}` } : {}),
        tokens: [{ input: 1000 + (i % 100), output: 100, cacheRead: 500 }],
      });
    }
    const seeding = Date.now();
    await new Seeder(server.running.db.kysely).interceptions(specs);
    process.stdout.write(`seeded ${COUNT} interceptions with token rows in ${Date.now() - seeding} ms\n`);
  }, 240_000);

  it(`renders the first page of sessions within a second on ${COUNT / 1000}k interceptions`, async () => {
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    // Checked on every animation frame (a locator's wait backs off to 500 ms between checks),
    // returning when the rows showed up on the page's own clock.
    const sessionRows = () => page.waitForFunction(ROWS_SHOWN_AT, undefined, { polling: 'raf' });
    // A cold load: the page, its scripts, the sign-in check and the first page of sessions.
    await page.goto('/sessions', { waitUntil: 'commit' });
    const cold = Math.round(Number(await (await sessionRows()).jsonValue()));
    expect(await page.locator('.pager > span').first().textContent()).toBe('1–25 of 20,000');
    // Then from another page of the running app, twice (PGlite's caches are warm the second time).
    const navigations: number[] = [];
    for (const _ of [1, 2]) {
      await page.getByRole('link', { name: 'Request log' }).click();
      await page.getByRole('table', { name: 'Requests' }).waitFor();
      const started = await page.evaluate(() => performance.now());
      await page.getByRole('link', { name: 'Sessions' }).click();
      navigations.push(Math.round(Number(await (await sessionRows()).jsonValue()) - started));
    }
    process.stdout.write(
      `sessions page, first page on ${COUNT / 1000}k interceptions: cold load ${cold} ms, ` +
        `from another page ${navigations.join(' ms and ')} ms\n`,
    );
    // Measured here (2 cores, PGlite, nothing else running): cold ~0.8 s (0.3 s of it the
    // scripts starting, then the first query on caches cold from seeding), ~0.15 s after that.
    // The cold bound leaves room for a CI machine busy with the other suites.
    expect(Math.max(...navigations)).toBeLessThan(1000);
    expect(cold).toBeLessThan(1500);
  });

  it(`draws the usage page quickly on ${COUNT / 1000}k interceptions`, async () => {
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    await page.goto('/users');
    await page.getByRole('heading', { name: 'Users & tokens' }).waitFor();
    const started = await page.evaluate(() => performance.now());
    const response = page.waitForResponse((r) => r.url().includes('/api/v2/aibridge/usage'));
    await page.getByRole('link', { name: 'Usage' }).click();
    await response;
    const answered = Math.round((await page.evaluate(() => performance.now())) - started);
    const drawn = await page.waitForFunction(BARS_DRAWN_AT, undefined, { polling: 'raf' });
    const ms = Math.round(Number(await drawn.jsonValue()) - started);
    // The default range is the last 7 days: about all 100k interceptions at one every 6 s.
    process.stdout.write(
      `usage page, 7 days by day on ${COUNT} interceptions: API ${answered} ms, drawn ${ms} ms\n`,
    );
    // The bound catches regressions; the 1 s target is for the sessions page.
    expect(ms).toBeLessThan(2500);
  });
});
