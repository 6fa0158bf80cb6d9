import { vi } from 'vitest';
import { type Agent, anthropicSdk, claudeCode, codex, openaiSdk } from '../../src/demo/agents/clients.js';
import { runThread } from '../../src/demo/agents/loop.js';
import { createPeople, type Person } from '../../src/demo/people.js';
import { CLAUDE_CODE_TASKS, CODEX_TASKS, SCRIPT_TASKS } from '../../src/demo/tasks.js';
import { Seeder } from '../seed.js';
import type { Dashboard } from './browser.js';

/** The people of the scenario, and what the gateway recorded for them. */
export interface Scenario {
  alice: Person;
  bob: Person;
  carol: Person;
  /** Alice's Claude Code sessions, in the order she worked in them. */
  aliceSessions: string[];
  /** Bob's Codex sessions. */
  bobSessions: string[];
  /** Carol's long Claude Code session: more threads than the timeline loads at once. */
  longSession: string;
  /** The one session written straight to the database (see MCP_SESSION). */
  mcpSession: string;
  /** Every session: Alice's, Bob's, Carol's scripts and the seeded one. */
  sessionCount: number;
  interceptions: number;
}

/** Carol's SDK script runs: more than a page of sessions (25), so the list pages. */
export const SCRIPT_RUNS = 30;

/** Threads of Carol's long session: more than the timeline's page of 20. */
export const LONG_SESSION_THREADS = 24;

/**
 * The id of the session written straight to the database: a Codex thread in which an
 * MCP tool injected by the gateway failed. The gateway records client-side tool calls only
 * (aibridge does not inject MCP tools), so this state cannot come from traffic; everything
 * else below does.
 */
export const MCP_SESSION = 'seeded-mcp-session';

const claude = (index: number) => CLAUDE_CODE_TASKS[index]?.prompt ?? '';
const codexTask = (index: number) => CODEX_TASKS[index]?.prompt ?? '';

/**
 * A small team's day, produced through the real gateway with the demo's simulated clients
 * against the fake provider: Alice in Claude Code (three sessions of two threads: tool loops,
 * thinking, cache writes then reads, always streaming), Bob in Codex (two sessions: shell calls,
 * free-form patches, reasoning summaries), Carol running SDK scripts (OpenAI and Anthropic,
 * blocking and streaming, some with a function-call loop; no session ids, so one session
 * each — and one long Claude Code session). Resolves once every interception is recorded.
 */
export async function produceScenario(dashboard: Dashboard): Promise<Scenario> {
  const { server, gateway } = dashboard;
  const [alice, bob, carol] = (await createPeople(server.url, server.ownerToken, [
    { username: 'alice', name: 'Alice Martin', role: 'member' },
    { username: 'bob', name: 'Bob Chen', role: 'member' },
    { username: 'carol', name: 'Carol Diaz', role: 'auditor' },
  ])) as [Person, Person, Person];

  const aliceAgents = [
    claudeCode(alice.token),
    claudeCode(alice.token),
    claudeCode(alice.token, { model: 'claude-opus-4-1' }),
  ];
  const bobAgents = [codex(bob.token), codex(bob.token, { tui: true })];
  const long = claudeCode(carol.token, { model: 'claude-haiku-4-5' });
  const lanes: Array<Array<[Agent, string]>> = [
    [
      [aliceAgents[0], claude(0)],
      [aliceAgents[0], claude(1)],
      [aliceAgents[1], claude(2)],
      [aliceAgents[1], claude(3)],
      [aliceAgents[2], claude(4)],
      [aliceAgents[2], 'Is there anything similar elsewhere in the code base?'],
    ] as Array<[Agent, string]>,
    [
      [bobAgents[0], codexTask(0)],
      [bobAgents[0], codexTask(2)],
      [bobAgents[1], codexTask(1)],
      [bobAgents[1], codexTask(3)],
    ] as Array<[Agent, string]>,
    Array.from({ length: LONG_SESSION_THREADS }, (_, i): [Agent, string] => [
      long,
      `Review step ${i + 1} of the migration plan and check the affected files.`,
    ]),
    Array.from({ length: SCRIPT_RUNS }, (_, i): [Agent, string] => {
      const task = SCRIPT_TASKS[i % SCRIPT_TASKS.length];
      return [script(carol.token, i, (task?.steps.length ?? 0) > 0), task?.prompt ?? ''];
    }),
  ];
  let interceptions = 0;
  await Promise.all(
    lanes.map(async (lane) => {
      for (const [agent, prompt] of lane) {
        // Awaited first: `x += await y` would add to the value read before the await.
        const run = await runThread(gateway, agent, prompt);
        interceptions += run.interceptionIds.length;
      }
    }),
  );

  await new Seeder(server.running.db.kysely).interceptions([
    {
      initiatorId: bob.id,
      provider: 'openai',
      model: 'gpt-5-codex',
      client: 'Codex',
      clientSessionId: MCP_SESSION,
      startedAt: new Date(Date.now() - 3_600_000),
      prompt: 'Look up how the deploy API paginates, using the docs server.',
      tokens: [{ input: 1800, output: 120, cacheRead: 1024 }],
      thoughts: ['The docs MCP server should know the pagination scheme.'],
      tools: [
        {
          tool: 'docs_search',
          input: { query: 'deploy API pagination' },
          injected: true,
          invocationError: 'MCP server timed out after 30 s',
        },
        { tool: 'exec_command', input: { cmd: 'rg -n "cursor" src/deploy' } },
      ],
    },
  ]);
  await allRecorded(dashboard, interceptions + 1);
  return {
    alice,
    bob,
    carol,
    aliceSessions: aliceAgents.map((a) => a.sessionId ?? ''),
    bobSessions: bobAgents.map((a) => a.sessionId ?? ''),
    longSession: long.sessionId ?? '',
    mcpSession: MCP_SESSION,
    sessionCount: aliceAgents.length + bobAgents.length + 1 + SCRIPT_RUNS + 1,
    interceptions: interceptions + 1,
  };
}

/** Carol's scripts alternate SDKs and modes; the function-calling ones use Chat Completions. */
function script(token: string, index: number, functions: boolean): Agent {
  if (functions) return openaiSdk(token, { weather: true, stream: index % 2 === 1 });
  const kinds = [
    () => anthropicSdk(token),
    () => openaiSdk(token, { api: 'responses', stream: true, model: 'gpt-5-mini' }),
    () => openaiSdk(token),
    () => anthropicSdk(token, { stream: true }),
  ];
  return (kinds[index % kinds.length] as () => Agent)();
}

/** Waits until the API lists `count` ended interceptions (recording ends just after each response). */
async function allRecorded(dashboard: Dashboard, count: number): Promise<void> {
  await vi.waitFor(
    async () => {
      const res = await dashboard.server.request('/api/v2/aibridge/interceptions?limit=1');
      const body = (await res.json()) as { count: number };
      if (body.count < count) throw new Error(`only ${body.count} of ${count} interceptions were recorded`);
    },
    { timeout: 60_000, interval: 50 },
  );
}
