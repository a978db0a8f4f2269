import {
  oauthTokenExecutionLogs,
  oauthTokenMonitoringTasks,
  platformInsightsExecutionLogs,
  platformInsightsTasks,
  websiteAnalysisExecutionLogs,
  websiteAnalysisTasks,
  type competitorAnalyses,
  type platformInsights,
  type websiteAnalyses,
} from '@switchyard/db/platform';
import type { MonitoringTaskType } from '@switchyard/jobs';
import type { ColumnName, SchemaTable } from '../schema-names.js';

/** The task table and execution-log table of each monitoring task type. */
export const monitoringTables = {
  oauth_token: { tasks: oauthTokenMonitoringTasks, logs: oauthTokenExecutionLogs },
  website_analysis: { tasks: websiteAnalysisTasks, logs: websiteAnalysisExecutionLogs },
  platform_insights: { tasks: platformInsightsTasks, logs: platformInsightsExecutionLogs },
} as const satisfies Record<MonitoringTaskType, { tasks: SchemaTable; logs: SchemaTable }>;

/** A table that holds the results of monitoring tasks (analyses, insight snapshots). */
export type ResultTable = typeof websiteAnalyses | typeof competitorAnalyses | typeof platformInsights;

/** The SQL name of a result table, as the schema declares it. */
export type ResultTableName = ResultTable['_']['name'];

/** The SQL column names of the result table called `Name`. */
export type ResultColumnOf<Name extends ResultTableName> = ColumnName<
  Extract<ResultTable, { _: { name: Name } }>
>;

/** The SQL name of a column of any result table. */
export type ResultColumnName = { [Name in ResultTableName]: ResultColumnOf<Name> }[ResultTableName];
