import { type Kysely, sql } from 'kysely';

/**
 * Provider instances kept in the database instead of two env vars: each has a name (its route
 * prefix), a type, a base URL, extra headers, a model allowlist, a BYOK policy, per-instance
 * settings (timeouts, circuit breaker, Azure's api-version) and its keys, each sealed with
 * AES-256-GCM (`sealed`) beside a hint that is safe to show (`hint`). `env_managed` marks the
 * two instances seeded from the env vars, which follow those vars until changed through the API.
 *
 * Frozen: installations that ran it keep what it made, so it is never edited (a change is a
 * new migration).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

const STATEMENTS: readonly string[] = [
  `CREATE TABLE aibridge_providers (
      name text PRIMARY KEY CHECK (name ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(name) <= 63),
      type text NOT NULL CHECK (type IN ('openai', 'anthropic', 'openai-compatible', 'azure-openai')),
      base_url text NOT NULL,
      headers jsonb NOT NULL DEFAULT '{}',
      models text[] NULL,
      byok text NOT NULL DEFAULT 'central' CHECK (byok IN ('central', 'byok-allowed', 'byok-only')),
      settings jsonb NOT NULL DEFAULT '{}',
      keys jsonb NOT NULL DEFAULT '[]',
      env_managed boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
];
