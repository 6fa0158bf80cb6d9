/**
 * The hourly usage rollup, kept by triggers: per UTC hour of `started_at` and per
 * (initiator, provider, model, client — a missing client as `Unknown`), how many ended
 * interceptions there are and their token sums. Lets the usage aggregate read a row per hour
 * and key instead of every interception and token row.
 */
export interface UsageHourlyTable {
  hour: Date;
  initiator_id: string;
  provider: string;
  model: string;
  client: string;
  interceptions: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_write_input_tokens: number;
  /** Micro-dollars of its priced interceptions. */
  cost_micros: number;
  /** Ended interceptions whose cost is null (unpriced model, or recorded before costs were). */
  unpriced_interceptions: number;
}
