import type { SpendLine } from './reader.js';

/** The export's two shapes: aibridge's own columns, or the FinOps FOCUS 1.2 cost and usage columns. */
export const EXPORT_FORMATS = ['csv', 'focus'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** One row per interception, or per hour × user × provider instance × model. */
export const EXPORT_GRAINS = ['interception', 'hour'] as const;
export type ExportGrain = (typeof EXPORT_GRAINS)[number];

/** A column: its header and its cell for a line (null and undefined are empty cells). */
interface Column {
  name: string;
  value(line: SpendLine): string | number | null | undefined;
}

/**
 * Micro-dollars as an exact decimal string (4200 → "0.0042"), never through a float: money in
 * a bill must add up to the cent and below, and FinOps tools read plain decimals.
 */
function decimalDollars(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const whole = Math.floor(abs / 1_000_000);
  const fraction = String(abs % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

const totalTokens = (l: SpendLine) => l.inputTokens + l.outputTokens + l.cacheReadTokens + l.cacheWriteTokens;
const tokenColumns: Column[] = [
  { name: 'input_tokens', value: (l) => l.inputTokens },
  { name: 'output_tokens', value: (l) => l.outputTokens },
  { name: 'cache_read_tokens', value: (l) => l.cacheReadTokens },
  { name: 'cache_write_tokens', value: (l) => l.cacheWriteTokens },
];
const costColumns: Column[] = [
  { name: 'cost_usd', value: (l) => (l.costMicros === null ? null : decimalDollars(l.costMicros)) },
  { name: 'cost_micros', value: (l) => l.costMicros },
];
const whoAndWhat: Column[] = [
  { name: 'user_id', value: (l) => l.userId },
  { name: 'username', value: (l) => l.username },
  { name: 'provider', value: (l) => l.provider },
  { name: 'model', value: (l) => l.model },
];

const CSV_COLUMNS: Record<ExportGrain, Column[]> = {
  interception: [
    { name: 'interception_id', value: (l) => l.interceptionId },
    { name: 'started_at', value: (l) => l.periodStart },
    { name: 'ended_at', value: (l) => l.periodEnd },
    ...whoAndWhat,
    { name: 'client', value: (l) => l.client ?? 'Unknown' },
    { name: 'session_id', value: (l) => l.sessionId },
    ...tokenColumns,
    ...costColumns,
  ],
  hour: [
    { name: 'hour_start', value: (l) => l.periodStart },
    { name: 'hour_end', value: (l) => l.periodEnd },
    ...whoAndWhat,
    { name: 'interceptions', value: (l) => l.interceptions },
    { name: 'unpriced_interceptions', value: (l) => l.unpricedInterceptions },
    ...tokenColumns,
    ...costColumns,
  ],
};

/** The calendar month (UTC) a charge falls in: FOCUS's billing period for usage billed monthly. */
function billingPeriod(start: string): { start: string; end: string } {
  const year = Number(start.slice(0, 4));
  const month = Number(start.slice(5, 7));
  const iso = (y: number, m: number) => `${y}-${String(m).padStart(2, '0')}-01T00:00:00Z`;
  return { start: iso(year, month), end: month === 12 ? iso(year + 1, 1) : iso(year, month + 1) };
}

/** Key-value tags as FOCUS wants them: a JSON object of strings (the provider's own labels). */
function tags(l: SpendLine): string {
  const all: Record<string, string> = { 'aibridge/user': l.username, 'aibridge/provider': l.provider };
  if (l.client !== undefined) all['aibridge/client'] = l.client ?? 'Unknown';
  if (l.sessionId !== undefined) all['aibridge/session'] = l.sessionId;
  if (l.interceptionId !== undefined) all['aibridge/interception'] = l.interceptionId;
  if (l.unpricedInterceptions > 0) all['aibridge/unpriced'] = String(l.unpricedInterceptions);
  return JSON.stringify(all);
}

/** FOCUS costs must not be null: an unpriced charge is 0 there, flagged in Tags and x_UnpricedInterceptions. */
const focusCost = (l: SpendLine) => decimalDollars(l.costMicros ?? 0);

/**
 * The FinOps FOCUS 1.2 cost-and-usage columns aibridge can fill (mandatory ones and the
 * usage ones that apply to tokens), then `x_` columns of our own, as the spec allows. Each
 * row is usage billed by the provider at the rate in force when the interception started:
 * the recorded cost is the billed, effective, contracted and list cost alike (an owner's
 * price override is the negotiated rate; no commitment discounts are amortised).
 */
const FOCUS_COLUMNS: Column[] = [
  { name: 'BilledCost', value: focusCost },
  { name: 'BillingAccountId', value: () => 'aibridge' },
  { name: 'BillingAccountName', value: () => 'aibridge' },
  { name: 'BillingCurrency', value: () => 'USD' },
  { name: 'BillingPeriodStart', value: (l) => billingPeriod(l.periodStart).start },
  { name: 'BillingPeriodEnd', value: (l) => billingPeriod(l.periodStart).end },
  { name: 'ChargeCategory', value: () => 'Usage' },
  { name: 'ChargeClass', value: () => null },
  {
    name: 'ChargeDescription',
    value: (l) =>
      `${l.interceptions} ${l.interceptions === 1 ? 'request' : 'requests'} to ${l.model} via ${l.provider}`,
  },
  { name: 'ChargeFrequency', value: () => 'Usage-Based' },
  { name: 'ChargePeriodStart', value: (l) => l.periodStart },
  { name: 'ChargePeriodEnd', value: (l) => l.periodEnd },
  { name: 'ConsumedQuantity', value: totalTokens },
  { name: 'ConsumedUnit', value: () => 'Tokens' },
  { name: 'ContractedCost', value: focusCost },
  { name: 'EffectiveCost', value: focusCost },
  { name: 'InvoiceIssuerName', value: (l) => l.provider },
  { name: 'ListCost', value: focusCost },
  { name: 'PricingCategory', value: () => 'Standard' },
  { name: 'PricingCurrency', value: () => 'USD' },
  { name: 'PricingQuantity', value: totalTokens },
  { name: 'PricingUnit', value: () => 'Tokens' },
  { name: 'ProviderName', value: (l) => l.provider },
  { name: 'PublisherName', value: (l) => l.provider },
  { name: 'ResourceId', value: (l) => `${l.provider}/${l.model}` },
  { name: 'ResourceName', value: (l) => l.model },
  { name: 'ResourceType', value: () => 'Model' },
  { name: 'ServiceCategory', value: () => 'AI and Machine Learning' },
  { name: 'ServiceName', value: (l) => l.provider },
  { name: 'ServiceSubcategory', value: () => 'Generative AI' },
  { name: 'SkuId', value: (l) => l.model },
  { name: 'SubAccountId', value: (l) => l.userId },
  { name: 'SubAccountName', value: (l) => l.username },
  { name: 'SubAccountType', value: () => 'User' },
  { name: 'Tags', value: tags },
  { name: 'x_Interceptions', value: (l) => l.interceptions },
  { name: 'x_UnpricedInterceptions', value: (l) => l.unpricedInterceptions },
  { name: 'x_InputTokens', value: (l) => l.inputTokens },
  { name: 'x_OutputTokens', value: (l) => l.outputTokens },
  { name: 'x_CacheReadTokens', value: (l) => l.cacheReadTokens },
  { name: 'x_CacheWriteTokens', value: (l) => l.cacheWriteTokens },
  { name: 'x_CostMicros', value: (l) => l.costMicros },
];

/** The columns of an export in a format and grain (FOCUS keeps one column set for both grains). */
export function exportColumns(format: ExportFormat, grain: ExportGrain): Column[] {
  return format === 'focus' ? FOCUS_COLUMNS : CSV_COLUMNS[grain];
}
