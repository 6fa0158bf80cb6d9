import { z } from 'zod';
import type { Provider } from '../gateway/provider.js';
import type { ProviderType } from '../providers/instance.js';
import { TokenClientStore } from '../store/token-clients.js';
import { type AnyRoute, defineRoute } from './route.js';
import { resolveVisibleUser } from './user-ref.js';

const time = z.iso.datetime();

const ConnectSettings = z
  .object({
    public_url: z
      .string()
      .nullable()
      .describe(
        'AIBRIDGE_PUBLIC_URL, no trailing slash; null when unset (use the URL you reached the server at).',
      ),
    anthropic_provider: z
      .string()
      .nullable()
      .describe('The provider instance Anthropic clients go through (`/api/v2/aibridge/<name>`), if any.'),
    openai_provider: z
      .string()
      .nullable()
      .describe('The provider instance OpenAI clients go through (`/api/v2/aibridge/<name>/v1`), if any.'),
  })
  .meta({ id: 'ConnectSettings' });

const TokenClient = z
  .object({
    key_id: z.string().describe('The token id (the part before the "-").'),
    client: z
      .string()
      .describe('The client as recorded on interceptions (`Claude Code`, `Codex`, … or `Unknown`).'),
    client_version: z
      .string()
      .describe(
        "Its version from the User-Agent; for Unknown, the User-Agent's first product; '' when none.",
      ),
    last_used_at: time,
  })
  .meta({ id: 'TokenClient' });

const TokenClientList = z
  .object({ clients: z.array(TokenClient) })
  .meta({ id: 'TokenClientList' })
  .describe('Newest first, at most 500; up to ~10 s behind the gateway (written in batches).');

/** The instance agents of one API should use: the one named for its type, else the first of that type. */
function providerFor(providers: ReadonlyMap<string, Provider>, types: ProviderType[]): string | null {
  const candidates = [...providers.values()].filter((p) => types.includes(p.type));
  const named = candidates.find((p) => p.name === types[0]);
  return (named ?? candidates.sort((a, b) => a.name.localeCompare(b.name))[0])?.name ?? null;
}

/** What the connect page (and `aibridge connect`) need to write an agent's setup for this server. */
export const connectRoutes: AnyRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/api/v2/connect',
    summary: "This server's public URL and the provider routes agents should use",
    tags: ['Connect'],
    response: ConnectSettings,
    handler: async ({ deps }) => ({
      public_url: deps.config.publicUrl ?? null,
      anthropic_provider: providerFor(deps.providers.providers, ['anthropic']),
      openai_provider: providerFor(deps.providers.providers, ['openai', 'azure-openai', 'openai-compatible']),
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v2/users/{user}/keys/clients',
    summary: "Which clients used a user's tokens, and when each last did",
    tags: ['Tokens'],
    params: z.object({ user: z.string().describe('A user id, a username, or `me`.') }),
    response: TokenClientList,
    handler: async ({ actor, deps, params }) => {
      const user = await resolveVisibleUser(deps.db.kysely, actor, params.user);
      const rows = await new TokenClientStore(deps.db.kysely).listForUser(user.id);
      return {
        clients: rows.map((row) => ({
          key_id: row.api_key_id,
          client: row.client,
          client_version: row.client_version,
          last_used_at: row.last_used_at.toISOString(),
        })),
      };
    },
  }),
];
