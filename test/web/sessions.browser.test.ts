// Browser tests of the sessions list, the session timeline and the request log, on data
// produced through the real gateway by simulated Claude Code, Codex and SDK clients
// (see scenario.ts; one seeded session covers a failed injected tool, which traffic cannot).
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { CLAUDE_CODE_TASKS } from '../../src/demo/tasks.js';
import { describeInBrowser, screenshots } from './browser.js';
import { LONG_SESSION_THREADS, produceScenario, type Scenario } from './scenario.js';

interface Tokens {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_write_input_tokens: number;
}
interface ToolCallJson {
  tool: string;
  input: string;
  invocation_error?: string;
}
interface DetailJson {
  token_usage_summary: Tokens;
  threads: Array<{
    prompt?: string;
    agentic_actions: Array<{ thinking: Array<{ text: string }>; tool_calls: ToolCallJson[] }>;
  }>;
}

/** Rows of the table once its page has loaded (a table showing the previous page is busy). */
const rows = (page: Page) => page.locator('table[aria-busy="false"] tbody tr.clickable');
const pagerText = async (page: Page) => (await page.locator('.pager > span').first().textContent())?.trim();
const exact = (n: number) => new Intl.NumberFormat('en').format(n);
const pretty = (text: string) => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
};

function occurrences(text: string, needle: string): number {
  return text.toLowerCase().split(needle.toLowerCase()).length - 1;
}

