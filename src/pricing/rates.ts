/**
 * Token rates in integer micro-dollars per million tokens, so sums stay exact in integers: $3
 * per million input tokens is 3_000_000. A per-call fee (web search) is micro-dollars per call.
 */
export interface TokenRates {
  input: number;
  output: number;
  cacheRead: number;
  /** Writes to Anthropic's default (5-minute) prompt cache. */
  cacheWrite5m: number;
  /** Writes to the 1-hour prompt cache: a rate of its own (2× input at Anthropic), never the 5m one. */
  cacheWrite1h: number;
}

/** A model's whole rate card: base token rates, long-context tiers and server-tool fees. */
export interface Rates extends TokenRates {
  /** Micro-dollars per web-search call (Anthropic `server_tool_use`, OpenAI `web_search_call`). */
  webSearch: number;
  /**
   * Rates that replace the base ones when the request's whole input (plain input, cache reads
   * and cache writes) exceeds `aboveInputTokens`, ascending: the last one exceeded applies.
   */
  tiers: Array<TokenRates & { aboveInputTokens: number }>;
}

/** The rates of one model and where they came from: what each token row's cost was computed with. */
export interface Price {
  /** `package` (the price book package) or `override` (an owner's rate). */
  source: 'package' | 'override';
  /** The book's model id the name matched (e.g. `claude-sonnet-4-5` for a dated snapshot). */
  model: string;
  /** The package `name@version`, or the override's id. */
  origin: string;
  rates: Rates;
}

/** Dollars per million tokens (the package's unit) → integer micro-dollars per million tokens. */
export function microsPerMillion(dollarsPerMillion: number): number {
  return Math.round(dollarsPerMillion * 1_000_000);
}
