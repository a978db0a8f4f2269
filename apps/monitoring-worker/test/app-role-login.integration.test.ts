import { eq, sql, withUser } from '@switchyard/db';
import { oauthTokenExecutionLogs, oauthTokenMonitoringTasks } from '@switchyard/db/platform';
import { oauthConnections } from '@switchyard/db/userdata';
import { queueNames } from '@switchyard/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertOAuthConnection, startWorkerHarness, type WorkerHarness } from './helper.js';
import { startOAuthSimulator, type OAuthSimulator } from './simulators/oauth-server.js';

describe('the worker as switchyard_app: its grants cover dispatching and processing', () => {
  let harness: WorkerHarness;
  let google: OAuthSimulator;

  beforeAll(async () => {
    google = await startOAuthSimulator();
    harness = await startWorkerHarness({
      consume: [queueNames.oauthTokenMonitoring],
      asApplicationRole: true,
      env: {
        GOOGLE_OAUTH_TOKEN_URL: google.tokenUrl,
        GOOGLE_CLIENT_ID: 'client-id',
        GOOGLE_CLIENT_SECRET: 'client-secret',
      },
    });
  });
  afterAll(async () => {
    await harness?.close();
    await google?.close();
  });

  it('logs both pools in as the role itself', async () => {
    for (const client of [harness.databases.platform, harness.databases.userdata]) {
      const { rows } = await client.db.execute<{ session: string }>(sql`select session_user as session`);
      expect(rows).toEqual([{ session: 'switchyard_app' }]);
    }
  });

  it('claims a due task, refreshes its token in userdata and records the run in platform', async () => {
    google.validRefreshTokens.add('refresh-as-app-role');
    const { connection, task, userId } = await insertOAuthConnection(harness, {
      platform: 'gsc',
      accessToken: 'old-access',
      refreshToken: 'refresh-as-app-role',
      expiresAt: new Date(Date.now() - 3_600_000),
    });
    await harness.databases.platform.db
      .update(oauthTokenMonitoringTasks)
      .set({ nextCheck: new Date(Date.now() - 60_000) })
      .where(eq(oauthTokenMonitoringTasks.id, task.id));
    const cycle = await harness.runtime.dispatcher.runCycle();
    expect(cycle.enqueued).toBeGreaterThanOrEqual(1);

    await harness.runTask('oauth_token', task.id, userId);
    const [stored] = await withUser(harness.databases.userdata, userId, (transaction) =>
      transaction.select().from(oauthConnections).where(eq(oauthConnections.id, connection.id)),
    );
    expect(stored!.lastRefreshedAt).toBeInstanceOf(Date);
    const logs = await harness.databases.platform.db
      .select({ status: oauthTokenExecutionLogs.status })
      .from(oauthTokenExecutionLogs)
      .where(eq(oauthTokenExecutionLogs.taskId, task.id));
    expect(logs).toContainEqual({ status: 'success' });
  });
});
