import { randomUUID } from 'node:crypto';
import { Seeder, type SeedInterception } from '../seed.js';
import type { TestServer } from '../server.js';

/** The people of the scenario, with tokens to sign in as them. */
export interface ScenarioUsers {
  alice: { id: string; token: string };
  bob: { id: string; token: string };
  carol: { id: string; token: string };
}

const HOUR = 3_600_000;
const MINUTE = 60_000;

/**
 * A small team's week: Alice in Claude Code (threads with tool loops, thinking and cache
 * hits), Bob in Codex (shell calls, an injected tool that failed), Carol running many short
 * SDK scripts (enough sessions to page). Written straight to the database in the shape the
 * recorder produces; phase B drives the same story through the real gateway instead.
 */
export async function seedScenario(server: TestServer): Promise<ScenarioUsers> {
  const users = {
    alice: await createNamedUser(server, 'alice', 'Alice Martin', 'member'),
    bob: await createNamedUser(server, 'bob', 'Bob Chen', 'member'),
    carol: await createNamedUser(server, 'carol', 'Carol Diaz', 'auditor'),
  };
  const now = Date.now();
  const specs: SeedInterception[] = [];
  for (let s = 0; s < 3; s++) {
    const session = `cc-alice-${s}`;
    for (let t = 0; t < 2; t++) {
      const start = now - (s * 20 + t * 2 + 1) * HOUR;
      specs.push(
        ...toolLoop({
          initiatorId: users.alice.id,
          session,
          start,
          provider: 'anthropic',
          model: s === 2 ? 'claude-opus-4-1' : 'claude-sonnet-4-5',
          client: 'Claude Code',
          prompt: `Session ${s} thread ${t}: fix the failing test in src/parser.ts and explain the root cause`,
          tools: [
            { tool: 'Read', input: { file_path: 'src/parser.ts' } },
            {
              tool: 'Edit',
              input: { file_path: 'src/parser.ts', old_string: 'a < b', new_string: 'a <= b' },
            },
          ],
          thinking: 'The off-by-one is in the loop bound; reading the file first.',
        }),
      );
    }
  }
  for (let s = 0; s < 2; s++) {
    specs.push(
      ...toolLoop({
        initiatorId: users.bob.id,
        session: `codex-bob-${s}`,
        start: now - (s * 30 + 5) * HOUR,
        provider: 'openai',
        model: 'gpt-5-codex',
        client: 'Codex',
        prompt: `Add a --json flag to the export command (${s})`,
        tools: [
          { tool: 'shell', input: { command: ['rg', '--files', 'src/cli'] } },
          {
            tool: 'lookup_docs',
            input: { query: 'commander options' },
            injected: true,
            error: s === 0 ? 'MCP server timed out' : undefined,
          },
        ],
      }),
    );
  }
  for (let i = 0; i < 30; i++) {
    specs.push({
      initiatorId: users.carol.id,
      provider: 'openai',
      model: 'gpt-5-mini',
      client: null,
      startedAt: new Date(now - (i * 3 + 2) * HOUR - 17 * MINUTE),
      prompt: `Summarise nightly report #${i}`,
      tokens: [{ input: 800 + i, output: 120, cacheRead: i % 3 === 0 ? 400 : 0 }],
    });
  }
  await new Seeder(server.running.db.kysely).interceptions(specs);
  return users;
}

async function createNamedUser(server: TestServer, username: string, name: string, role: string) {
  const created = await server.request('/api/v2/users', { method: 'POST', json: { username, name, role } });
  if (created.status !== 201) throw new Error(`create ${username}: ${created.status}`);
  const user = (await created.json()) as { id: string };
  const key = await server.request(`/api/v2/users/${user.id}/keys`, {
    method: 'POST',
    json: { token_name: 'tests' },
  });
  return { id: user.id, token: ((await key.json()) as { key: string }).key };
}

interface LoopSpec {
  initiatorId: string;
  session: string;
  start: number;
  provider: string;
  model: string;
  client: string;
  prompt: string;
  tools: Array<{ tool: string; input: unknown; injected?: boolean; error?: string | undefined }>;
  thinking?: string;
}

/** One thread: the prompt's interception, one per tool call (each continuing the loop), then the answer. */
function toolLoop(spec: LoopSpec): SeedInterception[] {
  const rootId = randomUUID();
  const base = {
    initiatorId: spec.initiatorId,
    provider: spec.provider,
    model: spec.model,
    client: spec.client,
    clientSessionId: spec.session,
  };
  const steps: SeedInterception[] = [];
  let parent = rootId;
  spec.tools.forEach((tool, index) => {
    const id = index === 0 ? rootId : randomUUID();
    steps.push({
      ...base,
      id,
      threadRootId: index === 0 ? null : rootId,
      threadParentId: index === 0 ? null : parent,
      startedAt: new Date(spec.start + index * 20_000),
      ...(index === 0 ? { prompt: spec.prompt } : {}),
      ...(spec.thinking && index === 0 ? { thoughts: [spec.thinking] } : {}),
      tokens: [
        {
          input: 1200 + index * 300,
          output: 90,
          cacheRead: index * 1000,
          cacheWrite: index === 0 ? 1200 : 0,
        },
      ],
      tools: [
        {
          tool: tool.tool,
          input: tool.input,
          injected: tool.injected ?? false,
          ...(tool.error ? { invocationError: tool.error } : {}),
        },
      ],
    });
    parent = id;
  });
  steps.push({
    ...base,
    threadRootId: rootId,
    threadParentId: parent,
    startedAt: new Date(spec.start + spec.tools.length * 20_000),
    tokens: [{ input: 300, output: 420, cacheRead: 2400 }],
  });
  return steps;
}
