import { sql } from '@switchyard/db';
import {
  capabilityGaps,
  usageSummaries,
  type apiUsageLogs,
  type providerFallbackEvents,
  type systemPerformanceMetrics,
} from '@switchyard/db/platform';
import type { PlatformClient } from '../plugins/external/databases.js';
import { createBufferedWriter, type WriterLogger } from './buffered-writer.js';
import type { PrometheusMetrics } from './prometheus-metrics.js';

/** A `system_performance_metrics` row. */
export type MetricRow = typeof systemPerformanceMetrics.$inferInsert;
/** An `api_usage_logs` row (one per provider attempt). */
export type UsageRow = typeof apiUsageLogs.$inferInsert;
/** One attempt to log; `countsAsRequest` marks the attempt that ends a request (its answer or its last failure). */
export interface UsageEntry {
  log: UsageRow;
  countsAsRequest: boolean;
  usedFallback: boolean;
}
/** A `provider_fallback_events` row. */
export type FallbackRow = typeof providerFallbackEvents.$inferInsert;

interface RecordersOptions {
  platform: PlatformClient;
  flushIntervalMs: number;
  flushRows: number;
  bufferMaxRows: number;
  logger: WriterLogger;
  prometheus: PrometheusMetrics;
}

/**
 * Off-the-hot-path writers of the append-only tables: metrics, usage, fallback events.
 * Each buffers, bulk-inserts and retries on its own, so one failing table never blocks another.
 */
export function createRecorders(options: RecordersOptions) {
  const { db } = options.platform;
  const writerFor = <Row>(name: string, insert: (rows: Row[]) => Promise<unknown>) =>
    createBufferedWriter<Row>({
      name,
      insert: async (rows) => {
        await insert(rows);
      },
      flushIntervalMs: options.flushIntervalMs,
      flushRows: options.flushRows,
      maxRows: options.bufferMaxRows,
      logger: options.logger,
      onDropped: (count) => options.prometheus.droppedRows.inc({ table: name }, count),
    });

  const { pool } = options.platform;
  // Bulk inserts are one statement over column arrays (`unnest`): building thousands of rows through the query
  // builder cost more CPU than the requests they describe. Times are taken when the row was added, not flushed.
  const metrics = writerFor<MetricRow>('system_performance_metrics', (rows) =>
    pool.query(
      `insert into system_performance_metrics (timestamp, metric_name, value, unit, tags)
       select * from unnest($1::timestamptz[], $2::text[], $3::float8[], $4::text[], $5::jsonb[])`,
      [
        rows.map((row) => row.timestamp ?? new Date()),
        rows.map((row) => row.metricName),
        rows.map((row) => row.value),
        rows.map((row) => row.unit ?? null),
        rows.map((row) => JSON.stringify(row.tags ?? {})),
      ],
    ),
  );
  // Logs and monthly summaries change in one transaction, so a retried flush never counts twice.
  const usage = writerFor<UsageEntry>('api_usage_logs', async (entries) => {
    const client = await pool.connect();
    let failure: Error | undefined;
    try {
      await client.query('begin');
      const logs = entries.map((entry) => entry.log);
      await client.query(
        `insert into api_usage_logs (request_id, user_id, provider, model, endpoint, prompt_tokens, completion_tokens, cached_tokens, cost, latency_ms, status, error_class, attempt, fallback_from, streaming, created_at)
         select * from unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::int[], $9::numeric[], $10::int[], $11::text[], $12::text[], $13::int[], $14::text[], $15::bool[], $16::timestamptz[])
         on conflict (request_id, attempt) do nothing`,
        [
          logs.map((log) => log.requestId),
          logs.map((log) => log.userId ?? null),
          logs.map((log) => log.provider),
          logs.map((log) => log.model),
          logs.map((log) => log.endpoint),
          logs.map((log) => log.promptTokens ?? 0),
          logs.map((log) => log.completionTokens ?? 0),
          logs.map((log) => log.cachedTokens ?? 0),
          logs.map((log) => log.cost ?? 0),
          logs.map((log) => log.latencyMs ?? null),
          logs.map((log) => log.status),
          logs.map((log) => log.errorClass ?? null),
          logs.map((log) => log.attempt ?? 1),
          logs.map((log) => log.fallbackFrom ?? null),
          logs.map((log) => log.streaming ?? false),
          logs.map((log) => log.createdAt ?? new Date()),
        ],
      );
      for (const summary of summarize(entries)) {
        const statement = summaryUpsert(summary).toSQL();
        await client.query(statement.sql, statement.params);
      }
      await client.query('commit');
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      // A connection that failed mid-transaction is discarded rather than returned to the pool.
      client.release(failure);
    }
  });
  const summaryUpsert = (summary: SummaryRow) =>
    db
      .insert(usageSummaries)
      .values(summary)
      .onConflictDoUpdate({
        target: [usageSummaries.userId, usageSummaries.period],
        set: {
          requestCount: sql`${usageSummaries.requestCount} + ${summary.requestCount}`,
          errorCount: sql`${usageSummaries.errorCount} + ${summary.errorCount}`,
          fallbackCount: sql`${usageSummaries.fallbackCount} + ${summary.fallbackCount}`,
          promptTokens: sql`${usageSummaries.promptTokens} + ${summary.promptTokens}`,
          completionTokens: sql`${usageSummaries.completionTokens} + ${summary.completionTokens}`,
          totalTokens: sql`${usageSummaries.totalTokens} + ${summary.totalTokens}`,
          totalCost: sql`${usageSummaries.totalCost} + ${summary.totalCost}`,
          perProvider: sql`${usageSummaries.perProvider} || (
            select coalesce(jsonb_object_agg(incoming.key, jsonb_build_object(
              'requests', coalesce((${usageSummaries.perProvider} -> incoming.key ->> 'requests')::numeric, 0) + (incoming.value ->> 'requests')::numeric,
              'tokens', coalesce((${usageSummaries.perProvider} -> incoming.key ->> 'tokens')::numeric, 0) + (incoming.value ->> 'tokens')::numeric,
              'cost', coalesce((${usageSummaries.perProvider} -> incoming.key ->> 'cost')::numeric, 0) + (incoming.value ->> 'cost')::numeric,
              'errors', coalesce((${usageSummaries.perProvider} -> incoming.key ->> 'errors')::numeric, 0) + (incoming.value ->> 'errors')::numeric
            )), '{}'::jsonb)
            from jsonb_each(${JSON.stringify(summary.perProvider)}::jsonb) as incoming
          )`,
          updatedAt: new Date(),
        },
      });
  const fallbacks = writerFor<FallbackRow>('provider_fallback_events', (rows) =>
    pool.query(
      `insert into provider_fallback_events (request_id, user_id, from_provider, from_model, to_provider, to_model, error_kind, status, reason, streaming, created_at)
       select * from unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[], $10::bool[], $11::timestamptz[])`,
      [
        rows.map((row) => row.requestId),
        rows.map((row) => row.userId ?? null),
        rows.map((row) => row.fromProvider),
        rows.map((row) => row.fromModel),
        rows.map((row) => row.toProvider ?? null),
        rows.map((row) => row.toModel ?? null),
        rows.map((row) => row.errorKind),
        rows.map((row) => row.status ?? null),
        rows.map((row) => row.reason ?? null),
        rows.map((row) => row.streaming ?? false),
        rows.map((row) => row.createdAt ?? new Date()),
      ],
    ),
  );
  const writers = {
    system_performance_metrics: metrics,
    api_usage_logs: usage,
    provider_fallback_events: fallbacks,
  };

  /** Counts a request asking for something no provider supports (one upsert; rare enough to skip the buffer). */
  async function recordCapabilityGap(capability: string, description: string): Promise<void> {
    await db
      .insert(capabilityGaps)
      .values({ capability, description })
      .onConflictDoUpdate({
        target: capabilityGaps.capability,
        set: {
          occurrenceCount: sql`${capabilityGaps.occurrenceCount} + 1`,
          lastSeen: new Date(),
          description,
        },
      });
  }

  function refreshGauges(): void {
    for (const [table, writer] of Object.entries(writers))
      options.prometheus.bufferedRows.set({ table }, writer.stats().buffered);
  }

  return {
    metrics,
    usage,
    fallbacks,
    recordCapabilityGap,
    refreshGauges,
    /** Shutdown step 3: flush every buffer, retrying until the deadline. */
    async close(deadlineMs: number): Promise<void> {
      await Promise.all(Object.values(writers).map((writer) => writer.close(deadlineMs)));
    },
  };
}

