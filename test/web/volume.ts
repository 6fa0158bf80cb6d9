import { type Kysely, sql } from 'kysely';
import type { Schema } from '../../src/db/schema/index.js';

/** Interceptions per seeded session. */
export const SESSION_SIZE = 5;

/** A week of agent activity to write: how much, by whom, ending when. */
export interface Volume {
  interceptions: number;
  /** The people who made it, in turn session by session. */
  initiatorIds: string[];
  /** When the newest interception started (default now); one every `spacingMs` before it. */
  newest?: Date;
  spacingMs?: number;
}

/**
 * Writes `interceptions` interceptions (sessions of five: Claude Code on two Anthropic models
 * and Codex on OpenAI in turn, a token row each, the last of each session with a prompt)
 * straight into the tables, for the dashboard at scale (its test and `npm run bench:web`).
 * Set-based, in the recorder's order: one statement generates the interceptions unended with
 * their token rows and prompts (generate_series, no rows cross the wire), then one UPDATE
 * ends them all, so the triggers build the session summaries, counts and hourly rollup in
 * one pass. Row-by-row inserts fire those triggers per row: 100k interceptions took over
 * four minutes on PGlite that way; set-based they take seconds.
 */
export async function seedVolume(db: Kysely<Schema>, volume: Volume): Promise<void> {
  const newest = (volume.newest ?? new Date()).toISOString();
  const people = volume.initiatorIds.join(',');
  const spacing = (volume.spacingMs ?? 6000) / 1000;
  await sql`
    WITH g AS (
      SELECT n, n / ${SESSION_SIZE} AS s, gen_random_uuid() AS id,
        ${newest}::timestamptz - make_interval(secs => n * ${spacing}::float8) AS started_at
      FROM generate_series(0, ${volume.interceptions - 1}::int) AS n
    ), interceptions AS (
      INSERT INTO aibridge_interceptions
        (id, initiator_id, provider, model, client, client_session_id, metadata, started_at)
      SELECT g.id,
        (string_to_array(${people}, ',')::uuid[])[g.s % ${volume.initiatorIds.length}::int + 1],
        CASE WHEN g.s % 3 = 2 THEN 'openai' ELSE 'anthropic' END,
        (ARRAY['claude-sonnet-4-5', 'claude-opus-4-1', 'gpt-5-codex'])[g.s % 3 + 1],
        CASE WHEN g.s % 3 = 2 THEN 'Codex' ELSE 'Claude Code' END,
        's-' || g.s, '{"Username": "seed"}'::jsonb, g.started_at
      FROM g
    ), tokens AS (
      INSERT INTO aibridge_token_usages (id, interception_id, provider_response_id, input_tokens,
        output_tokens, cache_read_input_tokens, cache_write_input_tokens, metadata, created_at)
      SELECT gen_random_uuid(), g.id, 'msg_' || left(g.id::text, 8), 1000 + g.n % 100, 100, 500, 0,
        '{}'::jsonb, g.started_at + interval '100 milliseconds'
      FROM g
    )
    INSERT INTO aibridge_user_prompts (id, interception_id, provider_response_id, prompt, metadata, created_at)
    SELECT gen_random_uuid(), g.id, 'msg_' || left(g.id::text, 8), 'prompt ' || g.n, '{}'::jsonb,
      g.started_at + interval '10 milliseconds'
    FROM g WHERE g.n % ${SESSION_SIZE} = ${SESSION_SIZE - 1}
  `.execute(db);
  // Every unended interception of an `s-` session: only this function writes those (in a test's
  // or the benchmark's own database), and the INSERT's rows are not visible within its own statement.
  await sql`
    UPDATE aibridge_interceptions SET ended_at = started_at + interval '1 second'
    WHERE ended_at IS NULL AND client_session_id LIKE 's-%'
  `.execute(db);
}
