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
}

export type TokenUsageRow = Selectable<TokenUsagesTable>;
export type NewTokenUsage = Insertable<TokenUsagesTable>;
