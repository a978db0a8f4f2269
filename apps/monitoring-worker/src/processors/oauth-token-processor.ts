import {
  eq,
  secretContext,
  withUser,
  type PlatformDatabase,
  type SecretBox,
  type UserdataDb,
} from '@switchyard/db';
import { oauthConnections } from '@switchyard/db/userdata';
import type { JobProcessor, queueNames } from '@switchyard/jobs';
import { ResponseBodyError } from 'oauth4webapi';
import { raiseAlertOnce } from '../alerts/raise-alert.js';
import { TaskFailureError } from '../failures.js';
import { refreshAccessToken, type OAuthClientSettings } from '../oauth/refresh-token.js';
import { refreshReason, tokenState } from '../oauth/token-state.js';
import type { TaskOutcome, TaskState } from '../task-state/index.js';
import { runMonitoringTask, type MonitoringJobResult } from './run-monitoring-task.js';

const weekMs = 7 * 24 * 3_600_000;

/** Dependencies of the OAuth token processor. */
export interface OAuthTokenProcessorDependencies {
  taskState: TaskState;
  platform: PlatformDatabase;
  userdata: UserdataDb;
  secretBox: SecretBox;
  clients: { gsc: OAuthClientSettings; bing: OAuthClientSettings };
  now?: () => Date;
}

/**
 * Weekly check of one OAuth connection. Google (gsc) and Bing refresh through the refresh_token grant when the
 * access token expires within 7 days, has expired (however long ago, see `refreshReason`), or a platform just
 * refused it; WordPress cannot refresh, so
 * it is classified and the user alerted; Wix is not supported and logged as skipped.
 */
export function createOAuthTokenProcessor(
  dependencies: OAuthTokenProcessorDependencies,
): JobProcessor<typeof queueNames.oauthTokenMonitoring, MonitoringJobResult> {
  const { taskState, platform, userdata, secretBox, clients } = dependencies;
  const now = dependencies.now ?? (() => new Date());

  return (job, payload, signal) =>
    runMonitoringTask(taskState, 'oauth_token', job, payload, signal, async (task): Promise<TaskOutcome> => {
      const at = now();
      const nextCheckAt = new Date(at.getTime() + weekMs);
      const connectionId = String(task.connection_id);
      const kind = String(task.platform);
      if (kind === 'wix')
        return {
          status: 'skipped',
          resultData: { reason: 'wix token refresh is not supported' },
          nextCheckAt,
        };

      const [connection] = await withUser(userdata, task.user_id, (transaction) =>
        transaction.select().from(oauthConnections).where(eq(oauthConnections.id, connectionId)),
      );
      if (connection === undefined)
        throw new TaskFailureError('the OAuth connection no longer exists', 'config_error', true);
      const state = tokenState(connection.tokenExpiresAt, at);

      if (kind === 'wordpress') {
        if (state === 'expired') {
          await withUser(userdata, task.user_id, (transaction) =>
            transaction
              .update(oauthConnections)
              .set({ status: 'expired' })
              .where(eq(oauthConnections.id, connectionId)),
          );
          throw new TaskFailureError(
            'the WordPress token has expired and cannot be refreshed; reconnect WordPress',
            'auth_error',
            true,
          );
        }
        let alerted = false;
        if (state === 'expiring') {
          const expiresAt = connection.tokenExpiresAt?.toISOString();
          // One alert per connection and expiry: not again next week, nor on a retry of this job.
          alerted = await raiseAlertOnce(platform, {
            userId: task.user_id,
            alertType: 'oauth_token_expiring',
            severity: 'warning',
            message: 'Your WordPress connection expires within 7 days; reconnect it to keep monitoring.',
            details: { connectionId, platform: kind, expiresAt },
            conditionKey: `oauth_token_expiring:${connectionId}:${expiresAt ?? 'unknown'}`,
          });
        }
        return {
          status: 'success',
          resultData: { state, refreshed: false, alerted },
          nextCheckAt,
        };
      }

      const forced = payload.reason === 'unauthorized';
      // A platform that just refused the token (`unauthorized`) forces a refresh whatever the expiry says.
      const why = forced ? 'unauthorized' : refreshReason(connection.tokenExpiresAt, at);
      if (why === undefined)
        return { status: 'success', resultData: { state, refreshed: false }, nextCheckAt };
      if (connection.encryptedRefreshToken === null) {
        throw new TaskFailureError(
          `the ${kind} connection has no refresh token; reconnect it`,
          'auth_error',
          true,
        );
      }
      const settings = kind === 'gsc' ? clients.gsc : clients.bing;
      let refreshed;
      try {
        refreshed = await refreshAccessToken(
          settings,
          secretBox.decrypt(
            connection.encryptedRefreshToken,
            secretContext('oauth_connections', 'encrypted_refresh_token', task.user_id),
          ),
          signal,
        );
      } catch (error) {
        if (error instanceof ResponseBodyError && error.error === 'invalid_grant') {
          await withUser(userdata, task.user_id, (transaction) =>
            transaction
              .update(oauthConnections)
              .set({ status: 'revoked' })
              .where(eq(oauthConnections.id, connectionId)),
          );
        }
        throw error;
      }
      await withUser(userdata, task.user_id, (transaction) =>
        transaction
          .update(oauthConnections)
          .set({
            encryptedAccessToken: secretBox.encrypt(
              refreshed.accessToken,
              secretContext('oauth_connections', 'encrypted_access_token', task.user_id),
            ),
            // Google keeps the refresh token; Microsoft rotates it. Keep the old one unless a new one came.
            ...(refreshed.refreshToken === undefined
              ? {}
              : {
                  encryptedRefreshToken: secretBox.encrypt(
                    refreshed.refreshToken,
                    secretContext('oauth_connections', 'encrypted_refresh_token', task.user_id),
                  ),
                }),
            tokenExpiresAt: refreshed.expiresAt ?? null,
            ...(refreshed.scope === undefined ? {} : { scope: refreshed.scope }),
            status: 'active',
            lastRefreshedAt: at,
          })
          .where(eq(oauthConnections.id, connectionId)),
      );
      return {
        status: 'success',
        resultData: {
          state,
          refreshed: true,
          refreshReason: why,
          rotatedRefreshToken: refreshed.refreshToken !== undefined,
          expiresAt: refreshed.expiresAt?.toISOString(),
        },
        nextCheckAt,
      };
    });
}
