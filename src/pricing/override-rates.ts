import { z } from 'zod';
import type { Rates, TokenRates } from './rates.js';

const micros = z.int().min(0).max(1_000_000_000_000);

const tokenRateFields = {
  input: micros.describe('Plain input, micro-dollars per million tokens ($3/MTok = 3000000).'),
  output: micros.describe('Output (reasoning and thinking included), micro-dollars per million tokens.'),
  cache_read: micros.optional().describe('Cache reads; default: the input rate.'),
  cache_write_5m: micros.optional().describe('5-minute cache writes; default: the input rate.'),
  cache_write_1h: micros.optional().describe('1-hour cache writes; default: twice the input rate.'),
};

/** An override's rate card as the API takes it and the table stores it (`rates` jsonb). */
export const OverrideRatesSchema = z
  .object({
    ...tokenRateFields,
    web_search: micros.optional().describe('Micro-dollars per web-search call; default 0.'),
    long_context: z
      .array(z.object({ above_input_tokens: z.int().min(0), ...tokenRateFields }))
      .max(8)
      .optional()
      .describe('Rates that replace the base ones when a request’s whole input exceeds above_input_tokens.'),
  })
  .meta({ id: 'PriceOverrideRates' });

/** The stored/API form of override rates. */
export type OverrideRates = z.infer<typeof OverrideRatesSchema>;

function tokenRates(r: z.infer<z.ZodObject<typeof tokenRateFields>>): TokenRates {
  return {
    input: r.input,
    output: r.output,
    cacheRead: r.cache_read ?? r.input,
    cacheWrite5m: r.cache_write_5m ?? r.input,
    cacheWrite1h: r.cache_write_1h ?? r.input * 2,
  };
}

/** The price book's rates from an override's rate card (defaults filled in). */
export function ratesFromOverride(r: OverrideRates): Rates {
  return {
    ...tokenRates(r),
    webSearch: r.web_search ?? 0,
    tiers: [...(r.long_context ?? [])]
      .sort((a, b) => a.above_input_tokens - b.above_input_tokens)
      .map((t) => ({ aboveInputTokens: t.above_input_tokens, ...tokenRates(t) })),
  };
}

/** A book rate card as the API shows it (the same fields an override takes, all filled in). */
export function ratesView(r: Rates): Required<OverrideRates> {
  const token = (t: TokenRates) => ({
    input: t.input,
    output: t.output,
    cache_read: t.cacheRead,
    cache_write_5m: t.cacheWrite5m,
    cache_write_1h: t.cacheWrite1h,
  });
  return {
    ...token(r),
    web_search: r.webSearch,
    long_context: r.tiers.map((t) => ({ above_input_tokens: t.aboveInputTokens, ...token(t) })),
  };
}