describeInBrowser('dashboard: sessions, session timeline and request log', (dashboard) => {
  let scenario: Scenario;
  const detail = async (id: string, initiator: string, limit = 200) =>
    (await (
      await dashboard().server.request(
        `/api/v2/aibridge/sessions/${encodeURIComponent(id)}?initiator=${initiator}&limit=${limit}`,
      )
    ).json()) as DetailJson;

  beforeAll(async () => {
    // Some 60 agent threads through the real gateway: minutes on a loaded machine.
    scenario = await produceScenario(dashboard());
  }, 300_000);

  it('lists sessions, pages forward and back, and filters by client and by user with pickers', async () => {
    const total = scenario.sessionCount;
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    await page.goto('/');
    await page.waitForURL('**/sessions');
    await rows(page).first().waitFor();
    expect(await rows(page).count()).toBe(25);
    expect(await pagerText(page)).toBe(`1–25 of ${total}`);
    await screenshots(page, 'sessions');

    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForURL(/after=/);
    await expect.poll(() => pagerText(page)).toBe(`26–${total} of ${total}`);
    expect(await rows(page).count()).toBe(total - 25);
    await page.getByRole('button', { name: 'Previous' }).click();
    await expect.poll(() => pagerText(page)).toBe(`1–25 of ${total}`);

    await page.getByLabel('Client').selectOption('Codex');
    await page.waitForURL(/filter=client%3ACodex$/);
    await expect.poll(() => rows(page).count()).toBe(scenario.bobSessions.length + 1);
    expect(new Set(await page.locator('tbody .badge-client').allTextContents())).toEqual(new Set(['Codex']));

    await page.getByLabel('Client').selectOption('');
    await page.getByLabel('User', { exact: true }).selectOption('alice');
    await page.waitForURL(/filter=initiator%3Aalice$/);
    // The previous list stays on screen until the filtered one arrives, and it may be as long:
    // wait for the rows to be Alice's, then count them.
    await expect
      .poll(async () => new Set(await page.locator('tbody .user-name').allTextContents()))
      .toEqual(new Set(['Alice Martin']));
    expect(await rows(page).count()).toBe(scenario.aliceSessions.length);
    expect(new Set(await page.locator('tbody .badge-client').allTextContents())).toEqual(
      new Set(['Claude Code']),
    );
    await screenshots(page, 'sessions-filtered');

    await page.getByRole('button', { name: 'My sessions' }).click();
    await page.getByText('No session logs available').waitFor();
    await screenshots(page, 'sessions-empty');
  });

  it('opens a session: summary, threads, tool calls and tokens match the API; thinking collapsed; search counts matches', async () => {
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    await page.goto('/sessions?filter=initiator%3Aalice');
    await rows(page).first().waitFor();
    // A session's row shows its latest prompt: the second task Alice gave that agent.
    const lastPrompt = CLAUDE_CODE_TASKS[1]?.prompt.slice(0, 40) ?? '';
    await page.getByRole('link', { name: new RegExp(lastPrompt) }).click();
    const [sessionId] = scenario.aliceSessions as [string];
    await page.waitForURL(`**/sessions/${sessionId}?initiator=${scenario.alice.id}`);
    await page.getByRole('heading', { name: 'Thread 2' }).waitFor();

    const api = await detail(sessionId, scenario.alice.id);
    const summary = (term: string) => page.getByTestId(`summary-${term}`).textContent();
    expect(await summary('input-tokens')).toBe(exact(api.token_usage_summary.input_tokens));
    expect(await summary('output-tokens')).toBe(exact(api.token_usage_summary.output_tokens));
    expect(api.token_usage_summary.cache_read_input_tokens).toBeGreaterThan(0);
    expect(await summary('cache-read')).toBe(exact(api.token_usage_summary.cache_read_input_tokens));
    expect(await summary('cache-write')).toBe(exact(api.token_usage_summary.cache_write_input_tokens));
    expect(await summary('threads')).toBe(String(api.threads.length));
    const calls = api.threads.flatMap((t) => t.agentic_actions.flatMap((a) => a.tool_calls));
    expect(calls.length).toBeGreaterThan(4);
    expect(await summary('tool-calls')).toBe(String(calls.length));
    expect(await page.locator('article.thread').count()).toBe(api.threads.length);
    expect(await page.locator('article.thread .prompt-text').allTextContents()).toEqual(
      api.threads.map((t) => t.prompt),
    );
    expect(await page.locator('.tool-name').allTextContents()).toEqual(calls.map((c) => c.tool));
    expect(await page.locator('.tool-call pre.code').allTextContents()).toEqual(
      calls.map((c) => pretty(c.input)),
    );
    expect(await page.locator('details.thinking').count()).toBeGreaterThan(0);
    expect(await page.locator('details.thinking[open]').count()).toBe(0);
    await screenshots(page, 'session-detail');

    const searchable = api.threads
      .flatMap((t) => [
        t.prompt ?? '',
        ...t.agentic_actions.flatMap((a) => [
          ...a.thinking.map((x) => x.text),
          ...a.tool_calls.flatMap((c) => [c.tool, pretty(c.input)]),
        ]),
      ])
      .join('\n');
    const search = page.getByRole('searchbox', { name: 'Search this session' });
    await search.fill('csv');
    const expected = occurrences(searchable, 'csv');
    expect(expected).toBeGreaterThan(2);
    await expect.poll(() => page.locator('output').textContent()).toBe(`${expected} matches`);
    expect(await page.locator('mark').count()).toBe(expected);
    // A match inside thinking opens it.
    await search.fill('splitter');
    await expect.poll(() => page.locator('details.thinking[open]').count()).toBe(1);
    await expect
      .poll(() => page.locator('output').textContent())
      .toBe(`${occurrences(searchable, 'splitter')} match`);
    await screenshots(page, 'session-search');
  });

  it('loads a long session page by page as the timeline scrolls', async () => {
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    await page.goto(`/sessions/${scenario.longSession}?initiator=${scenario.carol.id}`);
    await page.getByRole('heading', { name: 'Thread 20' }).waitFor();
    expect(await page.locator('article.thread').count()).toBe(20);
    expect(await page.getByTestId('summary-threads').textContent()).toBe(String(LONG_SESSION_THREADS));
    expect(await page.getByTestId('summary-tool-calls').textContent()).toMatch(/\(so far\)$/);
    await page.locator('.sentinel').scrollIntoViewIfNeeded();
    await page.getByRole('heading', { name: `Thread ${LONG_SESSION_THREADS}` }).waitFor();
    const api = await detail(scenario.longSession, scenario.carol.id);
    const calls = api.threads.flatMap((t) => t.agentic_actions.flatMap((a) => a.tool_calls)).length;
    await expect.poll(() => page.getByTestId('summary-tool-calls').textContent()).toBe(String(calls));
  });

  it('marks failed injected tool calls (a seeded session: the gateway injects no tools)', async () => {
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    await page.goto(`/sessions/${scenario.mcpSession}?initiator=${scenario.bob.id}`);
    await page.getByText('MCP server timed out after 30 s').waitFor();
    expect(await page.locator('.badge-injected').count()).toBe(1);
    expect(await page.locator('.badge-error').count()).toBe(1);
    expect(await page.locator('.tool-call-error .tool-name').textContent()).toBe('docs_search');
    await screenshots(page, 'session-injected-error');
  });

  it('shows a Codex session: reasoning summaries, shell calls and a free-form patch as written', async () => {
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    const [sessionId] = scenario.bobSessions as [string];
    await page.goto(`/sessions/${sessionId}?initiator=${scenario.bob.id}`);
    await page.getByRole('heading', { name: 'Thread 2' }).waitFor();
    const api = await detail(sessionId, scenario.bob.id);
    const calls = api.threads.flatMap((t) => t.agentic_actions.flatMap((a) => a.tool_calls));
    expect(await page.locator('.tool-name').allTextContents()).toEqual(calls.map((c) => c.tool));
    const patch = page.locator('.tool-call', { has: page.locator('.tool-name', { hasText: 'apply_patch' }) });
    expect(await patch.locator('pre.code').textContent()).toMatch(
      /^\*\*\* Begin Patch\n\*\*\* Update File: /,
    );
    expect(await page.locator('details.thinking').count()).toBeGreaterThan(0);
    await screenshots(page, 'session-codex');
  });

  it('lists requests and expands one into its prompt, tool calls and token rows', async () => {
    const page = await dashboard().open({ token: dashboard().server.ownerToken });
    const api = (await (
      await dashboard().server.request(
        `/api/v2/aibridge/interceptions?q=${encodeURIComponent('initiator:alice client:"Claude Code"')}&limit=1`,
      )
    ).json()) as { count: number };
    await page.goto('/requests?filter=initiator%3Aalice%20client%3A%22Claude%20Code%22');
    await rows(page).first().waitFor();
    expect(await pagerText(page)).toBe(`1–${Math.min(25, api.count)} of ${api.count}`);
    const withPrompt = rows(page).filter({ hasText: 'token-bucket rate limiter' }).first();
    await withPrompt.getByRole('button', { name: /Details of the request/ }).click();
    const expanded = page.locator('.expanded-row');
    await expanded.getByRole('heading', { name: 'Prompt' }).waitFor();
    await expanded.getByRole('heading', { name: 'Tool calls' }).waitFor();
    expect(await expanded.locator('.tool-name').allTextContents()).toEqual(['Read']);
    expect(await expanded.locator('.mini-table tbody tr').count()).toBe(1);
    await screenshots(page, 'requests-expanded');
  });

  it('folds the filter pickers and the session summary on a phone', async () => {
    const page = await dashboard().open({ token: dashboard().server.ownerToken, viewport: 'phone' });
    await page.goto('/sessions?filter=client%3ACodex');
    await rows(page).first().waitFor();
    expect(await page.getByLabel('Client').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Filters · 1' }).click();
    expect(await page.getByLabel('Client').inputValue()).toBe('Codex');

    await page.goto(`/sessions/${scenario.aliceSessions[0]}?initiator=${scenario.alice.id}`);
    await page.getByRole('heading', { name: 'Thread 1' }).waitFor();
    expect(await page.getByTestId('summary-tool-calls').isVisible()).toBe(true);
    expect(await page.getByTestId('summary-models').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'All details' }).click();
    expect(await page.getByTestId('summary-models').textContent()).toBe('claude-sonnet-4-5');
  });

  it('shows a member only their own sessions', async () => {
    const page = await dashboard().open({ token: scenario.alice.token });
    await page.goto('/sessions');
    await rows(page).first().waitFor();
    expect(await rows(page).count()).toBe(scenario.aliceSessions.length);
    expect(new Set(await page.locator('tbody .user-name').allTextContents())).toEqual(
      new Set(['Alice Martin']),
    );
    expect(await page.getByLabel('User', { exact: true }).count()).toBe(0);
    await screenshots(page, 'sessions-member');
    await page.goto(`/sessions/${scenario.bobSessions[0]}?initiator=${scenario.bob.id}`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('Session not found.');
  });
});
