// Browser tests of the pages that read the management API's list and detail endpoints
// (GET /api/v2/aibridge/sessions, /sessions/{id}, /interceptions, /models, /clients). Those
// endpoints land with the management-API branch, so vitest.config.ts leaves this file out
// of the default run until it is merged: AIBRIDGE_WEB_NEEDS_API=1 runs it. Phase B then
// drives the scenario through the real gateway instead of seeding it.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { Seeder, type SeedInterception } from '../seed.js';
import { describeInBrowser, screenshots } from './browser.js';
import { type ScenarioUsers, seedScenario } from './scenario.js';

interface Tokens {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_write_input_tokens: number;
}
interface DetailJson {
  token_usage_summary: Tokens;
  threads: Array<{
    prompt?: string;
    agentic_actions: Array<{
      thinking: Array<{ text: string }>;
      tool_calls: Array<{ tool: string; input: string }>;
    }>;
  }>;
}

const rows = (page: Page) => page.locator('table[aria-busy] tbody tr.clickable');
const pagerText = async (page: Page) => (await page.locator('.pager > span').first().textContent())?.trim();
const exact = (n: number) => new Intl.NumberFormat('en').format(n);

function occurrences(text: string, needle: string): number {
  return text.toLowerCase().split(needle.toLowerCase()).length - 1;
}

describeInBrowser('dashboard: sessions, session timeline and request log', (dashboard) => {
  let users: ScenarioUsers;
  beforeAll(async () => {
    users = await seedScenario(dashboard().server);
  });

  it('lists sessions, pages forward and back, and filters by client and by user with pickers', async () => {
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    await page.goto('/');
    await page.waitForURL('**/sessions');
    await rows(page).first().waitFor();
    expect(await rows(page).count()).toBe(25);
    expect(await pagerText(page)).toBe('1–25 of 35');
    await screenshots(page, 'sessions');

    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForURL(/after=/);
    await expect.poll(() => pagerText(page)).toBe('26–35 of 35');
    expect(await rows(page).count()).toBe(10);
    await page.getByRole('button', { name: 'Previous' }).click();
    await expect.poll(() => pagerText(page)).toBe('1–25 of 35');

    await page.getByLabel('Client').selectOption('Codex');
    await page.waitForURL(/filter=client%3ACodex/);
    await expect.poll(() => rows(page).count()).toBe(2);
    expect(await page.locator('tbody .badge-client').allTextContents()).toEqual(['Codex', 'Codex']);

    await page.getByLabel('Client').selectOption('');
    await page.getByLabel('User', { exact: true }).selectOption('alice');
    await page.waitForURL(/filter=initiator%3Aalice/);
    await expect.poll(() => rows(page).count()).toBe(3);
    expect(new Set(await page.locator('tbody .user-name').allTextContents())).toEqual(
      new Set(['Alice Martin']),
    );
    await screenshots(page, 'sessions-filtered');

    await page.getByRole('button', { name: 'My sessions' }).click();
    await page.getByText('No session logs available').waitFor();
    await screenshots(page, 'sessions-empty');
  });

  it('opens a session: summary and timeline match the API, thinking collapsed, search counts matches', async () => {
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    await page.goto('/sessions?filter=initiator%3Aalice');
    await rows(page).first().waitFor();
    const link = page.getByRole('link', { name: /Session 0 thread 1/ });
    await link.click();
    await page.waitForURL(/\/sessions\/cc-alice-0\?initiator=/);
    await page.getByRole('heading', { name: 'Thread 2' }).waitFor();

    const api = (await (
      await dashboard().server.request(`/api/v2/aibridge/sessions/cc-alice-0?initiator=${users.alice.id}`)
    ).json()) as DetailJson;
    const summary = (term: string) => page.getByTestId(`summary-${term}`).textContent();
    expect(await summary('input-tokens')).toBe(exact(api.token_usage_summary.input_tokens));
    expect(await summary('output-tokens')).toBe(exact(api.token_usage_summary.output_tokens));
    expect(await summary('cache-read')).toBe(exact(api.token_usage_summary.cache_read_input_tokens));
    expect(await summary('cache-write')).toBe(exact(api.token_usage_summary.cache_write_input_tokens));
    expect(await summary('threads')).toBe(String(api.threads.length));
    const calls = api.threads.flatMap((t) => t.agentic_actions.flatMap((a) => a.tool_calls));
    expect(await summary('tool-calls')).toBe(String(calls.length));
    expect(await page.locator('article.thread').count()).toBe(api.threads.length);
    expect(await page.locator('.tool-name').allTextContents()).toEqual(calls.map((c) => c.tool));
    expect(await page.locator('pre.code').first().textContent()).toBe(
      JSON.stringify(JSON.parse(calls[0]?.input ?? '{}'), null, 2),
    );
    expect(await page.locator('details.thinking[open]').count()).toBe(0);
    await screenshots(page, 'session-detail');

    const searchable = api.threads
      .flatMap((t) => [
        t.prompt ?? '',
        ...t.agentic_actions.flatMap((a) => [
          ...a.thinking.map((x) => x.text),
          ...a.tool_calls.flatMap((c) => [c.tool, c.input]),
        ]),
      ])
      .join('\n');
    await page.getByRole('searchbox', { name: 'Search this session' }).fill('parser.ts');
    const expected = occurrences(searchable, 'parser.ts');
    await expect.poll(() => page.locator('output').textContent()).toBe(`${expected} matches`);
    expect(await page.locator('mark').count()).toBe(expected);
    await page.getByRole('searchbox', { name: 'Search this session' }).fill('off-by-one');
    await expect.poll(() => page.locator('details.thinking[open]').count()).toBeGreaterThan(0);
    await screenshots(page, 'session-search');
  });

  it('marks injected tool calls and their errors', async () => {
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    await page.goto(`/sessions/codex-bob-0?initiator=${users.bob.id}`);
    await page.getByText('MCP server timed out').waitFor();
    expect(await page.locator('.badge-injected').count()).toBe(1);
    expect(await page.locator('.badge-error').count()).toBe(1);
  });

  it('lists requests and expands one into its prompt, tool calls and token rows', async () => {
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    await page.goto('/requests?filter=client%3A%22Claude%20Code%22');
    await rows(page).first().waitFor();
    expect(await pagerText(page)).toBe('1–18 of 18');
    const withPrompt = rows(page).filter({ hasText: 'fix the failing test' }).first();
    await withPrompt.getByRole('button', { name: /Details of the request/ }).click();
    const detail = page.locator('.expanded-row');
    await detail.getByRole('heading', { name: 'Prompt' }).waitFor();
    await detail.getByRole('heading', { name: 'Tool calls' }).waitFor();
    expect(await detail.locator('.mini-table tbody tr').count()).toBeGreaterThan(0);
    await screenshots(page, 'requests-expanded');
  });

  it('shows a member only their own sessions', async () => {
    const page = await dashboard().open({ token: users.alice.token });
    await page.goto('/sessions');
    await rows(page).first().waitFor();
    expect(await rows(page).count()).toBe(3);
    expect(await page.getByLabel('User', { exact: true }).count()).toBe(0);
    await screenshots(page, 'sessions-member');
    await page.goto(`/sessions/codex-bob-0?initiator=${users.bob.id}`);
    await page.getByRole('alert').waitFor();
  });
});

