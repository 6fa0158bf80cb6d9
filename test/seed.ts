import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type {
  JsonObject,
  NewInterception,
  NewModelThought,
  NewTokenUsage,
  NewToolUsage,
  NewUserPrompt,
  Schema,
} from '../src/db/schema/index.js';
import type { TestServer } from './server.js';

/** Inserts a member straight into the users table (for recorder tests, which need no token); returns its id. */
export async function insertMember(db: Kysely<Schema>, username: string): Promise<string> {
  const row = await db
    .insertInto('users')
    .values({ username, role: 'member' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Tokens one upstream response reported. */
export interface SeedTokens {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  metadata?: JsonObject | null;
}

/** A tool call the model made. */
export interface SeedTool {
  tool: string;
  /** JSON text of the arguments, or a value to serialise (default `{}`). */
  input?: unknown;
  injected?: boolean;
  /** Defaults to an MCP URL for injected tools, none otherwise. */
  serverUrl?: string | null;
  invocationError?: string | null;
  callId?: string;
}

/** One interception and what was recorded under it, as the recorder would have written it. */
export interface SeedInterception {
  id?: string;
  initiatorId: string;
  provider?: string;
  model?: string;
  /** undefined → 'Claude Code'; null → no client recorded. */
  client?: string | null;
  clientSessionId?: string | null;
  threadParentId?: string | null;
  threadRootId?: string | null;
  apiKeyId?: string | null;
  metadata?: JsonObject | null;
  startedAt: Date;
  /** undefined → one second after the start; null → still in flight. */
  endedAt?: Date | null;
  tokens?: SeedTokens[];
  prompt?: string;
  tools?: SeedTool[];
  thoughts?: string[];
}

// Rows per INSERT: PGlite takes ~40k rows/s in multi-row inserts against ~2.4k one by one,
// and 1,000 rows of the widest table stay well under PostgreSQL's 65,535 parameters.
const CHUNK = 1000;

/**
 * Writes interceptions with their token usages, prompts, tool calls and thoughts straight
 * into the tables in multi-row inserts, in the shape the recorder produces. For tests that
 * need volume (100k interceptions) or states the gateway cannot produce (injected tools and
 * their errors), and for API tests that must not depend on the gateway; everything else
 * should send real traffic through the gateway.
 */
export class Seeder {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Inserts the interceptions and their records; returns their ids in order. */
  async interceptions(list: SeedInterception[]): Promise<string[]> {
    const rows = { interceptions: [] as NewInterception[], tokens: [] as NewTokenUsage[] };
    const prompts: NewUserPrompt[] = [];
    const tools: NewToolUsage[] = [];
    const thoughts: NewModelThought[] = [];
    const ids: string[] = [];
    for (const seed of list) {
      const id = seed.id ?? randomUUID();
      ids.push(id);
      const endedAt = seed.endedAt === undefined ? new Date(seed.startedAt.getTime() + 1000) : seed.endedAt;
      const at = (ms: number) => new Date(seed.startedAt.getTime() + ms);
      rows.interceptions.push({
        id,
        initiator_id: seed.initiatorId,
        api_key_id: seed.apiKeyId ?? null,
        provider: seed.provider ?? 'anthropic',
        model: seed.model ?? 'claude-sonnet-4',
        client: seed.client === undefined ? 'Claude Code' : seed.client,
        client_session_id: seed.clientSessionId ?? null,
        thread_parent_id: seed.threadParentId ?? null,
        thread_root_id: seed.threadRootId ?? null,
        metadata: seed.metadata === undefined ? { Username: 'seed' } : seed.metadata,
        started_at: seed.startedAt,
        ended_at: endedAt,
      });
      const responseId = `msg_${id.slice(0, 8)}`;
      (seed.tokens ?? []).forEach((t, i) => {
        rows.tokens.push({
          id: randomUUID(),
          interception_id: id,
          provider_response_id: responseId,
          input_tokens: t.input,
          output_tokens: t.output,
          cache_read_input_tokens: t.cacheRead ?? 0,
          cache_write_input_tokens: t.cacheWrite ?? 0,
          metadata: t.metadata === undefined ? {} : t.metadata,
          created_at: at(100 + i),
        });
      });
      if (seed.prompt !== undefined) {
        prompts.push({
          id: randomUUID(),
          interception_id: id,
          provider_response_id: responseId,
          prompt: seed.prompt,
          metadata: {},
          created_at: at(10),
        });
      }
      (seed.tools ?? []).forEach((t, i) => {
        tools.push({
          id: randomUUID(),
          interception_id: id,
          provider_response_id: responseId,
          provider_tool_call_id: t.callId ?? `toolu_${randomUUID().slice(0, 8)}`,
          server_url: t.serverUrl !== undefined ? t.serverUrl : t.injected ? 'http://mcp.local/mcp' : null,
          tool: t.tool,
          input:
            t.input === undefined ? '{}' : typeof t.input === 'string' ? t.input : JSON.stringify(t.input),
          injected: t.injected ?? false,
          invocation_error: t.invocationError ?? null,
          metadata: {},
          created_at: at(200 + i),
        });
      });
      (seed.thoughts ?? []).forEach((content, i) => {
        thoughts.push({ interception_id: id, content, metadata: {}, created_at: at(50 + i) });
      });
    }
    await this.insert('aibridge_interceptions', rows.interceptions);
    await this.insert('aibridge_token_usages', rows.tokens);
    await this.insert('aibridge_user_prompts', prompts);
    await this.insert('aibridge_tool_usages', tools);
    await this.insert('aibridge_model_thoughts', thoughts);
    return ids;
  }

  /**
   * An agent conversation as Claude Code records it: `threads` human prompts, each followed by
   * `loops` tool-calling requests linked to it (parent = previous request, root = the prompt's
   * request), all under one client session id unless `clientSessionId` is null.
   */
  async conversation(options: ConversationOptions): Promise<Conversation> {
    const step = options.stepMs ?? 1000;
    const seeds: SeedInterception[] = [];
    const roots: string[] = [];
    let time = options.start.getTime();
    for (let t = 0; t < options.threads; t++) {
      const rootId = randomUUID();
      roots.push(rootId);
      let parent: string | null = null;
      for (let loop = 0; loop <= (options.loops ?? 1); loop++) {
        const id: string = loop === 0 ? rootId : randomUUID();
        const last = loop === (options.loops ?? 1);
        seeds.push({
          id,
          initiatorId: options.initiatorId,
          provider: options.provider,
          model: options.models?.[loop % options.models.length] ?? options.model,
          client: options.client,
          clientSessionId: options.clientSessionId === undefined ? null : options.clientSessionId,
          threadParentId: parent,
          threadRootId: loop === 0 ? null : rootId,
          startedAt: new Date(time),
          tokens: [
            { input: 100, output: 10, cacheRead: 5, cacheWrite: 1, metadata: { reasoning_tokens: 2 } },
          ],
          ...(loop === 0 ? { prompt: `${options.promptPrefix ?? 'prompt'} ${t + 1}` } : {}),
          ...(last
            ? {}
            : {
                tools: [{ tool: 'Read', input: `{"file":"${t}-${loop}"}` }],
                thoughts: [`thinking ${t}-${loop}`],
              }),
        });
        parent = id;
        time += step;
      }
    }
    const ids = await this.interceptions(seeds);
    return { ids, roots, lastStartedAt: new Date(time - step) };
  }

  private async insert<T extends keyof Schema>(table: T, rows: object[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      // The rows were built with the table's Insertable type above; Kysely cannot check a
      // table chosen at run time, hence `never`.
      await this.db
        .insertInto(table)
        .values(rows.slice(i, i + CHUNK) as never)
        .execute();
    }
  }
}

/** How to generate a conversation. */
export interface ConversationOptions {
  initiatorId: string;
  start: Date;
  threads: number;
  /** Tool-calling requests after each prompt (default 1). */
  loops?: number;
  clientSessionId?: string | null;
  client?: string | null;
  provider?: string;
  model?: string;
  /** Models used in turn within each thread (overrides `model`). */
  models?: string[];
  promptPrefix?: string;
  stepMs?: number;
}

/** What a generated conversation wrote. */
export interface Conversation {
  ids: string[];
  roots: string[];
  lastStartedAt: Date;
}

/** A member created through a test server, with the token they sign in with. */
type SeedMember = { id: string; token: string };

/**
 * The prelude of the usage and spend reports' tests: members alice and bob, and the
 * interceptions `list(alice, bob)` gives them, seeded into the server's database.
 */
export async function seedAliceAndBob(
  server: TestServer,
  list: (alice: SeedMember, bob: SeedMember) => SeedInterception[],
): Promise<{ alice: SeedMember; bob: SeedMember }> {
  const alice = await server.createUser('alice');
  const bob = await server.createUser('bob');
  await new Seeder(server.running.db.kysely).interceptions(list(alice, bob));
  return { alice, bob };
}
