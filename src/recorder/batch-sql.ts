import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/database.js';
import type { Schema } from '../db/schema/index.js';
import { cleanJson, cleanText } from './text.js';
import type {
  AsyncRecord,
  EndRecord,
  PromptRecord,
  ThoughtRecord,
  TokenUsageRecord,
  ToolUsageRecord,
} from './types.js';

type Tx = Kysely<Schema>;

/**
 * Writes one batch of queued records in one transaction: a multi-row insert per table (one
 * statement shape, arrays unnested, so the same SQL runs on PostgreSQL and PGlite) and one
 * update for the ended interceptions. Rows of an interception always land in the same or an
 * earlier transaction than its `ended_at`.
 *
 * These rows are written *after* the request was served, so the transaction turns
 * `synchronous_commit` off for itself: a crash of the database server could lose the last
 * few hundred milliseconds of them, in exchange for not waiting on a WAL flush per batch. The
 * audit row that matters — the interception start — is inserted elsewhere with a synchronous
 * commit before anything goes upstream.
 */
export async function writeBatch(db: Database, records: readonly AsyncRecord[]): Promise<void> {
  const tokens: TokenUsageRecord[] = [];
  const prompts: PromptRecord[] = [];
  const tools: ToolUsageRecord[] = [];
  const thoughts: ThoughtRecord[] = [];
  const ends: EndRecord[] = [];
  for (const record of records) {
    if (record.kind === 'token_usage') tokens.push(record);
    else if (record.kind === 'prompt') prompts.push(record);
    else if (record.kind === 'tool_usage') tools.push(record);
    else if (record.kind === 'thought') thoughts.push(record);
    else ends.push(record);
  }
  await db.kysely.transaction().execute(async (tx) => {
    if (db.kind === 'postgres') await sql`SET LOCAL synchronous_commit = off`.execute(tx);
    if (tokens.length > 0) await insertTokens(tx, tokens);
    if (prompts.length > 0) await insertPrompts(tx, prompts);
    if (tools.length > 0) await insertTools(tx, tools);
    if (thoughts.length > 0) await insertThoughts(tx, thoughts);
    if (ends.length > 0) await markEnded(tx, ends);
  });
}

const ids = (n: number): string[] => Array.from({ length: n }, () => randomUUID());
const iso = (date: Date): string => date.toISOString();

async function insertTokens(tx: Tx, rows: TokenUsageRecord[]): Promise<void> {
  await sql`
    INSERT INTO aibridge_token_usages (id, interception_id, provider_response_id, input_tokens,
      output_tokens, cache_read_input_tokens, cache_write_input_tokens, metadata, created_at)
    SELECT u.id::uuid, u.interception_id::uuid, u.response_id, u.input::bigint, u.output::bigint,
      u.cache_read::bigint, u.cache_write::bigint, u.metadata::jsonb, u.created_at::timestamptz
    FROM unnest(${ids(rows.length)}::text[], ${rows.map((r) => r.interceptionId)}::text[],
      ${rows.map((r) => cleanText(r.providerResponseId))}::text[], ${rows.map((r) => String(r.input))}::text[],
      ${rows.map((r) => String(r.output))}::text[], ${rows.map((r) => String(r.cacheRead))}::text[],
      ${rows.map((r) => String(r.cacheWrite))}::text[], ${rows.map((r) => cleanJson(r.metadata))}::text[],
      ${rows.map((r) => iso(r.createdAt))}::text[])
      AS u(id, interception_id, response_id, input, output, cache_read, cache_write, metadata, created_at)
  `.execute(tx);
}

async function insertPrompts(tx: Tx, rows: PromptRecord[]): Promise<void> {
  const texts = rows.map((r) => cleanText(typeof r.prompt === 'string' ? r.prompt : r.prompt()));
  await sql`
    INSERT INTO aibridge_user_prompts (id, interception_id, provider_response_id, prompt, metadata, created_at)
    SELECT u.id::uuid, u.interception_id::uuid, u.response_id, u.prompt, '{}'::jsonb, u.created_at::timestamptz
    FROM unnest(${ids(rows.length)}::text[], ${rows.map((r) => r.interceptionId)}::text[],
      ${rows.map((r) => cleanText(r.providerResponseId))}::text[], ${texts}::text[],
      ${rows.map((r) => iso(r.createdAt))}::text[])
      AS u(id, interception_id, response_id, prompt, created_at)
  `.execute(tx);
}

async function insertTools(tx: Tx, rows: ToolUsageRecord[]): Promise<void> {
  await sql`
    INSERT INTO aibridge_tool_usages (id, interception_id, provider_response_id, provider_tool_call_id,
      server_url, tool, input, injected, invocation_error, metadata, created_at)
    SELECT u.id::uuid, u.interception_id::uuid, u.response_id, u.call_id, NULL, u.tool, u.input,
      false, NULL, '{}'::jsonb, u.created_at::timestamptz
    FROM unnest(${ids(rows.length)}::text[], ${rows.map((r) => r.interceptionId)}::text[],
      ${rows.map((r) => cleanText(r.providerResponseId))}::text[],
      ${rows.map((r) => (r.toolCallId === undefined ? null : cleanText(r.toolCallId)))}::text[],
      ${rows.map((r) => cleanText(r.tool))}::text[], ${rows.map((r) => cleanText(r.input))}::text[],
      ${rows.map((r) => iso(r.createdAt))}::text[])
      AS u(id, interception_id, response_id, call_id, tool, input, created_at)
  `.execute(tx);
}

async function insertThoughts(tx: Tx, rows: ThoughtRecord[]): Promise<void> {
  await sql`
    INSERT INTO aibridge_model_thoughts (interception_id, content, metadata, created_at)
    SELECT u.interception_id::uuid, u.content, u.metadata::jsonb, u.created_at::timestamptz
    FROM unnest(${rows.map((r) => r.interceptionId)}::text[], ${rows.map((r) => cleanText(r.content))}::text[],
      ${rows.map((r) => cleanJson(r.metadata))}::text[], ${rows.map((r) => iso(r.createdAt))}::text[])
      AS u(interception_id, content, metadata, created_at)
  `.execute(tx);
}

async function markEnded(tx: Tx, rows: EndRecord[]): Promise<void> {
  await sql`
    UPDATE aibridge_interceptions AS i SET ended_at = u.ended_at::timestamptz
    FROM unnest(${rows.map((r) => r.interceptionId)}::text[], ${rows.map((r) => iso(r.endedAt))}::text[])
      AS u(id, ended_at)
    WHERE i.id = u.id::uuid AND i.ended_at IS NULL
  `.execute(tx);
}
