import { type Kysely, sql } from 'kysely';

/**
 * The whole schema in its final reference shape: identities, tokens and the five AI Bridge
 * tables, with the indexes the list, session and lineage queries use.
 *
 * Frozen: installations that ran it keep what it made, so it is never edited (a change is a
 * new migration). Each statement is sent on its own, exactly as written (PGlite takes one
 * statement per query).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

const STATEMENTS: readonly string[] = [
  // People: `deleted_at` marks a removed user (their recordings stay); a username is unique
  // among live users, whatever its case.
  `CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      username text NOT NULL CHECK (char_length(username) BETWEEN 1 AND 32),
      name text NOT NULL DEFAULT '',
      avatar_url text NOT NULL DEFAULT '',
      role text NOT NULL CHECK (role IN ('owner', 'auditor', 'member')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NULL,
      deleted_at timestamptz NULL
    )`,
  `CREATE UNIQUE INDEX users_username_live_idx ON users (lower(username)) WHERE deleted_at IS NULL`,

  // Tokens read `<id>-<secret>`: the id is stored as is, the secret only as its hash.
  `CREATE TABLE api_keys (
      id text PRIMARY KEY CHECK (char_length(id) = 10),
      hashed_secret bytea NOT NULL,
      user_id uuid NOT NULL REFERENCES users (id),
      token_name text NOT NULL,
      lifetime_seconds bigint NOT NULL,
      expires_at timestamptz NOT NULL,
      last_used timestamptz NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, token_name)
    )`,

  // One row per provider call. `session_id` groups calls: the client's own session id, else the
  // thread's root interception, else the call itself.
  `CREATE TABLE aibridge_interceptions (
      id uuid PRIMARY KEY,
      initiator_id uuid NOT NULL REFERENCES users (id),
      api_key_id text NULL,
      provider text NOT NULL,
      provider_name text NOT NULL DEFAULT '',
      model text NOT NULL,
      client varchar(64) NULL DEFAULT 'Unknown',
      client_session_id varchar(256) NULL,
      thread_parent_id uuid NULL,
      thread_root_id uuid NULL,
      session_id text NOT NULL
        GENERATED ALWAYS AS (COALESCE(client_session_id, thread_root_id::text, id::text)) STORED,
      metadata jsonb NULL,
      started_at timestamptz NOT NULL,
      ended_at timestamptz NULL
    )`,

  // Lists and filters, newest first; thread lineage; session lookups.
  `CREATE INDEX aibridge_interceptions_initiator_id_idx ON aibridge_interceptions (initiator_id)`,
  `CREATE INDEX aibridge_interceptions_provider_idx ON aibridge_interceptions (provider)`,
  `CREATE INDEX aibridge_interceptions_model_idx ON aibridge_interceptions (model)`,
  `CREATE INDEX aibridge_interceptions_client_idx ON aibridge_interceptions (client)`,
  `CREATE INDEX aibridge_interceptions_started_id_idx ON aibridge_interceptions (started_at DESC, id DESC)`,
  `CREATE INDEX aibridge_interceptions_thread_parent_idx ON aibridge_interceptions (thread_parent_id)`,
  `CREATE INDEX aibridge_interceptions_thread_root_idx ON aibridge_interceptions (thread_root_id)`,
  `CREATE INDEX aibridge_interceptions_client_session_idx ON aibridge_interceptions (client_session_id)
      WHERE client_session_id IS NOT NULL`,
  `CREATE INDEX aibridge_interceptions_session_idx ON aibridge_interceptions (session_id)
      WHERE ended_at IS NOT NULL`,
  `CREATE INDEX aibridge_interceptions_initiator_started_idx
      ON aibridge_interceptions (initiator_id, started_at DESC, id DESC) WHERE ended_at IS NOT NULL`,

  // What each interception recorded, found by interception and by provider response.
  `CREATE TABLE aibridge_token_usages (
      id uuid PRIMARY KEY,
      interception_id uuid NOT NULL,
      provider_response_id text NOT NULL,
      input_tokens bigint NOT NULL,
      output_tokens bigint NOT NULL,
      cache_read_input_tokens bigint NOT NULL DEFAULT 0,
      cache_write_input_tokens bigint NOT NULL DEFAULT 0,
      metadata jsonb NULL,
      created_at timestamptz NOT NULL
    )`,
  `CREATE INDEX aibridge_token_usages_interception_idx ON aibridge_token_usages (interception_id)`,
  `CREATE INDEX aibridge_token_usages_response_idx ON aibridge_token_usages (provider_response_id)`,
  `CREATE TABLE aibridge_user_prompts (
      id uuid PRIMARY KEY,
      interception_id uuid NOT NULL,
      provider_response_id text NOT NULL,
      prompt text NOT NULL,
      metadata jsonb NULL,
      created_at timestamptz NOT NULL
    )`,
  `CREATE INDEX aibridge_user_prompts_interception_idx ON aibridge_user_prompts (interception_id)`,
  `CREATE INDEX aibridge_user_prompts_response_idx ON aibridge_user_prompts (provider_response_id)`,
  `CREATE INDEX aibridge_user_prompts_latest_idx
      ON aibridge_user_prompts (interception_id, created_at DESC, id DESC)`,
  `CREATE TABLE aibridge_tool_usages (
      id uuid PRIMARY KEY,
      interception_id uuid NOT NULL,
      provider_response_id text NOT NULL,
      provider_tool_call_id text NULL,
      server_url text NULL,
      tool text NOT NULL,
      input text NOT NULL,
      injected boolean NOT NULL DEFAULT false,
      invocation_error text NULL,
      metadata jsonb NULL,
      created_at timestamptz NOT NULL
    )`,
  `CREATE INDEX aibridge_tool_usages_interception_idx ON aibridge_tool_usages (interception_id)`,
  `CREATE INDEX aibridge_tool_usages_response_idx ON aibridge_tool_usages (provider_response_id)`,
  `CREATE INDEX aibridge_tool_usages_tool_call_idx ON aibridge_tool_usages (provider_tool_call_id)`,
  `CREATE TABLE aibridge_model_thoughts (
      interception_id uuid NOT NULL,
      content text NOT NULL,
      metadata jsonb NULL,
      created_at timestamptz NOT NULL
    )`,
  `CREATE INDEX aibridge_model_thoughts_interception_idx ON aibridge_model_thoughts (interception_id)`,
];
