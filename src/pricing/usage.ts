import type { TokenCounts } from '../recorder/types.js';
import type { BillableUsage } from './cost.js';

/**
 * A recorded token row as billed: Anthropic's cache writes split into 1-hour
 * (`cache_creation.ephemeral_1h_input_tokens`) and the rest at the 5-minute rate; web-search
 * calls from `server_tool_use.web_search_requests` (or OpenAI's `web_search_call` items).
 */
export function billableUsage(
  counts: Pick<TokenCounts, 'input' | 'output' | 'cacheRead' | 'cacheWrite' | 'metadata'>,
): BillableUsage {
  const oneHour = Math.min(counts.cacheWrite, counts.metadata.cache_ephemeral_1h_input ?? 0);
  return {
    input: counts.input,
    output: counts.output,
    cacheRead: counts.cacheRead,
    cacheWrite5m: counts.cacheWrite - oneHour,
    cacheWrite1h: oneHour,
    webSearches: counts.metadata.web_search_requests ?? 0,
  };
}
