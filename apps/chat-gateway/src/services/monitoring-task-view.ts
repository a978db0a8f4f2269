import type {
  oauthTokenMonitoringTasks,
  platformInsightsTasks,
  websiteAnalysisTasks,
} from '@switchyard/db/platform';

type WebsiteTask = typeof websiteAnalysisTasks.$inferSelect;
type OAuthTask = typeof oauthTokenMonitoringTasks.$inferSelect;
type InsightsTask = typeof platformInsightsTasks.$inferSelect;

/** A task found by id, with its type. */
export type FoundTask =
  | { type: 'website_analysis'; row: WebsiteTask }
  | { type: 'oauth_token'; row: OAuthTask }
  | { type: 'platform_insights'; row: InsightsTask };

/** A timestamp as the API shows it (ISO 8601), or null. */
export const iso = (date: Date | null) => date?.toISOString() ?? null;

/** What the user can do about a task that waits for them; null when nothing is needed. */
export function interventionHint(task: FoundTask): string | null {
  const { row } = task;
  if (row.status === 'paused') return 'Paused. Set its status to `active` to resume it.';
  if (row.status !== 'needs_intervention' && row.status !== 'failed') return null;
  const lastClass = (row.failurePattern as { lastClass?: string } | null)?.lastClass;
  const resume = 'then set its status to `active` (PATCH /api/monitoring/tasks/:id) to resume it.';
  const platform = task.type === 'website_analysis' ? undefined : task.row.platform;
  switch (lastClass) {
    case 'auth_error':
      return `The ${platform ?? 'platform'} connection was refused or has expired. Reconnect it (/api/connections), ${resume}`;
    case 'config_error':
      return `The task's settings cannot work as they are (${row.failureReason ?? 'see its logs'}). Fix them, ${resume}`;
    case 'worker_lost':
      return `Its runs stopped the worker ${row.consecutiveFailures} times. Check the site it analyses, ${resume}`;
    default:
      return `It failed ${row.consecutiveFailures} times in a row (last: ${row.failureReason ?? 'unknown'}). Once the cause is fixed, ${resume}`;
  }
}

/** A task as the API shows it. */
export function taskView(task: FoundTask) {
  const { row } = task;
  const common = {
    id: row.id,
    userId: row.userId,
    type: task.type,
    status: row.status,
    lastCheck: iso(row.lastCheck),
    lastSuccess: iso(row.lastSuccess),
    nextCheck: iso(row.nextCheck),
    consecutiveFailures: row.consecutiveFailures,
    failureReason: row.failureReason,
    needsIntervention: row.status === 'needs_intervention',
    hint: interventionHint(task),
  };
  switch (task.type) {
    case 'website_analysis':
      return {
        ...common,
        target: task.row.websiteUrl,
        details: { taskType: task.row.taskType, frequencyDays: task.row.frequencyDays },
      };
    case 'oauth_token':
      return {
        ...common,
        target: task.row.platform,
        details: { platform: task.row.platform, connectionId: task.row.connectionId },
      };
    case 'platform_insights':
      return {
        ...common,
        target: task.row.siteUrl,
        details: { platform: task.row.platform, siteUrl: task.row.siteUrl },
      };
  }
}
