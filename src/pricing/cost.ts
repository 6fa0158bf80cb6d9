import type { Price, Rates, TokenRates } from './rates.js';

/**
 * What one upstream response consumed, split the way providers bill it. `input` excludes
 * cached tokens (OpenAI's cached tokens are taken out of input once, when recorded); reasoning
 * and thinking tokens are already inside `output`, so they are never added again.
 */
export interface BillableUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  webSearches: number;
}

/** A computed cost and the exact rates it used (the tier, if one applied), kept with the row. */
export interface Cost {
  micros: number;
  snapshot: CostSnapshot;
}

/** The rate snapshot stored beside each cost, so a cost can always be explained and re-checked. */
export interface CostSnapshot {
  source: Price['source'];
  origin: string;
  model: string;
  /** The `aboveInputTokens` of the long-context tier that applied, absent for base rates. */
  tier?: number;
  input: number;
  output: number;
  cache_read: number;
  cache_write_5m: number;
  cache_write_1h: number;
  web_search: number;
}

/**
 * The cost of one response in integer micro-dollars, rounded once per response (half up).
 * The long-context tier is chosen by the response's whole input — plain, cache read and cache
 * write together — as Anthropic, OpenAI and Google define their thresholds.
 */
export function costOf(usage: BillableUsage, price: Price): Cost {
  const totalInput = usage.input + usage.cacheRead + usage.cacheWrite5m + usage.cacheWrite1h;
  const tier = tierFor(price.rates, totalInput);
  const rates: TokenRates = tier ?? price.rates;
  const tokenMicrosTimesMillion =
    usage.input * rates.input +
    usage.output * rates.output +
    usage.cacheRead * rates.cacheRead +
    usage.cacheWrite5m * rates.cacheWrite5m +
    usage.cacheWrite1h * rates.cacheWrite1h;
  const micros = Math.round(tokenMicrosTimesMillion / 1_000_000) + usage.webSearches * price.rates.webSearch;
  return {
    micros,
    snapshot: {
      source: price.source,
      origin: price.origin,
      model: price.model,
      ...(tier ? { tier: tier.aboveInputTokens } : {}),
      input: rates.input,
      output: rates.output,
      cache_read: rates.cacheRead,
      cache_write_5m: rates.cacheWrite5m,
      cache_write_1h: rates.cacheWrite1h,
      web_search: price.rates.webSearch,
    },
  };
}

function tierFor(rates: Rates, totalInput: number): Rates['tiers'][number] | undefined {
  let applied: Rates['tiers'][number] | undefined;
  for (const tier of rates.tiers) if (totalInput > tier.aboveInputTokens) applied = tier;
  return applied;
}