type SummaryRow = typeof usageSummaries.$inferInsert & {
  requestCount: number;
  errorCount: number;
  fallbackCount: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  totalCost: number;
  perProvider: Record<string, { requests: number; tokens: number; cost: number; errors: number }>;
};

/** Adds a batch of attempts up into one summary row per user and month. */
function summarize(entries: UsageEntry[]): SummaryRow[] {
  const summaries = new Map<string, SummaryRow>();
  for (const { log, countsAsRequest, usedFallback } of entries) {
    if (!log.userId) continue;
    const period = (log.createdAt ?? new Date()).toISOString().slice(0, 7);
    const key = `${log.userId}:${period}`;
    let summary = summaries.get(key);
    if (!summary) {
      summary = {
        userId: log.userId,
        period,
        requestCount: 0,
        errorCount: 0,
        fallbackCount: 0,
        promptTokens: 0,
        completionTokens: 0,
        totalTokens: 0,
        totalCost: 0,
        perProvider: {},
      };
      summaries.set(key, summary);
    }
    const prompt = log.promptTokens ?? 0;
    const completion = log.completionTokens ?? 0;
    const cost = log.cost ?? 0;
    const failed = log.status === 'error';
    if (countsAsRequest) {
      summary.requestCount += 1;
      if (failed) summary.errorCount += 1;
      if (usedFallback) summary.fallbackCount += 1;
    }
    summary.promptTokens += prompt;
    summary.completionTokens += completion;
    summary.totalTokens += prompt + completion;
    summary.totalCost += cost;
    const provider = (summary.perProvider[log.provider] ??= { requests: 0, tokens: 0, cost: 0, errors: 0 });
    provider.requests += 1;
    provider.tokens += prompt + completion;
    provider.cost += cost;
    if (failed) provider.errors += 1;
  }
  return [...summaries.values()];
}

/** The recorders decorator. */
export type Recorders = ReturnType<typeof createRecorders>;
