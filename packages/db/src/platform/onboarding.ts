import { check, date, index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { oneOf, timestamps, timestamptz } from '../columns.js';
import {
  insightsDataSources,
  insightsPlatforms,
  websiteAnalysisTasks,
  platformInsightsTasks,
} from './monitoring.js';

/** Values of `onboarding_sessions.status`. */
export const onboardingStatuses = ['started', 'in_progress', 'completed', 'failed', 'abandoned'] as const;

/** A user's onboarding run: the website, competitors and platforms they gave, and how far it got. */
export const onboardingSessions = pgTable(
  'onboarding_sessions',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid().notNull(),
    status: text({ enum: onboardingStatuses }).notNull().default('started'),
    currentStep: text(),
    websiteUrl: text(),
    competitors: jsonb().$type<string[]>().notNull().default([]),
    platforms: jsonb().$type<string[]>().notNull().default([]),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    error: text(),
    completedAt: timestamptz(),
    ...timestamps(),
  },
  (table) => [
    index('onboarding_sessions_user_id_idx').on(table.userId, table.createdAt),
    check('onboarding_sessions_status_check', oneOf('status', onboardingStatuses)),
  ],
);

/** Columns shared by website and competitor analyses; each row is one analysis run, newest by `analysed_at`. */
function analysisColumns() {
  return {
    id: uuid().primaryKey().defaultRandom(),
    taskId: uuid().references(() => websiteAnalysisTasks.id, { onDelete: 'set null' }),
    userId: uuid().notNull(),
    url: text().notNull(),
    fetchedData: jsonb().$type<Record<string, unknown>>(),
    styleAnalysis: jsonb().$type<Record<string, unknown>>(),
    contentAnalysis: jsonb().$type<Record<string, unknown>>(),
    guidelinesAnalysis: jsonb().$type<Record<string, unknown>>(),
    changes: jsonb().$type<Record<string, unknown>>(),
    analysedAt: timestamptz().notNull().defaultNow(),
  };
}

/** Analyses of a user's own website (`task_id` null when produced by onboarding). */
export const websiteAnalyses = pgTable('website_analyses', analysisColumns(), (table) => [
  index('website_analyses_user_analysed_idx').on(table.userId, table.analysedAt),
  index('website_analyses_task_analysed_idx').on(table.taskId, table.analysedAt),
]);

/** Analyses of competitors' websites (`task_id` null when produced by onboarding). */
export const competitorAnalyses = pgTable('competitor_analyses', analysisColumns(), (table) => [
  index('competitor_analyses_user_analysed_idx').on(table.userId, table.analysedAt),
  index('competitor_analyses_task_analysed_idx').on(table.taskId, table.analysedAt),
]);

/** Snapshots of search-platform data for a site over `period_start`..`period_end` (dates, inclusive). */
export const platformInsights = pgTable(
  'platform_insights',
  {
    id: uuid().primaryKey().defaultRandom(),
    taskId: uuid().references(() => platformInsightsTasks.id, { onDelete: 'set null' }),
    userId: uuid().notNull(),
    platform: text({ enum: insightsPlatforms }).notNull(),
    siteUrl: text().notNull(),
    dataSource: text({ enum: insightsDataSources }).notNull(),
    snapshot: jsonb().$type<Record<string, unknown>>().notNull(),
    periodStart: date({ mode: 'string' }),
    periodEnd: date({ mode: 'string' }),
    fetchedAt: timestamptz().notNull().defaultNow(),
  },
  (table) => [
    index('platform_insights_site_fetched_idx').on(
      table.userId,
      table.platform,
      table.siteUrl,
      table.fetchedAt,
    ),
    check('platform_insights_platform_check', oneOf('platform', insightsPlatforms)),
    check('platform_insights_data_source_check', oneOf('data_source', insightsDataSources)),
  ],
);
