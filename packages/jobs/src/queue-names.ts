/** Every BullMQ queue of Switchyard; producer and consumer both use these names. */
export const queueNames = {
  oauthTokenMonitoring: 'oauth-token-monitoring',
  websiteAnalysis: 'website-analysis',
  platformInsights: 'platform-insights',
  performanceAnalysis: 'performance-analysis',
  dispatch: 'dispatch',
} as const;

/** A queue name. */
export type QueueName = (typeof queueNames)[keyof typeof queueNames];

/** The three kinds of monitoring task, each backed by a task table and a queue. */
export const monitoringTaskTypes = ['oauth_token', 'website_analysis', 'platform_insights'] as const;

/** A kind of monitoring task. */
export type MonitoringTaskType = (typeof monitoringTaskTypes)[number];

/** Which queue runs a monitoring task type. */
export const queueOfTaskType = {
  oauth_token: queueNames.oauthTokenMonitoring,
  website_analysis: queueNames.websiteAnalysis,
  platform_insights: queueNames.platformInsights,
} as const satisfies Record<MonitoringTaskType, QueueName>;
