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
import { breakerRows, latencyRows, pivotBuckets, providerNames, type SeriesRow } from './provider-series.js';
import { Card } from './Card.js';

/** One drawn series: a column of the rows, its colour, and dashed for the second metric of a provider. */
interface Series {
  key: string;
  color: string;
  dashed?: boolean;
}

interface ChartProps {
  title: string;
  rows: SeriesRow[];
  series: Series[];
  format: (value: number) => string;
  kind: 'line' | 'step' | 'bar';
  domain?: [number, number];
  ticks?: number[];
  wide?: boolean;
}

const tick = (format: (value: number) => string) => (value: number) => format(value);

function ProviderChart({ title, rows, series, format, kind, domain, ticks, wide }: ChartProps) {
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
              {series.map(({ key, color }) => (
                <Bar key={key} dataKey={key} stackId="all" fill={color} />
              ))}
            </BarChart>
          ) : (
            <LineChart {...common}>
              {axes}
              {series.map(({ key, color, dashed }) => (
                <Line
                  key={key}
                  dataKey={key}
                  type={kind === 'step' ? 'stepAfter' : 'monotone'}
                  stroke={color}
                  strokeDasharray={dashed ? '4 3' : undefined}
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
  const providers = providerNames(stats).map((key, index) => ({
    key,
    color: seriesColors[index % seriesColors.length]!,
  }));
  const latencySeries = providers.flatMap(({ key, color }) => [
    { key: `${key} p50`, color, dashed: true },
    { key: `${key} p95`, color },
  ]);
  const per = stats.bucketMinutes === 60 ? 'per hour' : `per ${stats.bucketMinutes} min`;
  return (
    <div className="grid-2">
      <ProviderChart
        title="Breaker state"
        rows={breakerRows(stats)}
        series={providers}
        format={breakerLabel}
        kind="step"
        domain={[0, 1]}
        ticks={[0, 1]}
        wide
      />
      <ProviderChart
        title="Success rate"
        rows={pivotBuckets(stats, 'successRate')}
        series={providers}
        format={formatRatio}
        kind="line"
        domain={[0, 1]}
      />
      <ProviderChart
        title="Latency (p50 dashed, p95 solid)"
        rows={latencyRows(stats)}
        series={latencySeries}
        format={formatMs}
        kind="line"
      />
      <ProviderChart
        title={`Fallbacks ${per}`}
        rows={pivotBuckets(stats, 'fallbacks')}
        series={providers}
        format={count}
        kind="bar"
      />
      <ProviderChart
        title={`Rate-limited attempts ${per}`}
        rows={pivotBuckets(stats, 'rateLimited')}
        series={providers}
        format={count}
        kind="bar"
      />
    </div>
  );
}
