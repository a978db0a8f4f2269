import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { oneOf, timestamps, timestamptz } from '../columns.js';

/** Values of the `status` of every monitoring task table. The dispatcher only picks `active` tasks. */
export const monitoringTaskStatuses = ['active', 'failed', 'paused', 'needs_intervention'] as const;
/** Values of the `status` of every `*_execution_logs` table. */
export const executionStatuses = ['running', 'success', 'failed', 'skipped'] as const;
/** Values of `oauth_token_monitoring_tasks.platform` (and `oauth_connections.platform` in userdata). */
export const oauthPlatforms = ['gsc', 'bing', 'wordpress', 'wix'] as const;
/** Values of `website_analysis_tasks.task_type`. */
export const websiteTaskTypes = ['user_website', 'competitor'] as const;
/** Values of `platform_insights_tasks.platform` and `platform_insights.platform`. */
export const insightsPlatforms = ['gsc', 'bing'] as const;
/** Values of `platform_insights_execution_logs.data_source` and `platform_insights.data_source`. */
export const insightsDataSources = ['cached', 'api', 'onboarding'] as const;

/** Shape of `failure_pattern`: what the failures of a task have in common, kept by the worker. */
export type FailurePattern = Record<string, unknown>;

/** Columns shared by the three monitoring task tables. `next_check` null = not scheduled. */
function monitoringTaskColumns() {
  return {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid().notNull(),
    status: text({ enum: monitoringTaskStatuses }).notNull().default('active'),
    lastCheck: timestamptz(),
    lastSuccess: timestamptz(),
    lastFailure: timestamptz(),
    failureReason: text(),
    consecutiveFailures: integer().notNull().default(0),
    failurePattern: jsonb().$type<FailurePattern>(),
    nextCheck: timestamptz(),
    ...timestamps(),
  };
}

/** Columns shared by the three execution log tables; `task_id` is added per table with its foreign key. */
function executionLogColumns() {
  return {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    executionDate: timestamptz().notNull().defaultNow(),
    status: text({ enum: executionStatuses }).notNull(),
    resultData: jsonb().$type<Record<string, unknown>>(),
    errorMessage: text(),
    executionTimeMs: integer(),
  };
}

/**
 * Watches one OAuth connection (`connection_id` = `oauth_connections.id` in userdata; no cross-database FK).
 * Unique (user_id, connection_id).
 */
export const oauthTokenMonitoringTasks = pgTable(
  'oauth_token_monitoring_tasks',
  {
    ...monitoringTaskColumns(),
    platform: text({ enum: oauthPlatforms }).notNull(),
    connectionId: uuid().notNull(),
  },
  (table) => [
    index('oauth_token_monitoring_tasks_next_check_idx').on(table.nextCheck),
    index('oauth_token_monitoring_tasks_user_id_idx').on(table.userId),
    uniqueIndex('oauth_token_monitoring_tasks_connection_unique').on(table.userId, table.connectionId),
    check('oauth_token_monitoring_tasks_status_check', oneOf('status', monitoringTaskStatuses)),
    check('oauth_token_monitoring_tasks_platform_check', oneOf('platform', oauthPlatforms)),
  ],
);

/** Runs of `oauth_token_monitoring_tasks`, deleted with their task. */
export const oauthTokenExecutionLogs = pgTable(
  'oauth_token_execution_logs',
  {
    ...executionLogColumns(),
    taskId: uuid()
      .notNull()
      .references(() => oauthTokenMonitoringTasks.id, { onDelete: 'cascade' }),
  },
  (table) => [
    index('oauth_token_execution_logs_task_date_idx').on(table.taskId, table.executionDate),
    check('oauth_token_execution_logs_status_check', oneOf('status', executionStatuses)),
  ],
);

/**
 * Periodic analysis of a website: the user's own (`user_website`) or a competitor's (`competitor`, with
 * `competitor_id`). Runs every `frequency_days` (default 10). Unique (user_id, website_url, task_type).
 */
export const websiteAnalysisTasks = pgTable(
  'website_analysis_tasks',
  {
    ...monitoringTaskColumns(),
    websiteUrl: text().notNull(),
    taskType: text({ enum: websiteTaskTypes }).notNull(),
    competitorId: uuid(),
    frequencyDays: integer().notNull().default(10),
  },
  (table) => [
    index('website_analysis_tasks_next_check_idx').on(table.nextCheck),
    index('website_analysis_tasks_user_id_idx').on(table.userId),
    uniqueIndex('website_analysis_tasks_site_unique').on(table.userId, table.websiteUrl, table.taskType),
    check('website_analysis_tasks_status_check', oneOf('status', monitoringTaskStatuses)),
    check('website_analysis_tasks_task_type_check', oneOf('task_type', websiteTaskTypes)),
    check('website_analysis_tasks_frequency_check', sql`"frequency_days" > 0`),
  ],
);

/** Runs of `website_analysis_tasks`, deleted with their task. */
export const websiteAnalysisExecutionLogs = pgTable(
  'website_analysis_execution_logs',
  {
    ...executionLogColumns(),
    taskId: uuid()
      .notNull()
      .references(() => websiteAnalysisTasks.id, { onDelete: 'cascade' }),
  },
  (table) => [
    index('website_analysis_execution_logs_task_date_idx').on(table.taskId, table.executionDate),
    check('website_analysis_execution_logs_status_check', oneOf('status', executionStatuses)),
  ],
);

/** Periodic fetch of search-platform insights for one site. Unique (user_id, platform, site_url). */
export const platformInsightsTasks = pgTable(
  'platform_insights_tasks',
  {
    ...monitoringTaskColumns(),
    platform: text({ enum: insightsPlatforms }).notNull(),
    siteUrl: text().notNull(),
  },
  (table) => [
    index('platform_insights_tasks_next_check_idx').on(table.nextCheck),
    index('platform_insights_tasks_user_id_idx').on(table.userId),
    uniqueIndex('platform_insights_tasks_site_unique').on(table.userId, table.platform, table.siteUrl),
    check('platform_insights_tasks_status_check', oneOf('status', monitoringTaskStatuses)),
    check('platform_insights_tasks_platform_check', oneOf('platform', insightsPlatforms)),
  ],
);

/** Runs of `platform_insights_tasks`, deleted with their task; `data_source` says where the data came from. */
export const platformInsightsExecutionLogs = pgTable(
  'platform_insights_execution_logs',
  {
    ...executionLogColumns(),
    taskId: uuid()
      .notNull()
      .references(() => platformInsightsTasks.id, { onDelete: 'cascade' }),
    dataSource: text({ enum: insightsDataSources }),
  },
  (table) => [
    index('platform_insights_execution_logs_task_date_idx').on(table.taskId, table.executionDate),
    check('platform_insights_execution_logs_status_check', oneOf('status', executionStatuses)),
    check('platform_insights_execution_logs_data_source_check', oneOf('data_source', insightsDataSources)),
  ],
);

/** One row per dispatcher pass over one queue: how many due tasks it found, enqueued and skipped. */
export const schedulerEventLogs = pgTable(
  'scheduler_event_logs',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    queue: text().notNull(),
    found: integer().notNull().default(0),
    enqueued: integer().notNull().default(0),
    skipped: integer().notNull().default(0),
    durationMs: integer().notNull().default(0),
    details: jsonb().$type<Record<string, unknown>>(),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (table) => [index('scheduler_event_logs_queue_created_idx').on(table.queue, table.createdAt)],
);
