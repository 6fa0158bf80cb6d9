import { z } from 'zod';
import type { UserRow } from '../../db/schema/index.js';
import type { UsageBucket, UsageReport, UsageTotals } from '../../store/usage.js';
import { costSumFields } from './aibridge.js';

const Totals = {
  interceptions: z.int().describe('Ended interceptions in the group.'),
  input_tokens: z.int(),
  output_tokens: z.int(),
  cache_read_input_tokens: z.int(),
  cache_write_input_tokens: z.int(),
  ...costSumFields,
};

/** The initiator as the reference embeds it (MinimalUser). */
const Initiator = z.object({ id: z.uuid(), username: z.string(), name: z.string(), avatar_url: z.string() });

/** `GET /api/v2/aibridge/usage`: what the dashboard's charts draw, in one response. */
export const UsageView = z
  .object({
    bucket: z.enum(['hour', 'day']),
    time_zone: z.string().describe('The IANA zone whose wall clock cuts the buckets.'),
    totals: z.object(Totals),
    series: z
      .array(z.object({ bucket_start: z.iso.datetime(), ...Totals }))
      .describe('Every bucket of the range in order, zero where nothing happened.'),
    by_model: z.array(z.object({ provider: z.string(), model: z.string(), ...Totals })),
    by_client: z.array(z.object({ client: z.string(), ...Totals })),
    by_user: z
      .array(z.object({ initiator: Initiator, ...Totals }))
      .describe('The ten initiators with the most tokens.'),
  })
  .meta({ id: 'AIBridgeUsage' });

type UsageJson = z.infer<typeof UsageView>;

/** How many users `by_user` lists. */
export const TOP_USERS = 10;

/** Maps a usage report to its API JSON; groups are already ranked by tokens. */
export function usageView(
  report: UsageReport,
  bucket: UsageBucket,
  timeZone: string,
  users: Map<string, UserRow>,
): UsageJson {
  return {
    bucket,
    time_zone: timeZone,
    totals: totalsView(report.totals),
    series: report.series.map((point) => ({
      bucket_start: point.bucketStart.toISOString(),
      ...totalsView(point),
    })),
    by_model: report.byModel.map((row) => ({ provider: row.provider, model: row.model, ...totalsView(row) })),
    by_client: report.byClient.map((row) => ({ client: row.client, ...totalsView(row) })),
    by_user: report.byInitiator.slice(0, TOP_USERS).map((row) => {
      const user = users.get(row.initiatorId);
      return {
        initiator: {
          id: row.initiatorId,
          username: user?.username ?? '',
          name: user?.name ?? '',
          avatar_url: user?.avatar_url ?? '',
        },
        ...totalsView(row),
      };
    }),
  };
}

function totalsView(usage: UsageTotals): UsageJson['totals'] {
  return {
    interceptions: usage.interceptions,
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    cache_read_input_tokens: usage.cacheReadInputTokens,
    cache_write_input_tokens: usage.cacheWriteInputTokens,
    cost_micros: usage.costMicros,
    unpriced_interceptions: usage.unpricedInterceptions,
  };
}
