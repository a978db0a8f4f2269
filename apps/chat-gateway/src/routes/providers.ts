import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { and, eq, gte, sql } from '@switchyard/db';
import { systemPerformanceMetrics } from '@switchyard/db/platform';
import { InvalidValueError, withParam } from '../errors.js';
import { errorResponses } from '../schemas/common.js';
import {
  ProviderHealthListSchema,
  ProviderStatsQuerySchema,
  ProviderStatsSchema,
} from '../schemas/providers.js';
import { createCachedValue } from '../services/cached-value.js';
import { createProviderStats } from '../services/provider-stats.js';

// The windows run percentile aggregates over the metrics table; polled dashboards share one computation per window.
const windowStatsTtlMs = 5_000;

/** Most buckets one stats query draws (a chart wider than this is unreadable anyway). */
const maxStatsBuckets = 500;

/**
 * `GET /api/providers/health` (user or admin key): breaker state (shared in Redis) and latency/success windows from
 * recorded metrics, the windows cached for a few seconds.
 */
const providersRoutes: FastifyPluginAsyncTypebox = (app) => {
  const { db } = app.platform;

  async function windowStats(since: Date) {
    const metric = systemPerformanceMetrics;
    const rows = await db
      .select({
        provider: sql<string>`${metric.tags} ->> 'provider'`,
        requests: sql<number>`count(*)::int`,
        successes: sql<number>`(count(*) filter (where ${metric.tags} ->> 'outcome' = 'success'))::int`,
        p50: sql<number | null>`percentile_cont(0.5) within group (order by ${metric.value})`,
        p95: sql<number | null>`percentile_cont(0.95) within group (order by ${metric.value})`,
      })
      .from(metric)
      .where(and(eq(metric.metricName, 'provider_latency_ms'), gte(metric.timestamp, since)))
      .groupBy(sql`1`);
    const kinds = await db
      .select({
        provider: sql<string>`${metric.tags} ->> 'provider'`,
        kind: sql<string>`${metric.tags} ->> 'kind'`,
        count: sql<number>`count(*)::int`,
        last: sql<Date>`max(${metric.timestamp})`,
      })
      .from(metric)
      .where(
        and(
          eq(metric.metricName, 'provider_latency_ms'),
          gte(metric.timestamp, since),
          sql`${metric.tags} ->> 'outcome' = 'error'`,
        ),
      )
      .groupBy(sql`1`, sql`2`);
    return { rows, kinds };
  }
  const windows = createCachedValue(windowStatsTtlMs, () => {
    const now = Date.now();
    return Promise.all([windowStats(new Date(now - 5 * 60_000)), windowStats(new Date(now - 60 * 60_000))]);
  });

  app.get(
    '/api/providers/health',
    {
      schema: {
        tags: ['providers'],
        summary: 'Breaker state, success rate, latency and errors per provider',
        response: { 200: ProviderHealthListSchema },
      },
      onRequest: app.requireUserOrAdmin,
    },
    async () => {
      // Breaker state is live (Redis); the latency and error windows may be up to windowStatsTtlMs old.
      const [breakers, [five, hour]] = await Promise.all([app.llm.client.providerHealth(), windows.get()]);
      const summarize = (stats: Awaited<ReturnType<typeof windowStats>>, provider: string) => {
        const row = stats.rows.find((candidate) => candidate.provider === provider);
        const errorsByKind = Object.fromEntries(
          stats.kinds
            .filter((kind) => kind.provider === provider)
            .map((kind) => [kind.kind ?? 'unknown', kind.count]),
        );
        return {
          requests: row?.requests ?? 0,
          successRate: row && row.requests > 0 ? row.successes / row.requests : null,
          p50Ms: row?.p50 ?? null,
          p95Ms: row?.p95 ?? null,
          errorsByKind,
        };
      };
      return {
        providers: app.llm.providers.map(({ name }) => {
          const breaker = breakers.find((candidate) => candidate.provider === name);
          const lastError = hour.kinds
            .filter((kind) => kind.provider === name)
            .sort((left, right) => new Date(right.last).getTime() - new Date(left.last).getTime())[0];
          return {
            provider: name,
            breaker: {
              state: breaker?.state ?? 'closed',
              openUntil: breaker?.openUntil ? new Date(breaker.openUntil).toISOString() : null,
              consecutiveFailures: breaker?.consecutiveFailures ?? 0,
            },
            rateLimitedUntil: breaker?.rateLimitedUntil
              ? new Date(breaker.rateLimitedUntil).toISOString()
              : null,
            lastFiveMinutes: summarize(five, name),
            lastHour: summarize(hour, name),
            lastError: lastError
              ? { kind: lastError.kind ?? 'unknown', at: new Date(lastError.last).toISOString() }
              : null,
          };
        }),
      };
    },
  );

  const providerStats = createProviderStats({
    db,
    transitionsSince: (from) => app.breakerHistory.since(from),
    liveHealth: () => app.llm.client.providerHealth(),
  });
  app.get(
    '/api/admin/providers/stats',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['providers'],
        summary:
          'Per provider over time: attempts, success rate, p50/p95 latency, fallbacks, rate limits, breaker transitions',
        security: [{ adminKey: [] }],
        querystring: ProviderStatsQuerySchema,
        response: { 200: ProviderStatsSchema, ...errorResponses },
      },
    },
    (request) => {
      const { hours, bucketMinutes } = request.query;
      if ((hours * 60) / bucketMinutes > maxStatsBuckets)
        throw withParam(
          new InvalidValueError(
            `${hours} hours in ${bucketMinutes}-minute buckets is more than ${maxStatsBuckets} buckets; use larger buckets.`,
          ),
          'bucketMinutes',
        );
      return providerStats(
        app.llm.providers.map(({ name }) => name),
        { hours, bucketMinutes },
      );
    },
  );
  return Promise.resolve();
};

export default providersRoutes;
