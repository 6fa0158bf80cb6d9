import { useMemo, useState } from 'react';
import { useUsage } from '../api/queries.js';
import type { Usage, UsageTotals, User } from '../api/types.js';
import { FilterBar } from '../components/FilterBar.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { useListParams } from '../components/useListParams.js';
import { browserTimeZone, formatCount, formatExact } from '../lib/format.js';
import { defaultBucket, USAGE_DEFAULT_RANGE } from '../lib/range.js';
import {
  ChartCard,
  InterceptionsOverTime,
  TOKEN_SERIES,
  TokensByGroup,
  TokensOverTime,
} from './usage/charts.js';

const tokensOf = (t: UsageTotals) =>
  t.input_tokens + t.output_tokens + t.cache_read_input_tokens + t.cache_write_input_tokens;

function bucketLabel(iso: string, bucket: 'hour' | 'day', timeZone: string): string {
  return new Intl.DateTimeFormat('en', {
    timeZone,
    month: 'short',
    day: 'numeric',
    ...(bucket === 'hour' ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}),
  }).format(new Date(iso));
}

/** The picture before the tables: tokens and requests over time, by model, client and user. */
export function UsagePage({ me }: { me: User }) {
  const params = useListParams(USAGE_DEFAULT_RANGE);
  const [chosenBucket, setBucket] = useState<'hour' | 'day' | undefined>();
  const bucket = chosenBucket ?? defaultBucket(params.range);
  const timeZone = useMemo(browserTimeZone, []);
  const query = useUsage(params.apiQuery, bucket, timeZone);
  return (
    <>
      <h1>Usage</h1>
      <FilterBar params={params} canPickUser={me.role !== 'member'} />
      <fieldset className="presets bucket-picker">
        <legend className="visually-hidden">Bucket</legend>
        {(['hour', 'day'] as const).map((b) => (
          <button
            key={b}
            type="button"
            className="chip"
            aria-pressed={bucket === b}
            onClick={() => setBucket(b)}
          >
            Per {b}
          </button>
        ))}
      </fieldset>
      {query.isError && !query.data ? (
        <ErrorState error={query.error} retry={() => query.refetch()} />
      ) : !query.data ? (
        <Loading active={query.isPending} label="Loading usage…" />
      ) : query.data.totals.interceptions === 0 ? (
        <Empty title="No usage in this range">Pick a longer range or clear the filters.</Empty>
      ) : (
        <UsageCharts usage={query.data} />
      )}
    </>
  );
}

function UsageCharts({ usage }: { usage: Usage }) {
  const series = usage.series.map((p) => ({
    ...p,
    label: bucketLabel(p.bucket_start, usage.bucket, usage.time_zone),
  }));
  const byModel = usage.by_model.slice(0, 10).map((m) => ({ ...m, label: m.model }));
  const byClient = usage.by_client.map((c) => ({ ...c, label: c.client }));
  const byUser = usage.by_user.map((u) => ({ ...u, label: u.initiator.name || u.initiator.username }));
  const top = (rows: Array<UsageTotals & { label: string }>) =>
    rows
      .slice(0, 3)
      .map((r) => `${r.label} ${formatCount(tokensOf(r))} tokens`)
      .join(', ');
  return (
    <>
      <dl className="totals">
        <div className="card total">
          <dt>Interceptions</dt>
          <dd>{formatExact(usage.totals.interceptions)}</dd>
        </div>
        {TOKEN_SERIES.map((s) => (
          <div key={s.key} className="card total">
            <dt>
              <span className="swatch" style={{ background: s.color }} aria-hidden="true" /> {s.name} tokens
            </dt>
            <dd title={formatExact(usage.totals[s.key])}>{formatCount(usage.totals[s.key])}</dd>
          </div>
        ))}
      </dl>
      <div className="charts">
        <ChartCard
          wide
          title="Tokens over time"
          summary={`Tokens per ${usage.bucket}, ${series.length} points.`}
        >
          <TokensOverTime data={series} />
        </ChartCard>
        <ChartCard wide title="Interceptions over time" summary={`Interceptions per ${usage.bucket}.`}>
          <InterceptionsOverTime data={series} />
        </ChartCard>
        <ChartCard title="Tokens by model" summary={`Top models: ${top(byModel)}.`}>
          <TokensByGroup data={byModel} />
        </ChartCard>
        <ChartCard title="Tokens by client" summary={`Top clients: ${top(byClient)}.`}>
          <TokensByGroup data={byClient} />
        </ChartCard>
        <ChartCard title="Top users by tokens" summary={`Top users: ${top(byUser)}.`}>
          <TokensByGroup data={byUser} />
        </ChartCard>
      </div>
    </>
  );
}
