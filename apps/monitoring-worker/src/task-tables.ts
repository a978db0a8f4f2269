import type { MonitoringTaskType } from '@switchyard/jobs';

/** The platform-database tables of each monitoring task type (constants, never user input). */
export const taskTables = {
  oauth_token: { tasks: 'oauth_token_monitoring_tasks', logs: 'oauth_token_execution_logs' },
  website_analysis: { tasks: 'website_analysis_tasks', logs: 'website_analysis_execution_logs' },
  platform_insights: { tasks: 'platform_insights_tasks', logs: 'platform_insights_execution_logs' },
} as const satisfies Record<MonitoringTaskType, { tasks: string; logs: string }>;
