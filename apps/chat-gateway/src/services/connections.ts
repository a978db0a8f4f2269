import type { OAuthConfig } from '@switchyard/config';
import {
  ensureConnectionTasks,
  pauseConnectionTasks,
  type ConnectionTasks,
} from '@switchyard/db/provisioning';
import {
  and,
  desc,
  eq,
  secretContext,
  withUser,
  type PlatformDatabase,
  type SecretBox,
  type UserdataDb,
} from '@switchyard/db';
import { oauthConnections } from '@switchyard/db/userdata';
import type { Queues } from '@switchyard/jobs';
import type { FastifyBaseLogger } from 'fastify';
import type { Connection } from '../schemas/connections.js';
import { revokeToken, type ExchangedTokens } from './platform-oauth.js';

type ConnectionRow = typeof oauthConnections.$inferSelect;
type Platform = ConnectionRow['platform'];

const accessContext = (userId: string) =>
  secretContext('oauth_connections', 'encrypted_access_token', userId);
const refreshContext = (userId: string) =>
  secretContext('oauth_connections', 'encrypted_refresh_token', userId);

/** A connection row as its owner sees it: no token, ever. */
export function connectionView(row: ConnectionRow): Connection {
  return {
    id: row.id,
    platform: row.platform,
    status: row.status,
    account: row.siteUrl,
    siteUrl: row.siteUrl,
    scopes: row.scope === null ? [] : row.scope.split(/[\s,]+/).filter((scope) => scope.length > 0),
    expiresAt: row.tokenExpiresAt?.toISOString() ?? null,
    lastRefreshedAt: row.lastRefreshedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Dependencies of the connections service. */
export interface ConnectionsServiceOptions {
  platform: PlatformDatabase;
  userdata: UserdataDb;
  secretBox: SecretBox;
  queues: Queues;
  oauth: OAuthConfig;
  logger: FastifyBaseLogger;
}

/**
 * A user's platform connections: stores a grant encrypted (tokens bound to table, column and owner), creates or
 * reactivates its monitoring tasks and enqueues their first runs; removes a grant (revoking it at the platform
 * where that exists) and pauses its tasks.
 */
export function createConnectionsService(options: ConnectionsServiceOptions) {
  const { userdata, secretBox, queues } = options;

  /**
   * Enqueues the first run of each task with the due time the dispatcher would use (`scheduled` at `next_check`),
   * so the dispatcher finding the same task due computes the same job id and BullMQ keeps one job.
   */
  async function enqueueFirstRuns(userId: string, tasks: ConnectionTasks): Promise<void> {
    const jobs = [
      { type: 'oauth_token' as const, task: tasks.oauthTask },
      ...(tasks.insightsTask === null
        ? []
        : [{ type: 'platform_insights' as const, task: tasks.insightsTask }]),
    ];
    try {
      await Promise.all(
        jobs.map(({ type, task }) =>
          queues.enqueueMonitoringTask({
            type,
            taskId: task.id,
            userId,
            reason: 'scheduled',
            dueAt: task.nextCheck.getTime(),
          }),
        ),
      );
    } catch (error) {
      // The tasks are due now, so the dispatcher's next cycle runs them; the connect itself has succeeded.
      options.logger.warn(
        { userId, reason: error instanceof Error ? error.message : String(error) },
        'first runs of a new connection not enqueued; the dispatcher will run them',
      );
    }
  }

  /**
   * Stores the grant of `platform` for the user: updates the user's existing connection of that platform (and site,
   * for WordPress) or creates one, then provisions and enqueues its tasks.
   */
  async function storeGrant(
    userId: string,
    platform: Platform,
    grant: ExchangedTokens & { siteUrl: string | null },
  ): Promise<{ connection: Connection; tasks: ConnectionTasks }> {
    const values = {
      userId,
      platform,
      siteUrl: grant.siteUrl,
      encryptedAccessToken: secretBox.encrypt(grant.accessToken, accessContext(userId)),
      encryptedRefreshToken:
        grant.refreshToken === undefined
          ? null
          : secretBox.encrypt(grant.refreshToken, refreshContext(userId)),
      tokenExpiresAt: grant.expiresAt ?? null,
      scope: grant.scope ?? null,
      status: 'active' as const,
      lastRefreshedAt: new Date(),
    };
    const row = await withUser(userdata, userId, async (transaction) => {
      const sameSite = platform === 'wordpress' ? [eq(oauthConnections.siteUrl, grant.siteUrl ?? '')] : [];
      const [existing] = await transaction
        .select({ id: oauthConnections.id, siteUrl: oauthConnections.siteUrl })
        .from(oauthConnections)
        .where(and(eq(oauthConnections.platform, platform), ...sameSite))
        .orderBy(desc(oauthConnections.updatedAt))
        .limit(1)
        .for('update');
      if (existing === undefined)
        return (await transaction.insert(oauthConnections).values(values).returning())[0]!;
      return (
        await transaction
          .update(oauthConnections)
          .set({
            ...values,
            // A reconnect without a site keeps the one the connection had.
            siteUrl: grant.siteUrl ?? existing.siteUrl,
            updatedAt: new Date(),
          })
          .where(eq(oauthConnections.id, existing.id))
          .returning()
      )[0]!;
    });
    const tasks = await ensureConnectionTasks(options.platform, {
      userId,
      connectionId: row.id,
      platform,
      siteUrl: row.siteUrl,
    });
    // The insights task may have found the site in onboarding: remember it on the connection for removal.
    if (row.siteUrl === null && tasks.siteUrl !== null) {
      await withUser(userdata, userId, (transaction) =>
        transaction
          .update(oauthConnections)
          .set({ siteUrl: tasks.siteUrl })
          .where(eq(oauthConnections.id, row.id)),
      );
      row.siteUrl = tasks.siteUrl;
    }
    await enqueueFirstRuns(userId, tasks);
    return { connection: connectionView(row), tasks };
  }

  return {
    storeGrant,

    /** The user's connections, newest first. */
    async list(userId: string): Promise<Connection[]> {
      const rows = await withUser(userdata, userId, (transaction) =>
        transaction.select().from(oauthConnections).orderBy(desc(oauthConnections.createdAt)),
      );
      return rows.map(connectionView);
    },

    /**
     * Removes a connection: revokes the grant at the platform where it has a revocation endpoint (the refresh
     * token, which also ends its access tokens), forgets the tokens, marks it `revoked` and pauses its tasks.
     * Undefined when the user has no such connection (someone else's is indistinguishable from none).
     */
    async remove(
      userId: string,
      connectionId: string,
      signal: AbortSignal,
    ): Promise<{ revokedAtPlatform: boolean; pausedTasks: number } | undefined> {
      const [row] = await withUser(userdata, userId, (transaction) =>
        transaction.select().from(oauthConnections).where(eq(oauthConnections.id, connectionId)),
      );
      if (row === undefined) return undefined;
      let revokedAtPlatform = false;
      if (row.status !== 'revoked' && row.platform !== 'wordpress') {
        const encrypted = row.encryptedRefreshToken ?? row.encryptedAccessToken;
        const context = row.encryptedRefreshToken === null ? accessContext(userId) : refreshContext(userId);
        try {
          revokedAtPlatform = await revokeToken(
            options.oauth.platforms[row.platform],
            secretBox.decrypt(encrypted, context),
            signal,
          );
        } catch (error) {
          // The user asked to disconnect: we still forget the grant and stop using it, and say it was not revoked.
          options.logger.warn(
            {
              connectionId,
              platform: row.platform,
              reason: error instanceof Error ? error.message : 'unknown',
            },
            'revoking a connection at the platform failed',
          );
        }
      }
      await withUser(userdata, userId, (transaction) =>
        transaction
          .update(oauthConnections)
          .set({
            status: 'revoked',
            encryptedAccessToken: secretBox.encrypt('', accessContext(userId)),
            encryptedRefreshToken: null,
            tokenExpiresAt: null,
            updatedAt: new Date(),
          })
          .where(eq(oauthConnections.id, connectionId)),
      );
      const pausedTasks = await pauseConnectionTasks(options.platform, {
        userId,
        connectionId,
        platform: row.platform,
        siteUrl: row.siteUrl,
      });
      return { revokedAtPlatform, pausedTasks };
    },
  };
}

/** The connections service of a gateway. */
export type ConnectionsService = ReturnType<typeof createConnectionsService>;
