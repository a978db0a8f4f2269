import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ProviderStats } from '../api/operator.js';
import { formatDateTime, formatHour, formatMs, formatRatio } from '../format.js';
import { axisProps, chartColors, seriesColors } from './chart-theme.js';
import { breakerRows, pivotBuckets, providerNames, type SeriesRow } from './provider-series.js';
import { Card } from './Card.js';

interface ChartProps {
  title: string;
  rows: SeriesRow[];
  providers: string[];
  format: (value: number) => string;
  kind: 'line' | 'step' | 'bar';
  domain?: [number, number];
  ticks?: number[];
  wide?: boolean;
}

const tick = (format: (value: number) => string) => (value: number) => format(value);

function ProviderChart({ title, rows, providers, format, kind, domain, ticks, wide }: ChartProps) {
  const common = {
    data: rows,
    margin: { top: 8, right: 12, bottom: 0, left: 4 },
  };
  const axes = (
    <>
      <CartesianGrid vertical={false} stroke={chartColors.grid} />
      <XAxis
        dataKey="start"
        tickFormatter={(value: string) => formatHour(value)}
        minTickGap={24}
        {...axisProps}
      />
      <YAxis
        tickFormatter={tick(format)}
        domain={domain}
        ticks={ticks}
        allowDecimals={kind !== 'bar'}
        width={64}
        {...axisProps}
      />
      <Tooltip
        labelFormatter={(label) => (typeof label === 'string' ? formatDateTime(label) : '')}
        formatter={(value, name) => [value === null ? '–' : format(Number(value)), String(name)]}
      />
      <Legend />
    </>
  );
  return (
    <Card title={title} className={wide ? 'span-2' : undefined}>
      <figure className="chart" aria-label={`${title} chart`}>
        <ResponsiveContainer width="100%" height={220}>
          {kind === 'bar' ? (
            <BarChart {...common}>
              {axes}
              {providers.map((provider, index) => (
                <Bar
                  key={provider}
                  dataKey={provider}
                  stackId="all"
                  fill={seriesColors[index % seriesColors.length]}
                />
              ))}
            </BarChart>
          ) : (
            <LineChart {...common}>
              {axes}
              {providers.map((provider, index) => (
                <Line
                  key={provider}
                  dataKey={provider}
                  type={kind === 'step' ? 'stepAfter' : 'monotone'}
                  stroke={seriesColors[index % seriesColors.length]}
                  strokeWidth={2}
                  // A lone bucket with traffic between empty ones has no line to draw: its dot shows it.
                  dot={kind === 'step' ? false : { r: 2 }}
                  connectNulls={false}
                  isAnimationActive={false}
                />
              ))}
            </LineChart>
          )}
        </ResponsiveContainer>
      </figure>
    </Card>
  );
}

const breakerLabel = (value: number) => (value >= 1 ? 'open' : 'closed');
const count = (value: number) => String(Math.round(value));

export function ProviderCharts({ stats }: { stats: ProviderStats }) {
  const providers = providerNames(stats);
  const per = stats.bucketMinutes === 60 ? 'per hour' : `per ${stats.bucketMinutes} min`;
  return (
    <div className="grid-2">
      <ProviderChart
        title="Breaker state"
        rows={breakerRows(stats)}
        providers={providers}
        format={breakerLabel}
        kind="step"
        domain={[0, 1]}
        ticks={[0, 1]}
        wide
      />
      <ProviderChart
        title="Success rate"
        rows={pivotBuckets(stats, 'successRate')}
        providers={providers}
        format={formatRatio}
        kind="line"
        domain={[0, 1]}
      />
      <ProviderChart
        title="p95 latency"
        rows={pivotBuckets(stats, 'p95Ms')}
        providers={providers}
        format={formatMs}
        kind="line"
      />
      <ProviderChart
        title={`Fallbacks ${per}`}
        rows={pivotBuckets(stats, 'fallbacks')}
        providers={providers}
        format={count}
        kind="bar"
      />
      <ProviderChart
        title={`Rate-limited attempts ${per}`}
        rows={pivotBuckets(stats, 'rateLimited')}
        providers={providers}
        format={count}
        kind="bar"
      />
    </div>
  );
}