describeInBrowser('dashboard at scale', (dashboard) => {
  it('renders the first page of sessions within a second on 100k interceptions', async () => {
    const server = dashboard().server;
    const user = await server.createUser('busy');
    const now = Date.now();
    const specs: SeedInterception[] = [];
    for (let i = 0; i < 100_000; i++) {
      // 20k sessions of five interceptions each, spread over the last 30 days.
      specs.push({
        id: randomUUID(),
        initiatorId: user.id,
        clientSessionId: `s-${Math.floor(i / 5)}`,
        client: i % 2 ? 'Claude Code' : 'Codex',
        startedAt: new Date(now - i * 25_000),
        prompt: i % 5 === 0 ? `prompt ${i}` : undefined,
        tokens: [{ input: 1000, output: 100, cacheRead: 500 }],
      });
    }
    await new Seeder(server.running.db.kysely).interceptions(specs);

    const page = await dashboard().open({ token: server.ownerToken });
    await page.goto('/usage');
    await page.getByRole('heading', { name: 'Usage' }).waitFor();
    const started = Date.now();
    await page.getByRole('link', { name: 'Sessions' }).click();
    await rows(page).first().waitFor();
    const ms = Date.now() - started;
    process.stdout.write(`sessions page, first page on 100k interceptions: ${ms} ms\n`);
    expect(ms).toBeLessThan(1000);
  }, 180_000);
});
