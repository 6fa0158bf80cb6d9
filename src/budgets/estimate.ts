import { costOf } from '../pricing/cost.js';
import type { Price } from '../pricing/rates.js';

/** Output tokens assumed when a request sets no cap of its own. */
const DEFAULT_OUTPUT_TOKENS = 4096;

/** Prompt bytes per token assumed by the estimate (English text and code run at ~4). */
const BYTES_PER_TOKEN = 4;

/**
 * The reservation for one request, in micro-dollars: the body's bytes / 4 as input tokens at
 * the model's dearest input rate (plain input or a cache write, whichever costs more), plus its
 * output cap (or DEFAULT_OUTPUT_TOKENS) at the output rate. The output part is an upper bound
 * whenever the request sets a cap; the input part is one for text of ≥ 4 bytes per token.
 */
export function estimateMicros(price: Price, bodyBytes: number, maxTokens: number | undefined): number {
  const input = Math.ceil(bodyBytes / BYTES_PER_TOKEN);
  const output = maxTokens ?? DEFAULT_OUTPUT_TOKENS;
  const none = { input: 0, output, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, webSearches: 0 };
  return Math.max(
    costOf({ ...none, input }, price).micros,
    costOf({ ...none, cacheWrite5m: input }, price).micros,
    costOf({ ...none, cacheWrite1h: input }, price).micros,
  );
}

/** Micro-dollars as the API, the header and messages show them: `4.25`, `0.000150`. */
export function dollars(micros: number): string {
  const text = (micros / 1_000_000).toFixed(6);
  return text.replace(/(\.\d\d\d*?)0+$/, '$1');
}
