import {
  and,
  desc,
  eq,
  gte,
  secretContext,
  withUser,
  type PlatformDatabase,
  type SecretBox,
  type UserdataDb,
} from '@switchyard/db';
import { oauthTokenMonitoringTasks, platformInsights } from '@switchyard/db/platform';
import { oauthConnections } from '@switchyard/db/userdata';
import type { JobProcessor, queueNames } from '@switchyard/jobs';
import { TaskFailureError } from '../failures.js';
import {
  PlatformUnauthorizedError,
  type InsightsData,
  type PlatformClients,
} from '../insights/platform-clients.js';
import type { RequestTokenRefresh } from '../insights/request-token-refresh.js';
import type { TaskOutcome, TaskRow, TaskState } from '../task-state/index.js';
import { runMonitoringTask, type MonitoringJobResult } from './run-monitoring-task.js';

const dayMs = 24 * 3_600_000;
const weekMs = 7 * dayMs;

/** Dependencies of the platform insights processor. */
export interface PlatformInsightsProcessorDependencies {
  taskState: TaskState;
  platform: PlatformDatabase;
  userdata: UserdataDb;
  secretBox: SecretBox;
  clients: PlatformClients;
  requestTokenRefresh: RequestTokenRefresh;
  now?: () => Date;
}

/**
 * Weekly Search Console / Bing Webmaster snapshot of one site. A snapshot younger than 24 hours is reused;
 * a 401 triggers one forced token refresh (through the OAuth queue) and one retry with the new token.
 */
export function createPlatformInsightsProcessor(
  dependencies: PlatformInsightsProcessorDependencies,
): JobProcessor<typeof queueNames.platformInsights, MonitoringJobResult> {
  const { taskState, platform, userdata, secretBox, clients, requestTokenRefresh } = dependencies;
  const now = dependencies.now ?? (() => new Date());

  async function readConnection(task: TaskRow, kind: 'gsc' | 'bing') {
    const [connection] = await withUser(userdata, task.user_id, (transaction) =>
      transaction
        .select()
        .from(oauthConnections)
        .where(
          and(
            eq(oauthConnections.userId, task.user_id),
            eq(oauthConnections.platform, kind),
            eq(oauthConnections.status, 'active'),
          ),
        )
        .orderBy(desc(oauthConnections.updatedAt))
        .limit(1),
    );
    if (connection === undefined)
      throw new TaskFailureError(
        `no active ${kind} connection; connect the platform to get insights`,
        'config_error',
        true,
      );
    return connection;
  }

  return (job, payload, signal) =>
    runMonitoringTask(
      taskState,
      'platform_insights',
      job,
      payload,
      signal,
      async (task): Promise<TaskOutcome> => {
        const at = now();
        const kind = task.platform === 'bing' ? 'bing' : 'gsc';
        const siteUrl = String(task.site_url);
        const nextCheckAt = new Date(at.getTime() + weekMs);

        const [fresh] = await platform
          .select({ id: platformInsights.id, fetchedAt: platformInsights.fetchedAt })
          .from(platformInsights)
          .where(
            and(
              eq(platformInsights.userId, task.user_id),
              eq(platformInsights.platform, kind),
              eq(platformInsights.siteUrl, siteUrl),
              gte(platformInsights.fetchedAt, new Date(at.getTime() - dayMs)),
            ),
          )
          .orderBy(desc(platformInsights.fetchedAt))
          .limit(1);
        if (fresh !== undefined) {
          return {
            status: 'success',
            dataSource: 'cached',
            resultData: { snapshotId: fresh.id, cachedFrom: fresh.fetchedAt.toISOString() },
            nextCheckAt,
          };
        }

        const fetchInsights = (current: { encryptedAccessToken: string }) =>
          clients.fetchInsights(
            kind,
            siteUrl,
            secretBox.decrypt(
              current.encryptedAccessToken,
              secretContext('oauth_connections', 'encrypted_access_token', task.user_id),
            ),
            signal,
          );
        let connection = await readConnection(task, kind);
        let data: InsightsData;
        let refreshedAfterUnauthorized = false;
        try {
          data = await fetchInsights(connection);
        } catch (error) {
          if (!(error instanceof PlatformUnauthorizedError)) throw error;
          const [oauthTask] = await platform
            .select({ id: oauthTokenMonitoringTasks.id })
            .from(oauthTokenMonitoringTasks)
            .where(
              and(
                eq(oauthTokenMonitoringTasks.userId, task.user_id),
                eq(oauthTokenMonitoringTasks.connectionId, connection.id),
              ),
            )
            .limit(1);
          if (oauthTask === undefined)
            throw new TaskFailureError(
              `${kind} refused the access token and no token task watches the connection`,
              'auth_error',
              true,
            );
          await requestTokenRefresh(oauthTask.id, task.user_id, signal);
          connection = await readConnection(task, kind);
          refreshedAfterUnauthorized = true;
          try {
            data = await fetchInsights(connection);
          } catch (retryError) {
            if (retryError instanceof PlatformUnauthorizedError) {
              throw new TaskFailureError(
                `${kind} refused the access token even after a refresh; reconnect the platform`,
                'auth_error',
                true,
              );
            }
            throw retryError;
          }
        }
        return {
          status: 'success',
          dataSource: 'api',
          resultData: { refreshedAfterUnauthorized, period: data.period },
          nextCheckAt,
          result: {
            table: 'platform_insights',
            idKey: 'snapshotId',
            row: {
              task_id: task.id,
              user_id: task.user_id,
              platform: kind,
              site_url: siteUrl,
              data_source: 'api',
              snapshot: data.data,
              period_start: data.period.startDate,
              period_end: data.period.endDate,
            },
          },
        };
      },
    );
}
