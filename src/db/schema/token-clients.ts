import type { Selectable } from 'kysely';

/** When one client (at one version) last used one token; kept by the gateway's batched flush. */
export interface TokenClientsTable {
  api_key_id: string;
  /** The recorded client name (`Claude Code`, `Codex`, … or `Unknown`). */
  client: string;
  /** Its version from the User-Agent; for Unknown, the User-Agent's first product; '' when none. */
  client_version: string;
  last_used_at: Date;
}

export type TokenClientRow = Selectable<TokenClientsTable>;
