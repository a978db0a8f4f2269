import { and, asc, desc, eq, gte, inArray, lt, sql, type PlatformDatabase } from '@switchyard/db';
import { apiUsageLogs } from '@switchyard/db/platform';
import { periodBounds, periodOf } from '@switchyard/spend';

type UsageRow = typeof apiUsageLogs.$inferSelect;

const dayMs = 86_400_000;

/** A request as the console lists it, from its attempts' usage rows (attempt order). */
function requestView(attempts: UsageRow[]) {
  // The attempt that ended the request: the one that answered, else the last one tried.
  const final = attempts.findLast((row) => row.status === 'success') ?? attempts.at(-1)!;
  const first = attempts[0]!;
  const latencies = attempts.flatMap((row) => (row.latencyMs === null ? [] : [row.latencyMs]));
  const sum = (pick: (row: UsageRow) => number) => attempts.reduce((total, row) => total + pick(row), 0);
  return {
    requestId: first.requestId,
    createdAt: first.createdAt.toISOString(),
    endpoint: first.endpoint,
    provider: final.provider,
    model: final.model,
    status: final.status,
    attempts: attempts.length,
    fallback: new Set(attempts.map((row) => row.provider)).size > 1,
    latencyMs: latencies.length > 0 ? latencies.reduce((total, value) => total + value, 0) : null,
    promptTokens: sum((row) => row.promptTokens),
    completionTokens: sum((row) => row.completionTokens),
    costUsd: sum((row) => row.cost),
    streaming: first.streaming,
    errorKind: final.status === 'error' ? final.errorClass : null,
  };
}

/**
 * A user's requests as the usage consumer wrote them to `api_usage_logs` (one row per provider attempt, a few
 * seconds after the request): the recent ones one by one, and this month per day and per model for charts.
 */
export function createRequestHistory(db: PlatformDatabase) {
  return {
    /**
     * The user's requests newest first, `limit` of them that started before `before`. A request is found by its
     * first recorded attempt (attempt numbers count skipped providers too, so it need not be attempt 1): the
     * user's rows are walked by time (index on user and time) and a row with an earlier attempt of the same
     * request (unique index on request and attempt) rules it out; then every attempt of the page is read.
     */
    async recent(userId: string, limit: number, before?: Date) {
      const firsts = await db
        .select({ requestId: apiUsageLogs.requestId, createdAt: apiUsageLogs.createdAt })
        .from(apiUsageLogs)
        .where(
          and(
            eq(apiUsageLogs.userId, userId),
            before ? lt(apiUsageLogs.createdAt, before) : undefined,
            sql`not exists (select 1 from ${apiUsageLogs} as earlier
              where earlier.request_id = ${apiUsageLogs.requestId} and earlier.attempt < ${apiUsageLogs.attempt})`,
          ),
        )
        .orderBy(desc(apiUsageLogs.createdAt), desc(apiUsageLogs.id))
        .limit(limit);
      if (firsts.length === 0) return { requests: [], nextBefore: null };
      const rows = await db
        .select()
        .from(apiUsageLogs)
        .where(
          and(
            eq(apiUsageLogs.userId, userId),
            inArray(
              apiUsageLogs.requestId,
              firsts.map((row) => row.requestId),
            ),
          ),
        )
        .orderBy(asc(apiUsageLogs.attempt));
      // Map.groupBy is Node 21+; the gateway also runs on Node 20.
      const byRequest = new Map<string, UsageRow[]>();
      for (const row of rows) byRequest.set(row.requestId, [...(byRequest.get(row.requestId) ?? []), row]);
      return {
        requests: firsts.flatMap((first) => {
          const attempts = byRequest.get(first.requestId);
          return attempts ? [requestView(attempts)] : [];
        }),
        nextBefore: firsts.length === limit ? firsts.at(-1)!.createdAt.toISOString() : null,
      };
    },

    /** This UTC month so far: every day (zero-filled) and every provider/model, most expensive first. */
    async monthBreakdown(userId: string, at = new Date()) {
      const { start, end } = periodBounds(at);
      const inMonth = and(
        eq(apiUsageLogs.userId, userId),
        gte(apiUsageLogs.createdAt, start),
        lt(apiUsageLogs.createdAt, end),
      );
      const day = sql<string>`to_char(${apiUsageLogs.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
      const [days, models] = await Promise.all([
        db
          .select({
            date: day,
            requests: sql<number>`count(distinct ${apiUsageLogs.requestId})::int`,
            answered: sql<number>`count(distinct ${apiUsageLogs.requestId}) filter (where ${apiUsageLogs.status} = 'success')`,
            tokens: sql<number>`coalesce(sum(${apiUsageLogs.promptTokens} + ${apiUsageLogs.completionTokens}), 0)::float8`,
            costUsd: sql<number>`coalesce(sum(${apiUsageLogs.cost}), 0)::float8`,
          })
          .from(apiUsageLogs)
          .where(inMonth)
          .groupBy(sql`1`),
        db
          .select({
            provider: apiUsageLogs.provider,
            model: apiUsageLogs.model,
            requests: sql<number>`count(*)::int`,
            tokens: sql<number>`coalesce(sum(${apiUsageLogs.promptTokens} + ${apiUsageLogs.completionTokens}), 0)::float8`,
            costUsd: sql<number>`coalesce(sum(${apiUsageLogs.cost}), 0)::float8`,
          })
          .from(apiUsageLogs)
          .where(inMonth)
          .groupBy(apiUsageLogs.provider, apiUsageLogs.model)
          .orderBy(desc(sql`5`), asc(apiUsageLogs.provider), asc(apiUsageLogs.model)),
      ]);
      const byDate = new Map(days.map((row) => [row.date, row]));
      const dayCount = Math.floor((Math.min(at.getTime(), end.getTime() - 1) - start.getTime()) / dayMs) + 1;
      return {
        period: periodOf(at),
        days: Array.from({ length: dayCount }, (_, index) => {
          const date = new Date(start.getTime() + index * dayMs).toISOString().slice(0, 10);
          const row = byDate.get(date);
          return {
            date,
            requests: row?.requests ?? 0,
            errors: row ? row.requests - Number(row.answered) : 0,
            tokens: row?.tokens ?? 0,
            costUsd: row?.costUsd ?? 0,
          };
        }),
        models,
      };
    },
  };
}

/** The request history service. */
export type RequestHistory = ReturnType<typeof createRequestHistory>;
