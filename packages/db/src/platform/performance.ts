import {
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
  uuid,
  bigint,
} from 'drizzle-orm/pg-core';
import { oneOf, timestamptz } from '../columns.js';

/** Labels of a metric sample, e.g. `{ provider: 'openai' }`. */
export type MetricTags = Record<string, string>;

/** Raw metric samples, written in batches; query by (metric_name, timestamp). */
export const systemPerformanceMetrics = pgTable(
  'system_performance_metrics',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    timestamp: timestamptz().notNull().defaultNow(),
    metricName: text().notNull(),
    value: doublePrecision().notNull(),
    unit: text(),
    tags: jsonb().$type<MetricTags>().notNull().default({}),
    metadata: jsonb().$type<Record<string, unknown>>(),
  },
  (table) => [index('system_performance_metrics_name_time_idx').on(table.metricName, table.timestamp)],
);

/**
 * Statistics of a metric over a window (e.g. `1h`, `24h`, `7d`) for one tag set. `tags_key` is a canonical
 * string of the tags (sorted `k=v` joined by `,`; empty for none). Unique (metric_name, tags_key, window).
 */
export const performanceBaselines = pgTable(
  'performance_baselines',
  {
    id: uuid().primaryKey().defaultRandom(),
    metricName: text().notNull(),
    tagsKey: text().notNull().default(''),
    window: text().notNull(),
    sampleCount: integer().notNull(),
    avg: doublePrecision().notNull(),
    p50: doublePrecision().notNull(),
    p95: doublePrecision().notNull(),
    p99: doublePrecision().notNull(),
    min: doublePrecision().notNull(),
    max: doublePrecision().notNull(),
    stddev: doublePrecision().notNull(),
    computedAt: timestamptz().notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('performance_baselines_metric_unique').on(table.metricName, table.tagsKey, table.window),
  ],
);

/** Values of `performance_anomalies.anomaly_type` (enforced by a check constraint). */
export const anomalyTypes = [
  'spike',
  'drop',
  'threshold_exceeded',
  'sustained',
  'error_rate',
  'trend',
] as const;
/** Values of `performance_anomalies.severity`. */
export const anomalySeverities = ['medium', 'high', 'critical'] as const;

/** Detected anomalies against a baseline; open while `resolved_at` is null. */
export const performanceAnomalies = pgTable(
  'performance_anomalies',
  {
    id: uuid().primaryKey().defaultRandom(),
    metricName: text().notNull(),
    tagsKey: text().notNull().default(''),
    anomalyType: text({ enum: anomalyTypes }).notNull(),
    severity: text({ enum: anomalySeverities }).notNull(),
    observed: doublePrecision().notNull(),
    expected: doublePrecision(),
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    detectedAt: timestamptz().notNull().defaultNow(),
    resolvedAt: timestamptz(),
  },
  (table) => [
    index('performance_anomalies_metric_detected_idx').on(table.metricName, table.detectedAt),
    check('performance_anomalies_anomaly_type_check', oneOf('anomaly_type', anomalyTypes)),
    check('performance_anomalies_severity_check', oneOf('severity', anomalySeverities)),
  ],
);

/** Capabilities users asked for that the product lacks; upsert on `capability` and bump the counter. */
export const capabilityGaps = pgTable(
  'capability_gaps',
  {
    id: uuid().primaryKey().defaultRandom(),
    capability: text().notNull(),
    description: text(),
    occurrenceCount: integer().notNull().default(1),
    firstSeen: timestamptz().notNull().defaultNow(),
    lastSeen: timestamptz().notNull().defaultNow(),
  },
  (table) => [uniqueIndex('capability_gaps_capability_unique').on(table.capability)],
);
