import { CompiledQuery, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { PreparedStatement } from '../db/prepared.js';
import type { Schema } from '../db/schema/index.js';
import { PriceBook } from '../pricing/book.js';
import { PackagePrices } from '../pricing/package-book.js';
import { CostLedger } from './cost-ledger.js';
import { cleanJson } from './text.js';
import type { AsyncRecord } from './types.js';
import { uuidv7 } from './uuid7.js';

/**
 * One statement writes a whole batch: a data-modifying CTE per table, each reading its rows
 * from one JSON parameter (an empty array inserts nothing), then the `ended_at` update. One
 * fixed shape, so it is prepared once; one round trip and one transaction per batch, and an
 * interception's rows are always committed together with (or before) its `ended_at`. Token rows
 * carry their cost and rate snapshot; the `ended_at` update sets the interception's cost sum,
 * and the same cost is added to the counters of the budget periods it was charged to. The part
 * of it its reservation covered (`released` = min(cost, reserved)) leaves the lease in the same
 * update: the cost moves from leased to spent at once, never counted in both (which refused
 * other requests early until the process gave the lease back). The period's row exists when
 * anything was leased (the lease exchange creates it); the insert covers unleased charges.
 */
const WRITE_BATCH: PreparedStatement = {
  name: 'aibridge_write_batch_v5',
  text: `
WITH tokens AS (
  INSERT INTO aibridge_token_usages (id, interception_id, provider_response_id, input_tokens, output_tokens,
    cache_read_input_tokens, cache_write_input_tokens, metadata, created_at, cost_micros, price)
  SELECT * FROM json_to_recordset($1::text::json) AS r(id uuid, interception_id uuid, provider_response_id text,
    input_tokens bigint, output_tokens bigint, cache_read_input_tokens bigint, cache_write_input_tokens bigint,
    metadata jsonb, created_at timestamptz, cost_micros bigint, price jsonb)
), prompts AS (
  INSERT INTO aibridge_user_prompts (id, interception_id, provider_response_id, prompt, metadata, created_at)
  SELECT r.id, r.interception_id, r.provider_response_id, r.prompt, '{}'::jsonb, r.created_at
  FROM json_to_recordset($2::text::json) AS r(id uuid, interception_id uuid, provider_response_id text,
    prompt text, created_at timestamptz)
), tools AS (
  INSERT INTO aibridge_tool_usages (id, interception_id, provider_response_id, provider_tool_call_id,
    server_url, tool, input, injected, invocation_error, metadata, created_at)
  SELECT r.id, r.interception_id, r.provider_response_id, r.provider_tool_call_id, NULL, r.tool, r.input,
    false, NULL, '{}'::jsonb, r.created_at
  FROM json_to_recordset($3::text::json) AS r(id uuid, interception_id uuid, provider_response_id text,
    provider_tool_call_id text, tool text, input text, created_at timestamptz)
), thoughts AS (
  INSERT INTO aibridge_model_thoughts (interception_id, content, metadata, created_at)
  SELECT * FROM json_to_recordset($4::text::json)
    AS r(interception_id uuid, content text, metadata jsonb, created_at timestamptz)
), charged AS (
  SELECT r.budget_id, r.period_start, sum(r.micros) AS micros, sum(r.released) AS released
  FROM json_to_recordset($6::text::json) AS r(budget_id uuid, period_start timestamptz, micros bigint, released bigint)
  GROUP BY r.budget_id, r.period_start
), settled AS (
  UPDATE aibridge_budget_usage AS u SET spent_micros = u.spent_micros + c.micros,
    leased_micros = GREATEST(0, u.leased_micros - c.released)
  FROM charged c WHERE u.budget_id = c.budget_id AND u.period_start = c.period_start
  RETURNING u.budget_id, u.period_start
), spend AS (
  INSERT INTO aibridge_budget_usage AS u (budget_id, period_start, spent_micros)
  SELECT c.budget_id, c.period_start, c.micros FROM charged c
  WHERE NOT EXISTS (SELECT 1 FROM settled s WHERE s.budget_id = c.budget_id AND s.period_start = c.period_start)
  ON CONFLICT (budget_id, period_start) DO UPDATE SET spent_micros = u.spent_micros + EXCLUDED.spent_micros
)
UPDATE aibridge_interceptions AS i SET ended_at = r.ended_at, cost_micros = r.cost_micros,
  metadata = CASE WHEN r.metadata IS NULL THEN i.metadata ELSE COALESCE(i.metadata, '{}') || r.metadata END
FROM json_to_recordset($5::text::json) AS r(id uuid, ended_at timestamptz, cost_micros bigint, metadata jsonb)
WHERE i.id = r.id AND i.ended_at IS NULL`,
};

/**
 * Writes one batch of queued records. These rows describe requests already served, so the
 * transaction commits with `synchronous_commit` off: a crash of the database server may lose
 * its last few hundred milliseconds of them, and no request waits on a WAL flush for them. The
 * audit row that matters — the interception start — is written with a synchronous commit,
 * before anything goes upstream.
 */
export async function writeBatch(
  db: Database,
  records: readonly AsyncRecord[],
  ledger: CostLedger = defaultLedger(),
): Promise<void> {
  const costs = ledger.prepare(records);
  await db.prepared.run(WRITE_BATCH, batchParams(records, costs), { asyncCommit: true });
  costs.commit();
  settleBudgets(records, costs);
}

/**
 * Writes records inside a transaction the caller owns (the spool's replay commits them with its
 * replay marker, so a replay interrupted by a crash is neither lost nor applied twice).
 */
export async function writeBatchIn(trx: Transaction<Schema>, records: readonly AsyncRecord[]): Promise<void> {
  const costs = defaultLedger().prepare(records);
  await trx.executeQuery(CompiledQuery.raw(WRITE_BATCH.text, batchParams(records, costs)));
  costs.commit();
  settleBudgets(records, costs);
}

/** Tells each ended interception's budget hold its real cost, once the batch has committed. */
function settleBudgets(records: readonly AsyncRecord[], costs: ReturnType<CostLedger['prepare']>): void {
  for (const r of records) if (r.kind === 'end') r.budget?.settle(costs.endCost(r.interceptionId));
}

function batchParams(records: readonly AsyncRecord[], costs: ReturnType<CostLedger['prepare']>): string[] {
  const tokens: object[] = [];
  const prompts: object[] = [];
  const tools: object[] = [];
  const thoughts: object[] = [];
  const ends: object[] = [];
  const spend: object[] = [];
  for (const r of records) {
    if (r.kind === 'token_usage') {
      const cost = costs.rowCost(r);
      tokens.push({
        id: uuidv7(),
        interception_id: r.interceptionId,
        provider_response_id: r.providerResponseId,
        input_tokens: r.input,
        output_tokens: r.output,
        cache_read_input_tokens: r.cacheRead,
        cache_write_input_tokens: r.cacheWrite,
        metadata: r.metadata,
        created_at: r.createdAt,
        cost_micros: cost?.micros ?? null,
        price: cost?.snapshot ?? null,
      });
    } else if (r.kind === 'prompt') {
      const prompt = typeof r.prompt === 'string' ? r.prompt : r.prompt();
      prompts.push({
        id: uuidv7(),
        interception_id: r.interceptionId,
        provider_response_id: r.providerResponseId,
        prompt,
        created_at: r.createdAt,
      });
    } else if (r.kind === 'tool_usage') {
      tools.push({
        id: uuidv7(),
        interception_id: r.interceptionId,
        provider_response_id: r.providerResponseId,
        provider_tool_call_id: r.toolCallId ?? null,
        tool: r.tool,
        input: r.input,
        created_at: r.createdAt,
      });
    } else if (r.kind === 'thought') {
      thoughts.push({
        interception_id: r.interceptionId,
        content: r.content,
        metadata: r.metadata,
        created_at: r.createdAt,
      });
    } else {
      const cost = costs.endCost(r.interceptionId);
      ends.push({ id: r.interceptionId, ended_at: r.endedAt, cost_micros: cost, metadata: r.metadata });
      for (const c of r.budget?.charges ?? []) {
        if (cost)
          spend.push({
            budget_id: c.budgetId,
            period_start: c.periodStart,
            micros: cost,
            released: released(cost, c),
          });
      }
    }
  }
  return [tokens, prompts, tools, thoughts, ends, spend].map((rows) => cleanJson(rows));
}

/** How much of a settled cost leaves the lease: the part its reservation covered (the ledger mirrors it). */
function released(cost: number, charge: { reservedMicros: number }): number {
  return Math.min(cost, charge.reservedMicros);
}

let sharedLedger: CostLedger | undefined;

/** For callers without a lane of their own (tests, tools): the package's prices, one ledger. */
function defaultLedger(): CostLedger {
  sharedLedger ??= new CostLedger(new PriceBook(new PackagePrices()), undefined);
  return sharedLedger;
}
