import type { JsonObject } from './interceptions.js';

/**
 * One session's summary over its ended interceptions, kept current by triggers (migration
 * 20261128T170000) so the sessions list reads one row per session. Never written by the app.
 */
export interface SessionsTable {
  session_id: string;
  initiator_id: string;
  started_at: Date;
  ended_at: Date | null;
  last_active_at: Date;
  first_interception_id: string;
  /** The first interception's client and metadata, as recorded (client may be missing). */
  client: string | null;
  metadata: JsonObject | null;
  providers: string[];
  models: string[];
  /** Distinct clients, a missing one as `Unknown`: what the client filter matches. */
  clients: string[];
  interceptions: number;
  threads: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_write_input_tokens: number;
  /** Micro-dollars of its priced interceptions. */
  cost_micros: number;
  /** Ended interceptions whose cost is null (unpriced model, or recorded before costs were). */
  unpriced_interceptions: number;
  last_prompt: string | null;
  last_prompt_at: Date | null;
  last_prompt_id: string | null;
}
