import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { calcPrice, findProvider, type ModelPrice, type TieredPrices } from '@pydantic/genai-prices';
import { priceableModelName } from './model-name.js';
import { microsPerMillion, type Price, type Rates, type TokenRates } from './rates.js';

/** The price package this build ships, as `name@version`: shown in the price-book endpoint. */
export const PRICE_PACKAGE = packageId('@pydantic/genai-prices');

/** How aibridge's provider names map to the package's provider ids. */
const PROVIDER_IDS: Record<string, string> = { anthropic: 'anthropic', openai: 'openai' };

/** One model of the package under a provider aibridge bridges, with its rates at a time. */
export interface PackageModel {
  provider: string;
  model: string;
  name: string;
  price: Price;
}

const MAX_MEMOIZED = 10_000;

type Found = { model: string; prices: ModelPrice; dated: boolean };

/**
 * Prices from `@pydantic/genai-prices`, whose data ships inside the package (nothing is fetched
 * at run time; upgrading the package is how prices refresh). A name is matched by the package's
 * own rules (dated snapshots, aliases) under the request's provider (a provider aibridge does
 * not know: under whichever provider the name belongs to). Lookups are memoized per name: the matching walks every model.
 */
export class PackagePrices {
  private readonly found = new Map<string, Found | null>();

  /** The package's price for a model at a time, or undefined when the package has none. */
  priceOf(provider: string, model: string, at: Date): Price | undefined {
    const name = priceableModelName(model);
    const key = `${provider}\u0000${name}`;
    let found = this.found.get(key);
    if (found === undefined) {
      found = lookup(provider, name, at);
      // Model names come from requests: bound the memo so random names cannot grow it forever.
      if (this.found.size >= MAX_MEMOIZED) this.found.clear();
      this.found.set(key, found);
    }
    if (!found) return undefined;
    // Prices that change on a date are chosen by the interception's start, not memoized.
    const prices = found.dated ? (lookup(provider, name, at)?.prices ?? found.prices) : found.prices;
    return { source: 'package', model: found.model, origin: PRICE_PACKAGE, rates: ratesOf(prices) };
  }
}

/** Every model the package prices for the providers aibridge bridges (the price-book listing). */
export function packageModels(at: Date): PackageModel[] {
  const models: PackageModel[] = [];
  for (const [provider, providerId] of Object.entries(PROVIDER_IDS)) {
    for (const info of findProvider({ providerId })?.models ?? []) {
      const result = calcPrice({}, info.id, { providerId, timestamp: at });
      if (!result || result.model.id !== info.id) continue;
      models.push({
        provider,
        model: info.id,
        name: info.name ?? info.id,
        price: {
          source: 'package',
          model: info.id,
          origin: PRICE_PACKAGE,
          rates: ratesOf(result.model_price),
        },
      });
    }
  }
  return models;
}

function lookup(provider: string, name: string, at: Date): Found | null {
  // Under a provider aibridge knows, only that provider's models match: a name guessed into
  // another provider's catalogue (`…-llama` is many hosts' model) would be a wrong price.
  const providerId = PROVIDER_IDS[provider];
  const result = providerId
    ? calcPrice({}, name, { providerId, timestamp: at })
    : calcPrice({}, name, { timestamp: at });
  if (!result) return null;
  return { model: result.model.id, prices: result.model_price, dated: Array.isArray(result.model.prices) };
}

/**
 * The package's dollars-per-million (and dollars per thousand searches) → integer micro-dollar
 * rates. Where a model lacks a rate: cache reads and 5-minute writes fall back to input, 1-hour
 * writes to twice input (Anthropic's published rule), never to the 5-minute rate.
 */
function ratesOf(prices: ModelPrice): Rates {
  const base = (key: string) => {
    const value = prices[key];
    return value === undefined ? undefined : typeof value === 'number' ? value : value.base;
  };
  const at = (key: string, above: number | undefined): number | undefined => {
    const value = prices[key];
    if (value === undefined || typeof value === 'number' || above === undefined) return base(key);
    let rate = value.base;
    for (const tier of (value as TieredPrices).tiers) if (above >= tier.start) rate = tier.price;
    return rate;
  };
  const token = (above: number | undefined): TokenRates => {
    const input = at('input_mtok', above) ?? 0;
    return {
      input: microsPerMillion(input),
      output: microsPerMillion(at('output_mtok', above) ?? 0),
      cacheRead: microsPerMillion(at('cache_read_mtok', above) ?? input),
      cacheWrite5m: microsPerMillion(at('cache_write_mtok', above) ?? input),
      cacheWrite1h: microsPerMillion(at('cache_write_1h_mtok', above) ?? input * 2),
    };
  };
  const starts = new Set<number>();
  for (const value of Object.values(prices)) {
    if (value && typeof value === 'object') for (const tier of value.tiers) starts.add(tier.start);
  }
  const searchesPerThousand = base('web_searches_kcount') ?? 0;
  return {
    ...token(undefined),
    webSearch: Math.round(searchesPerThousand * 1000),
    tiers: [...starts].sort((a, b) => a - b).map((start) => ({ aboveInputTokens: start, ...token(start) })),
  };
}

function packageId(name: string): string {
  const entry = createRequire(import.meta.url).resolve(name);
  let dir = dirname(entry);
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === name) return `${name}@${pkg.version}`;
    } catch {
      // not this directory: keep walking up
    }
  }
  return name;
}

/**
 * Every name the package knows a model of the bridged providers by: its ids and the literal
 * names and prefixes its match rules list (`claude-sonnet-4.5` as well as `claude-sonnet-4-5`).
 * Read once, for the metric labels (gateway/known-models.ts).
 */
export function packageModelNames(): string[] {
  const names: string[] = [];
  const collect = (rule: unknown) => {
    if (!rule || typeof rule !== 'object') return;
    for (const [key, value] of Object.entries(rule)) {
      if ((key === 'equals' || key === 'starts_with') && typeof value === 'string') names.push(value);
      else if (Array.isArray(value)) for (const item of value) collect(item);
      else collect(value);
    }
  };
  for (const providerId of Object.values(PROVIDER_IDS)) {
    for (const info of findProvider({ providerId })?.models ?? []) {
      names.push(info.id);
      collect(info.match);
    }
  }
  return names;
}
