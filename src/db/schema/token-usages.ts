import type { Insertable, Selectable } from 'kysely';
import type { JsonObject } from './interceptions.js';

/** Tokens one upstream response consumed; cache reads and writes kept apart from plain input. */
export interface TokenUsagesTable {
  id: string;
  interception_id: string;
  provider_response_id: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_write_input_tokens: number;
  metadata: JsonObject | null;
  created_at: Date;
  /** Integer micro-dollars; null when the model had no price (never a silent 0). */
  cost_micros: number | null;
  /** The rates the cost was computed with (source, model id, per-million rates, tier). */
  price: JsonObject | null;
}

export type TokenUsageRow = Selectable<TokenUsagesTable>;
export type NewTokenUsage = Insertable<TokenUsagesTable>;
