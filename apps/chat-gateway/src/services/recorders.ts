import { sql } from '@switchyard/db';
import { apiUsageLogs, capabilityGaps, providerFallbackEvents, systemPerformanceMetrics, usageSummaries } from '@switchyard/db/platform';
import type { PlatformDatabase } from '../plugins/external/databases.js';
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
  platform: PlatformDatabase;
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

  const metrics = writerFor<MetricRow>('system_performance_metrics', (rows) => db.insert(systemPerformanceMetrics).values(rows));
  // Logs and monthly summaries change in one transaction, so a retried flush never counts twice.
  const usage = writerFor<UsageEntry>('api_usage_logs', (entries) =>
    db.transaction(async (transaction) => {
      await transaction.insert(apiUsageLogs).values(entries.map((entry) => entry.log));
      for (const summary of summarize(entries)) {
        await transaction
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
      }
    }),
  );
  const fallbacks = writerFor<FallbackRow>('provider_fallback_events', (rows) => db.insert(providerFallbackEvents).values(rows));
  const writers = { system_performance_metrics: metrics, api_usage_logs: usage, provider_fallback_events: fallbacks };

  /** Counts a request asking for something no provider supports (one upsert; rare enough to skip the buffer). */
  async function recordCapabilityGap(capability: string, description: string): Promise<void> {
    await db
      .insert(capabilityGaps)
      .values({ capability, description })
      .onConflictDoUpdate({
        target: capabilityGaps.capability,
        set: { occurrenceCount: sql`${capabilityGaps.occurrenceCount} + 1`, lastSeen: new Date(), description },
      });
  }

  function refreshGauges(): void {
    for (const [table, writer] of Object.entries(writers)) options.prometheus.bufferedRows.set({ table }, writer.stats().buffered);
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
      summary = { userId: log.userId, period, requestCount: 0, errorCount: 0, fallbackCount: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, totalCost: 0, perProvider: {} };
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
