import type { ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { UsageTotals } from '../../api/types.js';
import { formatCount, formatExact } from '../../lib/format.js';

/** The four token kinds, in stacking order, with their CSS colour variables. */
export const TOKEN_SERIES: Array<{ key: keyof UsageTotals; name: string; color: string }> = [
  { key: 'input_tokens', name: 'Input', color: 'var(--chart-input)' },
  { key: 'output_tokens', name: 'Output', color: 'var(--chart-output)' },
  { key: 'cache_read_input_tokens', name: 'Cache read', color: 'var(--chart-cache-read)' },
  { key: 'cache_write_input_tokens', name: 'Cache write', color: 'var(--chart-cache-write)' },
];

const tooltipStyle = {
  contentStyle: { background: 'var(--surface)', border: '1px solid var(--border)', borderRadius: 6 },
  labelStyle: { color: 'var(--text)' },
  cursor: { fill: 'var(--hover)' },
};
const axisTick = { fill: 'var(--muted)', fontSize: 12 };
const formatTooltip = (value: unknown) => (typeof value === 'number' ? formatExact(value) : String(value));

/** A titled chart card; `summary` is what a screen reader hears instead of the drawing. */
export function ChartCard({
  title,
  summary,
  children,
  wide = false,
}: {
  title: string;
  summary: string;
  children: ReactNode;
  wide?: boolean;
}) {
  return (
    <figure className={`card chart-card${wide ? ' chart-wide' : ''}`}>
      <figcaption>{title}</figcaption>
      <div role="img" aria-label={summary} className="chart-body">
        {children}
      </div>
    </figure>
  );
}

type Point = UsageTotals & { label: string };

/** One bar per token kind, stacked; a function, not a component, because recharts reads its direct children. */
function tokenBars() {
  return TOKEN_SERIES.map((s) => (
    <Bar
      key={s.key}
      dataKey={s.key}
      name={s.name}
      stackId="tokens"
      fill={s.color}
      isAnimationActive={false}
    />
  ));
}

/** Tokens per bucket, stacked by kind. */
export function TokensOverTime({ data }: { data: Point[] }) {
  return (
    <ResponsiveContainer width="100%" height={280}>
      <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--border)" vertical={false} />
        <XAxis dataKey="label" tick={axisTick} minTickGap={24} />
        <YAxis tick={axisTick} tickFormatter={formatCount} width={56} />
        <Tooltip {...tooltipStyle} formatter={formatTooltip} />
        <Legend itemSorter={null} />
        {tokenBars()}
      </BarChart>
    </ResponsiveContainer>
  );
}

/** Interceptions per bucket. */
export function InterceptionsOverTime({ data }: { data: Point[] }) {
  return (
    <ResponsiveContainer width="100%" height={220}>
      <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--border)" vertical={false} />
        <XAxis dataKey="label" tick={axisTick} minTickGap={24} />
        <YAxis tick={axisTick} tickFormatter={formatCount} width={56} allowDecimals={false} />
        <Tooltip {...tooltipStyle} formatter={formatTooltip} />
        <Bar
          dataKey="interceptions"
          name="Interceptions"
          fill="var(--chart-count)"
          isAnimationActive={false}
        />
      </BarChart>
    </ResponsiveContainer>
  );
}

/** Horizontal stacked bars of tokens per group (model, client or user), largest first. */
export function TokensByGroup({ data }: { data: Array<UsageTotals & { label: string }> }) {
  const height = Math.max(120, data.length * 34 + 60);
  return (
    <ResponsiveContainer width="100%" height={height}>
      <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid stroke="var(--border)" horizontal={false} />
        <XAxis type="number" tick={axisTick} tickFormatter={formatCount} />
        <YAxis type="category" dataKey="label" tick={axisTick} width={130} interval={0} />
        <Tooltip {...tooltipStyle} formatter={formatTooltip} />
        {tokenBars()}
      </BarChart>
    </ResponsiveContainer>
  );
}
