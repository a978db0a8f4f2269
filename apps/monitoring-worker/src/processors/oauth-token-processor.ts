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
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ResponseBodyError } from 'oauth4webapi';
import { raiseAlertOnce } from '../alerts/raise-alert.js';
import { TaskFailureError } from '../failures.js';
import { refreshAccessToken, type OAuthClientSettings } from '../oauth/refresh-token.js';
import type { WithRefreshLock } from '../oauth/refresh-lock.js';
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
  clients: { gsc: OAuthClientSettings; bing: OAuthClientSettings; wix: OAuthClientSettings };
  /** One refresh per connection at a time, across processes. */
  withRefreshLock: WithRefreshLock;
  /** Where a refresh in flight is noted (see `inFlightKey`); producer-role connection, fails fast. */
  redis: Redis;
  keyPrefix: string;
  now?: () => Date;
}

// A refresh in flight is remembered this long: long enough for the retry after a killed worker to find it.
const inFlightTtlSeconds = 7 * 24 * 3_600;

// A token request that has not answered by now is abandoned (a transient failure); the refresh lock lives 60 s.
const refreshTimeoutMs = 30_000;

const fingerprint = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * Weekly check of one OAuth connection. Google (gsc), Bing and Wix refresh through the refresh_token grant when the
 * access token expires within 7 days, has expired (however long ago, see `refreshReason`), or a platform just
 * refused it; WordPress cannot refresh, so it is classified and the user alerted.
 *
 * Rotating refresh tokens (Microsoft, Wix) make a refresh a one-way step: the token presented stops working when the
 * answer is issued. So (1) a refresh holds the connection's lock (`withRefreshLock`) and reads the connection inside
 * it: a second refresher waits and then finds the token the first stored, usually fresh enough to need no refresh;
 * (2) the new token pair is committed before anything uses the new access token (the next step after the answer);
 * (3) before presenting a refresh token we note its fingerprint in Redis ("in flight") and clear it after the commit.
 * A worker killed between the answer and the commit leaves the note behind; when the retry then gets
 * `invalid_grant` for that same token, the platform most likely rotated it into a token we lost. That connection is
 * marked `error` with a message that says so, not `revoked` (the user did not revoke anything). The lost token
 * cannot be recovered, so the user still has to reconnect; we only tell the truth about why.
 */
export function createOAuthTokenProcessor(
  dependencies: OAuthTokenProcessorDependencies,
): JobProcessor<typeof queueNames.oauthTokenMonitoring, MonitoringJobResult> {
  const { taskState, platform, userdata, secretBox, clients, withRefreshLock, redis } = dependencies;
  const inFlightKey = (connectionId: string) =>
    `${dependencies.keyPrefix}:oauth-refresh-inflight:${connectionId}`;

  async function setStatus(userId: string, connectionId: string, status: 'revoked' | 'error' | 'expired') {
    await withUser(userdata, userId, (transaction) =>
      transaction.update(oauthConnections).set({ status }).where(eq(oauthConnections.id, connectionId)),
    );
  }
  const now = dependencies.now ?? (() => new Date());

  return (job, payload, signal) =>
    runMonitoringTask(taskState, 'oauth_token', job, payload, signal, async (task): Promise<TaskOutcome> => {
      const at = now();
      const nextCheckAt = new Date(at.getTime() + weekMs);
      const connectionId = String(task.connection_id);
      const kind = String(task.platform);
      const readConnection = async () => {
        const [row] = await withUser(userdata, task.user_id, (transaction) =>
          transaction.select().from(oauthConnections).where(eq(oauthConnections.id, connectionId)),
        );
        if (row === undefined)
          throw new TaskFailureError('the OAuth connection no longer exists', 'config_error', true);
        return row;
      };

      if (kind === 'wordpress') {
        const connection = await readConnection();
        const state = tokenState(connection.tokenExpiresAt, at);

        if (state === 'expired') {
          await setStatus(task.user_id, connectionId, 'expired');
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
      const settings = kind === 'gsc' ? clients.gsc : kind === 'bing' ? clients.bing : clients.wix;
      const outcome = await withRefreshLock(connectionId, signal, async () => {
        // Read inside the lock: a refresh that held it before us has stored its tokens by now.
        const connection = await readConnection();
        const state = tokenState(connection.tokenExpiresAt, at);
        // A platform that just refused the token (`unauthorized`) forces a refresh whatever the expiry says, unless
        // another refresh stored a new token after the refusal was seen (`dueAt`).
        const refreshedSinceRefusal =
          connection.lastRefreshedAt !== null && connection.lastRefreshedAt.getTime() >= payload.dueAt;
        const why = forced
          ? refreshedSinceRefusal
            ? undefined
            : 'unauthorized'
          : refreshReason(connection.tokenExpiresAt, at);
        if (why === undefined) return { state, refreshed: undefined };
        if (connection.encryptedRefreshToken === null) {
          throw new TaskFailureError(
            `the ${kind} connection has no refresh token; reconnect it`,
            'auth_error',
            true,
          );
        }
        const presented = secretBox.decrypt(
          connection.encryptedRefreshToken,
          secretContext('oauth_connections', 'encrypted_refresh_token', task.user_id),
        );
        const interrupted = (await redis.get(inFlightKey(connectionId))) === fingerprint(presented);
        await redis.set(inFlightKey(connectionId), fingerprint(presented), 'EX', inFlightTtlSeconds);
        let refreshed;
        try {
          // Bounded well inside the lock's TTL, so the lock never lapses while this refresh can still land.
          refreshed = await refreshAccessToken(
            settings,
            presented,
            AbortSignal.any([signal, AbortSignal.timeout(refreshTimeoutMs)]),
          );
        } catch (error) {
          if (error instanceof ResponseBodyError && error.error === 'invalid_grant') {
            await setStatus(task.user_id, connectionId, interrupted ? 'error' : 'revoked');
            await redis.del(inFlightKey(connectionId));
            if (interrupted)
              throw new TaskFailureError(
                `an earlier ${kind} token refresh was interrupted after the platform replaced the refresh token and ` +
                  'before the new one was stored; reconnect the platform',
                'auth_error',
                true,
              );
          }
          throw error;
        }
        // Committed (synchronous commit) before the new access token is used for anything: the next step.
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
              lastRefreshedAt: new Date(),
            })
            .where(eq(oauthConnections.id, connectionId)),
        );
        await redis.del(inFlightKey(connectionId));
        return { state, refreshed, why };
      });
      const { state, refreshed } = outcome;
      if (refreshed === undefined)
        return { status: 'success', resultData: { state, refreshed: false }, nextCheckAt };
      return {
        status: 'success',
        resultData: {
          state,
          refreshed: true,
          refreshReason: outcome.why,
          rotatedRefreshToken: refreshed.refreshToken !== undefined,
          expiresAt: refreshed.expiresAt?.toISOString(),
        },
        nextCheckAt,
      };
    });
}
