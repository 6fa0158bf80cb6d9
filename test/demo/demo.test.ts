import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Demo, startDemo } from '../../src/demo/run.js';

interface SessionJson {
  id: string;
  initiator: { id: string; username: string };
  client?: string | null;
  threads: number;
  token_usage_summary: { cache_read_input_tokens: number; cache_write_input_tokens: number };
}
interface DetailJson {
  threads: Array<{
    prompt?: string;
    agentic_actions: Array<{
      thinking: Array<{ text: string }>;
      tool_calls: Array<{ tool: string; input: string }>;
    }>;
  }>;
}

/** Reads the management API as the demo's owner. */
async function api<T>(demo: Demo, path: string): Promise<T> {
  const response = await fetch(`${demo.url}/api/v2${path}`, {
    headers: { 'coder-session-token': demo.ownerToken },
  });
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

/** Ended interceptions; recording finishes just after each response, so wait for a count. */
function recorded(demo: Demo, atLeast: number): Promise<number> {
  return vi.waitFor(
    async () => {
      const { count } = await api<{ count: number }>(demo, '/aibridge/interceptions?limit=1');
      if (count < atLeast) throw new Error(`${count} of ${atLeast} interceptions recorded`);
      return count;
    },
    { timeout: 30_000, interval: 50 },
  );
}

describe('aibridge demo', () => {
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo({
      httpAddress: '127.0.0.1:0',
      chunkDelayMs: 0,
      trickleMs: 150,
      logLevel: 'silent',
    });
  });
  afterAll(() => demo?.stop());

  it('sends the opening story through the gateway: every request recorded, in sessions per client and person', async () => {
    expect(await recorded(demo, demo.story.interceptions)).toBeGreaterThanOrEqual(demo.story.interceptions);
    const { sessions } = await api<{ sessions: SessionJson[] }>(demo, '/aibridge/sessions?limit=1000');
    const byClient = (client: string) => sessions.filter((s) => (s.client ?? 'Unknown') === client);
    expect(byClient('Claude Code').length).toBe(3);
    expect(byClient('Codex').length).toBe(3);
    expect(byClient('Cursor').length).toBe(2);
    // Carol's SDK scripts send no session id: each script run is its own session.
    const scripts = [...byClient('OpenAI SDK (JS)'), ...byClient('Anthropic SDK (JS)')];
    expect(scripts.map((s) => s.initiator.username)).toEqual(Array(6).fill('carol'));
    const alice = sessions.filter((s) => s.initiator.username === 'alice');
    expect(alice.map((s) => s.threads)).toEqual([2, 2]);
    // Claude Code marks its prompt for caching: the first request writes the cache, later ones read it.
    for (const session of alice) {
      expect(session.token_usage_summary.cache_write_input_tokens).toBeGreaterThan(0);
      expect(session.token_usage_summary.cache_read_input_tokens).toBeGreaterThan(0);
    }
    // OpenAI caches on its own from the second request of a conversation on.
    for (const session of byClient('Codex'))
      expect(session.token_usage_summary.cache_read_input_tokens).toBeGreaterThan(0);
  });

  it('records tool loops with thinking, pretty arguments and Codex’s free-form patches', async () => {
    const { sessions } = await api<{ sessions: SessionJson[] }>(demo, '/aibridge/sessions?limit=1000');
    const detail = (s: SessionJson | undefined) =>
      api<DetailJson>(
        demo,
        `/aibridge/sessions/${encodeURIComponent(s?.id ?? '')}?initiator=${s?.initiator.id}`,
      );
    const claude = await detail(
      sessions.find((s) => s.client === 'Claude Code' && s.initiator.username === 'alice'),
    );
    const actions = claude.threads.flatMap((t) => t.agentic_actions);
    expect(claude.threads.every((t) => t.prompt && t.agentic_actions.length > 0)).toBe(true);
    expect(actions.some((a) => a.thinking.length > 0)).toBe(true);
    expect(new Set(actions.flatMap((a) => a.tool_calls.map((c) => c.tool)))).toContain('Read');

    const codexSessions = sessions.filter((s) => s.client === 'Codex' && s.initiator.username === 'bob');
    const codexActions = (await Promise.all(codexSessions.map(detail))).flatMap((d) =>
      d.threads.flatMap((t) => t.agentic_actions),
    );
    const patch = codexActions.flatMap((a) => a.tool_calls).find((c) => c.tool === 'apply_patch');
    expect(patch?.input).toMatch(/^\*\*\* Begin Patch/);
    expect(codexActions.some((a) => a.thinking.length > 0)).toBe(true);
  });

  it('keeps a trickle of new threads going, and stops cleanly, deleting its database', async () => {
    const before = demo.story.interceptions;
    expect(await recorded(demo, before + 1)).toBeGreaterThan(before);
    await demo.stop();
    expect(existsSync(demo.dataDir)).toBe(false);
    await expect(fetch(`${demo.url}/api/v2/buildinfo`)).rejects.toThrow();
  });
});
