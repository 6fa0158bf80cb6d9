// `npm run bench:web`: how fast the dashboard shows the first page of sessions and draws the
// usage page on 100k interceptions (PGlite in this process, Debian's Chromium), the timings
// the browser tests used to assert. Prints a table and writes bench/results/web.md.
// COUNT (interceptions, default 100000) and ROUNDS (default 3) narrow it.
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { afterAll, beforeAll, it } from 'vitest';
import { type Dashboard, startDashboard } from '../../test/web/browser.js';
import { SESSION_SIZE, seedVolume } from '../../test/web/volume.js';

const COUNT = Number(process.env.COUNT ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const RESULTS = new URL('../results/web.md', import.meta.url);

/** In the page: the page clock's time once the sessions table has rows (false before). */
const ROWS_SHOWN_AT = `[...document.querySelectorAll('table')].some(
  (t) => t.caption?.textContent === 'Sessions' && t.querySelector('tbody tr.clickable'),
) && performance.now()`;

/** In the page: the page clock's time once the first usage chart has bars (false before). */
const BARS_DRAWN_AT = `document.querySelector('figure .recharts-bar-rectangle') !== null && performance.now()`;

/** One round's figures, in milliseconds on the page's clock. */
interface Round {
  cold: number;
  navigations: number[];
  usageAnswered: number;
  usageDrawn: number;
}

let dashboard: Dashboard;
let seedMs = 0;
const loadBefore = loadavg();

beforeAll(async () => {
  dashboard = await startDashboard();
  const people = await Promise.all(['ana', 'ben', 'cho', 'dev'].map((n) => dashboard.server.createUser(n)));
  const started = performance.now();
  await seedVolume(dashboard.server.running.db.kysely, {
    interceptions: COUNT,
    initiatorIds: people.map((p) => p.id),
  });
  seedMs = performance.now() - started;
});
afterAll(() => dashboard?.close());

/** A new tab: a cold load of /sessions, then twice back to it from the request log. */
async function sessionsRound(): Promise<Pick<Round, 'cold' | 'navigations'>> {
  const page = await dashboard.open({ token: dashboard.server.ownerToken });
  // Checked on every animation frame (a locator's wait backs off to 500 ms between checks).
  const rowsShown = async () =>
    Number(await (await page.waitForFunction(ROWS_SHOWN_AT, undefined, { polling: 'raf' })).jsonValue());
  await page.goto('/sessions', { waitUntil: 'commit' });
  const cold = await rowsShown();
  const navigations: number[] = [];
  for (const _ of [1, 2]) {
    await page.getByRole('link', { name: 'Request log' }).click();
    await page.getByRole('table', { name: 'Requests' }).waitFor();
    const started = await page.evaluate(() => performance.now());
    await page.getByRole('link', { name: 'Sessions' }).click();
    navigations.push((await rowsShown()) - started);
  }
  await page.close();
  return { cold, navigations };
}

/** From the users page to the usage page (the last 7 days by day): API answer, then bars. */
async function usageRound(): Promise<Pick<Round, 'usageAnswered' | 'usageDrawn'>> {
  const page = await dashboard.open({ token: dashboard.server.ownerToken });
  await page.goto('/users');
  await page.getByRole('heading', { name: 'Users & tokens' }).waitFor();
  const started = await page.evaluate(() => performance.now());
  const response = page.waitForResponse((r) => r.url().includes('/api/v2/aibridge/usage'));
  await page.getByRole('link', { name: 'Usage' }).click();
  await response;
  const usageAnswered = (await page.evaluate(() => performance.now())) - started;
  const drawn = await page.waitForFunction(BARS_DRAWN_AT, undefined, { polling: 'raf' });
  const usageDrawn = Number(await drawn.jsonValue()) - started;
  await page.close();
  return { usageAnswered, usageDrawn };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const ms = (value: number) => `${Math.round(value)}`;

function report(rounds: Round[]): string {
  const rows: Array<[string, (r: Round) => number]> = [
    ['sessions page, cold load in a new tab', (r) => r.cold],
    ['sessions page from another page, 1st', (r) => r.navigations[0] ?? 0],
    ['sessions page from another page, 2nd', (r) => r.navigations[1] ?? 0],
    ['usage page, API answered', (r) => r.usageAnswered],
    ['usage page, bars drawn', (r) => r.usageDrawn],
  ];
  const rev = execSync('git rev-parse --short HEAD').toString().trim();
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const about = [
    `${new Date().toISOString().slice(0, 10)}, git ${rev}, \`npm run bench:web\` under \`flock /tmp/aibridge-heavy.lock\`:`,
    `${COUNT.toLocaleString('en')} interceptions in ${(COUNT / SESSION_SIZE).toLocaleString('en')} sessions over`,
    `the last week (seeded in ${(seedMs / 1000).toFixed(1)} s), the server on PGlite in the benchmark's process,`,
    `Debian's Chromium, ${cpus().length} CPUs (shared), load average ${load(loadBefore)} at the start and`,
    `${load(loadavg())} at the end. Milliseconds on the page's clock; each round opens new tabs.`,
    'Target: the first page of sessions within a second.',
  ];
  return [
    '# Dashboard page timings at scale',
    '',
    about.join(' '),
    '',
    `| measure | ${rounds.map((_, i) => `round ${i + 1}`).join(' | ')} | median |`,
    `|---|${rounds.map(() => '---:|').join('')}---:|`,
    ...rows.map(
      ([label, pick]) =>
        `| ${label} | ${rounds.map((r) => ms(pick(r))).join(' | ')} | ${ms(median(rounds.map(pick)))} |`,
    ),
    '',
  ].join('\n');
}

it(`times the sessions and usage pages on ${COUNT} interceptions`, async () => {
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push({ ...(await sessionsRound()), ...(await usageRound()) });
  const text = report(rounds);
  process.stdout.write(`\n${text}`);
  writeFileSync(RESULTS, text);
});
