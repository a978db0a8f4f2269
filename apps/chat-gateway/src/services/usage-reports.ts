import { and, asc, desc, eq, gte, inArray, lt, sql, type PlatformDatabase } from '@switchyard/db';
import { apiUsageLogs, usageAlerts, usageSummaries } from '@switchyard/db/platform';
import { periodBounds, periodOf, recentPeriods, type PlanCatalog, type QuotaEngine } from '@switchyard/spend';
import { isOutage } from './dependency-outage.js';

type AlertRow = typeof usageAlerts.$inferSelect;

/** An alert as the API shows it. */
export function alertView(row: AlertRow) {
  return {
    id: row.id,
    type: row.alertType,
    severity: row.severity,
    message: row.message,
    details: row.details,
    createdAt: row.createdAt.toISOString(),
    acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
  };
}

const percentOf = (used: number, limit: number) =>
  limit > 0 ? Math.round((used / limit) * 10_000) / 100 : null;

/**
 * Usage reports. Where the figures come from: the totals that limits are enforced on (requests, cost) are read
 * from the live Redis counters, which are exact and current (they include the worst case of requests in flight);
 * token splits, errors and the per-provider/model breakdown come from what the usage consumer wrote to
 * `api_usage_logs` / `usage_summaries`, a few seconds behind. When Redis has no counters (expired, or not
 * answering) the summary row stands in. History is `usage_summaries` only.
 */
export function createUsageReports(options: {
  db: PlatformDatabase;
  engine: QuotaEngine;
  plans: PlanCatalog;
}) {
  const { db, engine, plans } = options;

  async function live(userId: string, period: string) {
    try {
      return await engine.liveCounters(userId, period);
    } catch (error) {
      if (isOutage(error, 'Redis')) return undefined;
      throw error;
    }
  }

  return {
    /** The user's usage in the current period against the limits of their plan. */
    async current(userId: string, at = new Date()) {
      const period = periodOf(at);
      const { start, end } = periodBounds(at);
      const inPeriod = and(
        eq(apiUsageLogs.userId, userId),
        gte(apiUsageLogs.createdAt, start),
        lt(apiUsageLogs.createdAt, end),
      );
      const [plan, [summary], breakdown, alerts, counters] = await Promise.all([
        plans.planFor(userId),
        db
          .select()
          .from(usageSummaries)
          .where(and(eq(usageSummaries.userId, userId), eq(usageSummaries.period, period)))
          .limit(1),
        db
          .select({
            provider: apiUsageLogs.provider,
            model: apiUsageLogs.model,
            requests: sql<number>`count(*)::int`,
            costUsd: sql<number>`coalesce(sum(${apiUsageLogs.cost}), 0)::float8`,
            prompt: sql<number>`coalesce(sum(${apiUsageLogs.promptTokens}), 0)::float8`,
            completion: sql<number>`coalesce(sum(${apiUsageLogs.completionTokens}), 0)::float8`,
            cached: sql<number>`coalesce(sum(${apiUsageLogs.cachedTokens}), 0)::float8`,
          })
          .from(apiUsageLogs)
          .where(inPeriod)
          .groupBy(apiUsageLogs.provider, apiUsageLogs.model)
          .orderBy(asc(apiUsageLogs.provider), asc(apiUsageLogs.model)),
        db
          .select()
          .from(usageAlerts)
          .where(and(eq(usageAlerts.userId, userId), sql`${usageAlerts.periodKey} like ${`${period}:%`}`))
          .orderBy(asc(usageAlerts.createdAt)),
        live(userId, period),
      ]);
      const hasLive = counters !== undefined && (counters.requests > 0 || counters.tokens > 0);
      const requests = hasLive ? counters.requests : (summary?.requestCount ?? 0);
      const tokens = hasLive ? counters.tokens : (summary?.totalTokens ?? 0);
      const costUsd = hasLive ? counters.costUsd : (summary?.totalCost ?? 0);
      const percent = {
        requests: percentOf(requests, plan.monthlyRequestLimit),
        tokens: percentOf(tokens, plan.monthlyTokenLimit),
        costUsd: percentOf(costUsd, plan.monthlyCostCapUsd),
      };
      const highest = Math.max(0, ...Object.values(percent).map((value) => value ?? 0));
      const sum = (field: 'prompt' | 'completion' | 'cached') =>
        breakdown.reduce((total, row) => total + row[field], 0);
      return {
        userId,
        plan: plan.name,
        period: { start: start.toISOString(), end: end.toISOString() },
        requests,
        errors: summary?.errorCount ?? 0,
        tokens: { prompt: sum('prompt'), completion: sum('completion'), cached: sum('cached') },
        costUsd,
        limits: {
          monthlyRequestLimit: plan.monthlyRequestLimit,
          monthlyTokenLimit: plan.monthlyTokenLimit,
          monthlyCostCapUsd: plan.monthlyCostCapUsd,
          providerLimits: plan.providerLimits,
          maxTokensPerRequest: plan.maxTokensPerRequest,
          rateLimitPerMinute: plan.rateLimitPerMinute,
          monitoringIncluded: plan.monitoringIncluded,
        },
        percent,
        status:
          highest >= 100
            ? ('limit_reached' as const)
            : highest >= 80
              ? ('warning' as const)
              : ('ok' as const),
        providers: breakdown.map(({ provider, model, requests: count, costUsd: cost }) => ({
          provider,
          model,
          requests: count,
          costUsd: cost,
        })),
        alerts: alerts.map(alertView),
      };
    },

    /** The last `months` periods (this one included), oldest first, from `usage_summaries`. */
    async history(userId: string, months: number, at = new Date()) {
      const periods = recentPeriods(months, at);
      const rows = await db
        .select()
        .from(usageSummaries)
        .where(and(eq(usageSummaries.userId, userId), inArray(usageSummaries.period, periods)));
      const byPeriod = new Map(rows.map((row) => [row.period, row]));
      return periods.map((period) => {
        const row = byPeriod.get(period);
        return {
          period,
          requests: row?.requestCount ?? 0,
          errors: row?.errorCount ?? 0,
          tokens: { prompt: row?.promptTokens ?? 0, completion: row?.completionTokens ?? 0 },
          costUsd: row?.totalCost ?? 0,
        };
      });
    },

    /** The user's alerts: unacknowledged first, then newest first (at most 200). */
    async alerts(userId: string) {
      const rows = await db
        .select()
        .from(usageAlerts)
        .where(eq(usageAlerts.userId, userId))
        .orderBy(sql`${usageAlerts.acknowledgedAt} is not null`, desc(usageAlerts.createdAt))
        .limit(200);
      return rows.map(alertView);
    },

    /** Acknowledges one of the user's alerts (again is a no-op); undefined when it is not theirs. */
    async acknowledge(userId: string, alertId: string) {
      const [row] = await db
        .update(usageAlerts)
        .set({ acknowledgedAt: sql`coalesce(${usageAlerts.acknowledgedAt}, now())` })
        .where(and(eq(usageAlerts.id, alertId), eq(usageAlerts.userId, userId)))
        .returning();
      return row && alertView(row);
    },
  };
}

/** The usage report service. */
export type UsageReports = ReturnType<typeof createUsageReports>;
