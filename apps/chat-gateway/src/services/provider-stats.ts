import { and, eq, gte, inArray, sql, type PlatformDatabase } from '@switchyard/db';
import { providerFallbackEvents, systemPerformanceMetrics } from '@switchyard/db/platform';
import type { BreakerTransition } from './breaker-history.js';

/** One time bucket of a provider's attempts. */
interface BucketRow {
  provider: string;
  bucket: number;
  requests: number;
  successes: number;
  p50: number | null;
  p95: number | null;
  rateLimited: number;
}

/** The window of a stats query: `hours` back from `now`, in buckets of `bucketMinutes`. */
export interface StatsWindow {
  hours: number;
  bucketMinutes: number;
  now?: Date;
}

/**
 * Per-provider history for the operator's charts, from what is already recorded: every attempt's latency and
 * outcome (`system_performance_metrics`, `provider_latency_ms`), every fallback (`provider_fallback_events`),
 * breaker transitions (`BreakerHistory`) and the live breaker state (rate-limit headroom). Buckets are aligned to
 * the epoch, so polling twice shows the same buckets.
 */
export function createProviderStats(options: {
  db: PlatformDatabase;
  transitionsSince: (from: Date) => Promise<BreakerTransition[]>;
  liveHealth: () => Promise<{ provider: string; rateLimitedUntil?: number }[]>;
}) {
  const { db } = options;

  return async function providerStats(providers: string[], window: StatsWindow) {
    const bucketMs = window.bucketMinutes * 60_000;
    const to = window.now ?? new Date();
    const lastBucket = Math.floor(to.getTime() / bucketMs) * bucketMs;
    const bucketCount = Math.ceil((window.hours * 60) / window.bucketMinutes);
    const from = new Date(lastBucket - (bucketCount - 1) * bucketMs);
    const bucketSeconds = bucketMs / 1_000;
    const metric = systemPerformanceMetrics;
    const metricBucket = sql<number>`(floor(extract(epoch from ${metric.timestamp}) / ${bucketSeconds}) * ${bucketSeconds * 1_000})::float8`;
    const fallbackBucket = sql<number>`(floor(extract(epoch from ${providerFallbackEvents.createdAt}) / ${bucketSeconds}) * ${bucketSeconds * 1_000})::float8`;
    const [attempts, fallbacks, transitions, live] = await Promise.all([
      db
        .select({
          provider: sql<string>`${metric.tags} ->> 'provider'`,
          bucket: metricBucket,
          requests: sql<number>`count(*)::int`,
          successes: sql<number>`(count(*) filter (where ${metric.tags} ->> 'outcome' = 'success'))::int`,
          p50: sql<number | null>`percentile_cont(0.5) within group (order by ${metric.value})`,
          p95: sql<number | null>`percentile_cont(0.95) within group (order by ${metric.value})`,
          rateLimited: sql<number>`(count(*) filter (where ${metric.tags} ->> 'kind' = 'rate_limit'))::int`,
        })
        .from(metric)
        .where(
          and(
            eq(metric.metricName, 'provider_latency_ms'),
            gte(metric.timestamp, from),
            inArray(sql`${metric.tags} ->> 'provider'`, providers),
          ),
        )
        .groupBy(sql`1`, sql`2`) as Promise<BucketRow[]>,
      db
        .select({
          provider: providerFallbackEvents.fromProvider,
          bucket: fallbackBucket,
          count: sql<number>`count(*)::int`,
        })
        .from(providerFallbackEvents)
        .where(
          and(
            gte(providerFallbackEvents.createdAt, from),
            inArray(providerFallbackEvents.fromProvider, providers),
          ),
        )
        .groupBy(sql`1`, sql`2`),
      options.transitionsSince(from),
      options.liveHealth(),
    ]);

    const key = (provider: string, bucket: number) => `${provider}\n${bucket}`;
    const attemptsBy = new Map(attempts.map((row) => [key(row.provider, Number(row.bucket)), row]));
    const fallbacksBy = new Map(fallbacks.map((row) => [key(row.provider, Number(row.bucket)), row.count]));
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      bucketMinutes: window.bucketMinutes,
      providers: providers.map((provider) => {
        const rateLimitedUntil = live.find((entry) => entry.provider === provider)?.rateLimitedUntil;
        return {
          provider,
          buckets: Array.from({ length: bucketCount }, (_, index) => {
            const start = from.getTime() + index * bucketMs;
            const row = attemptsBy.get(key(provider, start));
            return {
              start: new Date(start).toISOString(),
              requests: row?.requests ?? 0,
              successRate: row && row.requests > 0 ? row.successes / row.requests : null,
              p50Ms: row?.p50 ?? null,
              p95Ms: row?.p95 ?? null,
              fallbacks: fallbacksBy.get(key(provider, start)) ?? 0,
              rateLimited: row?.rateLimited ?? 0,
            };
          }),
          breakerTransitions: transitions
            .filter((transition) => transition.provider === provider)
            .map((transition) => ({
              at: transition.at.toISOString(),
              state: transition.state,
              openUntil: transition.openUntil?.toISOString() ?? null,
            })),
          rateLimitedUntil:
            rateLimitedUntil !== undefined && rateLimitedUntil > to.getTime()
              ? new Date(rateLimitedUntil).toISOString()
              : null,
        };
      }),
    };
  };
}
