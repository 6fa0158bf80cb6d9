import { describe, expect, it } from 'vitest';
import { PriceBook } from './book.js';
import { costOf } from './cost.js';
import { priceableModelName } from './model-name.js';
import { PackagePrices, PRICE_PACKAGE } from './package-book.js';
import { billableUsage } from './usage.js';

const book = new PriceBook(new PackagePrices());
const at = new Date('2026-12-01T12:00:00Z');
const none = { input: 0, output: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, webSearches: 0 };

function micros(provider: string, model: string, usage: Partial<typeof none>): number | null {
  const price = book.priceOf(provider, model, at);
  return price ? costOf({ ...none, ...usage }, price).micros : null;
}

describe('the package price book', () => {
  it('names the package and version it ships', () => {
    expect(PRICE_PACKAGE).toMatch(/^@pydantic\/genai-prices@\d+\.\d+\.\d+/);
  });

  it('matches dated snapshots, aliases and provider prefixes', () => {
    for (const name of [
      'claude-sonnet-4-5-20250929',
      'claude-sonnet-4-5',
      'anthropic/claude-sonnet-4-5',
      'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    ]) {
      expect(book.priceOf('anthropic', name, at)?.model).toBe('claude-sonnet-4-5');
    }
    expect(book.priceOf('openai', 'gpt-5-2025-08-07', at)?.model).toBe('gpt-5');
    expect(book.priceOf('openai', 'openai/gpt-4o-2024-08-06', at)?.model).toBe('gpt-4o');
    expect(priceableModelName(' Models/Gemini-2.5-Pro ')).toBe('gemini-2.5-pro');
  });

  it('leaves a model it does not know unpriced', () => {
    expect(book.priceOf('openai', 'my-self-hosted-llama', at)).toBeUndefined();
  });
});

describe('costs, computed by hand from the published rates', () => {
  // claude-sonnet-4-5: $3 input, $15 output, $0.30 cache read, $3.75 5m write, $6 1h write,
  // $10 per 1,000 web searches; above 200k input: $6, $22.50, $0.60, $7.50, $12.
  it('prices Anthropic input, output, cache reads and both cache-write tiers', () => {
    // 1000×3 + 500×15 + 2000×0.3 + 1000×3.75 + 3000×6 = 32,850 µ$
    expect(
      micros('anthropic', 'claude-sonnet-4-5-20250929', {
        input: 1000,
        output: 500,
        cacheRead: 2000,
        cacheWrite5m: 1000,
        cacheWrite1h: 3000,
      }),
    ).toBe(32_850);
  });

  it('never prices 1-hour cache writes at the 5-minute rate', () => {
    expect(micros('anthropic', 'claude-opus-4-1', { cacheWrite1h: 1000 })).toBe(30_000);
    expect(micros('anthropic', 'claude-opus-4-1', { cacheWrite5m: 1000 })).toBe(18_750);
  });

  it('splits recorded cache writes into 1h and 5m from cache_creation', () => {
    expect(
      billableUsage({
        input: 1,
        output: 2,
        cacheRead: 3,
        cacheWrite: 1000,
        metadata: { cache_ephemeral_1h_input: 600, cache_ephemeral_5m_input: 400, web_search_requests: 2 },
      }),
    ).toEqual({ input: 1, output: 2, cacheRead: 3, cacheWrite5m: 400, cacheWrite1h: 600, webSearches: 2 });
  });

  it('charges web searches per call', () => {
    // 100×3 + 2 × $0.01 = 300 + 20,000 µ$
    expect(micros('anthropic', 'claude-sonnet-4-5', { input: 100, webSearches: 2 })).toBe(20_300);
  });

  it('applies the long-context tier when the whole input (cache included) exceeds 200k', () => {
    // 150,000 + 60,000 cached = 210,000 > 200,000: 150,000×6 + 60,000×0.6 + 1,000×22.5
    expect(
      micros('anthropic', 'claude-sonnet-4-5', { input: 150_000, cacheRead: 60_000, output: 1000 }),
    ).toBe(958_500);
    // exactly 200,000 stays on the base rates: 140,000×3 + 60,000×0.3 + 1,000×15
    expect(
      micros('anthropic', 'claude-sonnet-4-5', { input: 140_000, cacheRead: 60_000, output: 1000 }),
    ).toBe(453_000);
  });

  it('prices OpenAI cached input once, at the cached rate, and reasoning as output', () => {
    // gpt-5: $1.25 input, $0.125 cached, $10 output. Responses usage: 10,000 input of which
    // 4,000 cached (recorded as input 6,000 + cache read 4,000); 2,000 output incl. 1,500 reasoning.
    expect(micros('openai', 'gpt-5', { input: 6000, cacheRead: 4000, output: 2000 })).toBe(28_000);
    // gpt-4o-mini: 500×0.15 + 500×0.075 + 100×0.6 = 172.5 → 173 (rounded once, half up)
    expect(micros('openai', 'gpt-4o-mini', { input: 500, cacheRead: 500, output: 100 })).toBe(173);
  });
});

describe('owner overrides', () => {
  const rates = {
    input: 1_000_000,
    output: 2_000_000,
    cacheRead: 100_000,
    cacheWrite5m: 1_000_000,
    cacheWrite1h: 2_000_000,
    webSearch: 0,
    tiers: [],
  };

  it('apply from their effective time, to the snapshot names of the model they name', () => {
    const withOverride = new PriceBook(new PackagePrices(), [
      {
        id: 'o1',
        provider: null,
        model: 'claude-sonnet-4-5',
        effectiveFrom: new Date('2026-12-01T00:00:00Z'),
        rates,
      },
    ]);
    const before = withOverride.priceOf(
      'anthropic',
      'claude-sonnet-4-5-20250929',
      new Date('2026-11-30T23:59:59Z'),
    );
    const after = withOverride.priceOf(
      'anthropic',
      'claude-sonnet-4-5-20250929',
      new Date('2026-12-01T00:00:00Z'),
    );
    expect(before?.source).toBe('package');
    expect(after).toMatchObject({ source: 'override', origin: 'o1' });
    expect(after && costOf({ ...none, input: 1000 }, after).micros).toBe(1000);
  });

  it('price a model the package does not know, for one provider only when asked', () => {
    const withOverride = new PriceBook(new PackagePrices(), [
      { id: 'o2', provider: 'openai', model: 'my-llama', effectiveFrom: new Date(0), rates },
    ]);
    expect(withOverride.priceOf('openai', 'my-llama', at)?.source).toBe('override');
    expect(withOverride.priceOf('anthropic', 'my-llama', at)).toBeUndefined();
  });
});
