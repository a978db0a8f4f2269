import { sql } from '@switchyard/db';
import {
  capabilityGaps,
  type providerFallbackEvents,
  type systemPerformanceMetrics,
} from '@switchyard/db/platform';
import type { PlatformClient } from '../plugins/external/databases.js';
import { createBufferedWriter, type WriterLogger } from './buffered-writer.js';
import type { PrometheusMetrics } from './prometheus-metrics.js';

/** A `system_performance_metrics` row. */
export type MetricRow = typeof systemPerformanceMetrics.$inferInsert;
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
 * Off-the-hot-path writers of the append-only tables: metrics and fallback events. Usage is not buffered here: it
 * goes to the usage stream with each settlement (services/spend-metering.ts).
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
    fallbacks,
    recordCapabilityGap,
    refreshGauges,
    /** Shutdown step 3: flush every buffer, retrying until the deadline. */
    async close(deadlineMs: number): Promise<void> {
      await Promise.all(Object.values(writers).map((writer) => writer.close(deadlineMs)));
    },
  };
}

/** The recorders decorator. */
export type Recorders = ReturnType<typeof createRecorders>;
