import { createHash } from 'node:crypto';
import { eq, secretContext, withUser } from '@switchyard/db';
import { oauthTokenExecutionLogs, oauthTokenMonitoringTasks, usageAlerts } from '@switchyard/db/platform';
import { oauthConnections } from '@switchyard/db/userdata';
import { queueNames } from '@switchyard/jobs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertOAuthConnection, redisUrl, startWorkerHarness, type WorkerHarness } from '../helper.js';
import { startOAuthSimulator, type OAuthSimulator } from '../simulators/oauth-server.js';

const access = (userId: string) => secretContext('oauth_connections', 'encrypted_access_token', userId);
const refresh = (userId: string) => secretContext('oauth_connections', 'encrypted_refresh_token', userId);

let harness: WorkerHarness;
let google: OAuthSimulator;
let bing: OAuthSimulator;
let wix: OAuthSimulator;
const hourMs = 3_600_000;

beforeAll(async () => {
  [google, bing, wix] = await Promise.all([
    startOAuthSimulator(),
    startOAuthSimulator(),
    startOAuthSimulator(),
  ]);
  harness = await startWorkerHarness({
    consume: [queueNames.oauthTokenMonitoring],
    env: {
      GOOGLE_OAUTH_TOKEN_URL: google.tokenUrl,
      GOOGLE_CLIENT_ID: 'client-id',
      GOOGLE_CLIENT_SECRET: 'client-secret',
      BING_OAUTH_TOKEN_URL: bing.tokenUrl,
      BING_CLIENT_ID: 'client-id',
      BING_CLIENT_SECRET: 'client-secret',
      WIX_OAUTH_TOKEN_URL: wix.tokenUrl,
      WIX_CLIENT_ID: 'client-id',
      WIX_CLIENT_SECRET: 'client-secret',
    },
  });
});

afterAll(async () => {
  await harness?.close();
  await Promise.all([google?.close(), bing?.close(), wix?.close()]);
});

async function readConnection(userId: string, connectionId: string) {
  const [row] = await withUser(harness.databases.userdata, userId, (transaction) =>
    transaction.select().from(oauthConnections).where(eq(oauthConnections.id, connectionId)),
  );
  return row!;
}

async function taskRow(taskId: string) {
  const [row] = await harness.databases.platform.db
    .select()
    .from(oauthTokenMonitoringTasks)
    .where(eq(oauthTokenMonitoringTasks.id, taskId));
  return row!;
}

describe('OAuth token processor', () => {
  it('refreshes an expired Google token and stores the new one encrypted', async () => {
    google.validRefreshTokens.add('google-refresh-1');
    const { connection, task, userId } = await insertOAuthConnection(harness, {
      platform: 'gsc',
      accessToken: 'old-access',
      refreshToken: 'google-refresh-1',
      expiresAt: new Date(Date.now() - 2 * hourMs),
    });
    await harness.runTask('oauth_token', task.id, userId);

    const stored = await readConnection(userId, connection.id);
    const newToken = google.issued.at(-1)!;
    expect(google.requests.at(-1)).toMatchObject({
      grant_type: 'refresh_token',
      refresh_token: 'google-refresh-1',
      client_id: 'client-id',
    });
    // Stored only encrypted: the column never holds the token, yet it decrypts to exactly the issued one.
    expect(stored.encryptedAccessToken).not.toContain(newToken);
    expect(harness.secretBox.decrypt(stored.encryptedAccessToken, access(userId))).toBe(newToken);
    expect(harness.secretBox.decrypt(stored.encryptedRefreshToken!, refresh(userId))).toBe(
      'google-refresh-1',
    );
    expect(stored.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 0.9 * hourMs);
    expect(stored.lastRefreshedAt).toBeInstanceOf(Date);

    const row = await taskRow(task.id);
    expect(row.consecutiveFailures).toBe(0);
    expect(Math.round((row.nextCheck!.getTime() - row.lastSuccess!.getTime()) / 86_400_000)).toBe(7);
  });

  it('refreshes a Google token that expired days ago when its refresh token is still valid', async () => {
    google.validRefreshTokens.add('google-refresh-old');
    const { connection, task, userId } = await insertOAuthConnection(harness, {
      platform: 'gsc',
      accessToken: 'long-expired',
      refreshToken: 'google-refresh-old',
      expiresAt: new Date(Date.now() - 10 * 24 * hourMs),
    });
    await harness.runTask('oauth_token', task.id, userId);
    expect(
      harness.secretBox.decrypt(
        (await readConnection(userId, connection.id)).encryptedAccessToken,
        access(userId),
      ),
    ).toBe(google.issued.at(-1));
    const logs = await harness.databases.platform.db
      .select()
      .from(oauthTokenExecutionLogs)
      .where(eq(oauthTokenExecutionLogs.taskId, task.id));
    expect(logs).toEqual([
      expect.objectContaining({
        status: 'success',
        resultData: expect.objectContaining({ refreshed: true, refreshReason: 'expired' }) as unknown,
      }),
    ]);
  });

  it('keeps a rotated Bing refresh token', async () => {
    bing.validRefreshTokens.add('bing-refresh-1');
    bing.rotateTo = 'bing-refresh-2';
    const { connection, task, userId } = await insertOAuthConnection(harness, {
      platform: 'bing',
      accessToken: 'old',
      refreshToken: 'bing-refresh-1',
      expiresAt: new Date(Date.now() + 3 * 86_400_000),
    });
    await harness.runTask('oauth_token', task.id, userId);
    expect(
      harness.secretBox.decrypt(
        (await readConnection(userId, connection.id)).encryptedRefreshToken!,
        refresh(userId),
      ),
    ).toBe('bing-refresh-2');
  });

  it('leaves a token valid for more than 7 days alone', async () => {
    const before = google.requests.length;
    const { task, userId } = await insertOAuthConnection(harness, {
      platform: 'gsc',
      accessToken: 'fresh',
      refreshToken: 'unused',
      expiresAt: new Date(Date.now() + 30 * 86_400_000),
    });
    expect(await harness.runTask('oauth_token', task.id, userId)).toEqual({ outcome: 'success' });
    expect(google.requests.length).toBe(before);
  });

  it('marks a revoked grant as needing the user, without retries, and alerts them once', async () => {
    const { connection, task, userId } = await insertOAuthConnection(harness, {
      platform: 'gsc',
      accessToken: 'old',
      refreshToken: 'revoked-refresh',
      expiresAt: new Date(Date.now() - hourMs),
    });
    await expect(harness.runTask('oauth_token', task.id, userId)).rejects.toThrow(/auth_error/);
    const row = await taskRow(task.id);
    expect(row).toMatchObject({
      status: 'needs_intervention',
      consecutiveFailures: 1,
      failurePattern: { lastClass: 'auth_error' },
    });
    expect(row.nextCheck).toBeInstanceOf(Date);
    expect((await readConnection(userId, connection.id)).status).toBe('revoked');
    const alerts = await harness.databases.platform.db
      .select()
      .from(usageAlerts)
      .where(eq(usageAlerts.userId, userId));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ alertType: 'monitoring_needs_intervention', severity: 'critical' });
    expect(JSON.stringify(alerts[0])).not.toContain('revoked-refresh');
    const logs = await harness.databases.platform.db
      .select()
      .from(oauthTokenExecutionLogs)
      .where(eq(oauthTokenExecutionLogs.taskId, task.id));
    expect(logs.map((log) => log.status)).toEqual(['failed']);
  });

  it('classifies WordPress tokens it cannot refresh and alerts on an expiring one', async () => {
    const expiring = await insertOAuthConnection(harness, {
      platform: 'wordpress',
      accessToken: 'wp',
      expiresAt: new Date(Date.now() + 2 * 86_400_000),
    });
    await harness.runTask('oauth_token', expiring.task.id, expiring.userId);
    const alerts = await harness.databases.platform.db
      .select()
      .from(usageAlerts)
      .where(eq(usageAlerts.userId, expiring.userId));
    expect(alerts.map((alert) => alert.alertType)).toEqual(['oauth_token_expiring']);

    const expired = await insertOAuthConnection(harness, {
      platform: 'wordpress',
      accessToken: 'wp',
      expiresAt: new Date(Date.now() - hourMs),
    });
    await expect(harness.runTask('oauth_token', expired.task.id, expired.userId)).rejects.toThrow(
      /WordPress token has expired/,
    );
    expect((await taskRow(expired.task.id)).status).toBe('needs_intervention');
    expect((await readConnection(expired.userId, expired.connection.id)).status).toBe('expired');
  });

  it('refreshes a Wix token through its OAuth app instead of logging a weekly skipped', async () => {
    wix.validRefreshTokens.add('wix-refresh-1');
    const { connection, task, userId } = await insertOAuthConnection(harness, {
      platform: 'wix',
      accessToken: 'wix-old',
      refreshToken: 'wix-refresh-1',
      expiresAt: new Date(Date.now() - hourMs),
    });
    await harness.runTask('oauth_token', task.id, userId);
    const logs = await harness.databases.platform.db
      .select()
      .from(oauthTokenExecutionLogs)
      .where(eq(oauthTokenExecutionLogs.taskId, task.id));
    expect(logs).toMatchObject([{ status: 'success', resultData: { refreshed: true } }]);
    expect(
      harness.secretBox.decrypt(
        (await readConnection(userId, connection.id)).encryptedAccessToken,
        access(userId),
      ),
    ).toBe(wix.issued.at(-1));
  });

  it('serialises two concurrent refreshes of one rotating Bing connection: one valid refresh token, not revoked', async () => {
    const rotating = await startOAuthSimulator();
    rotating.rotateRefreshTokens = true;
    rotating.validRefreshTokens.add('bing-rotating-1');
    const runtime = await startWorkerHarness({
      consume: [queueNames.oauthTokenMonitoring],
      env: {
        BING_OAUTH_TOKEN_URL: rotating.tokenUrl,
        BING_CLIENT_ID: 'client-id',
        BING_CLIENT_SECRET: 'client-secret',
        WORKER_CONCURRENCY_OAUTH: '4',
      },
    });
    try {
      const { connection, task, userId } = await insertOAuthConnection(runtime, {
        platform: 'bing',
        accessToken: 'refused-access',
        refreshToken: 'bing-rotating-1',
        expiresAt: new Date(Date.now() + hourMs),
      });
      const forced = (dueAt: number) =>
        runtime.runtime.queues.enqueueMonitoringTask({
          type: 'oauth_token',
          taskId: task.id,
          userId,
          reason: 'unauthorized',
          dueAt,
        });
      // Two platform refusals seen at the same moment by two insights jobs: two jobs of one connection on a worker
      // that runs four at once. Unserialised, both would present the same token and the loser get invalid_grant.
      const seenAt = Date.now();
      const jobs = await Promise.all([forced(seenAt), forced(seenAt + 1)]);
      const events = runtime.events.get(queueNames.oauthTokenMonitoring)!;
      await Promise.all(
        jobs.map(async ({ jobId }) =>
          (await runtime.runtime.queues
            .queue(queueNames.oauthTokenMonitoring)
            .getJob(jobId))!.waitUntilFinished(events, 30_000),
        ),
      );
      const stored = await withUser(runtime.databases.userdata, userId, (transaction) =>
        transaction.select().from(oauthConnections).where(eq(oauthConnections.id, connection.id)),
      );
      expect(stored[0]!.status).toBe('active');
      const storedRefresh = runtime.secretBox.decrypt(stored[0]!.encryptedRefreshToken!, refresh(userId));
      // The platform holds exactly one valid refresh token, and it is the one we stored.
      expect([...rotating.validRefreshTokens]).toEqual([storedRefresh]);
      expect(rotating.requests.filter((request) => request.grant_type === 'refresh_token').length).toBe(1);
      const [row] = await runtime.databases.platform.db
        .select()
        .from(oauthTokenMonitoringTasks)
        .where(eq(oauthTokenMonitoringTasks.id, task.id));
      expect(row!.status).toBe('active');
    } finally {
      await runtime.close();
      await rotating.close();
    }
  });

  it('tells an interrupted rotation apart from a revoked grant', async () => {
    const { connection, task, userId } = await insertOAuthConnection(harness, {
      platform: 'bing',
      accessToken: 'old',
      refreshToken: 'bing-lost-1',
      expiresAt: new Date(Date.now() - hourMs),
    });
    // A worker killed after Bing rotated `bing-lost-1` and before the commit: the platform no longer accepts it
    // (it is not in the valid set), and that refresh's in-flight note is still in Redis.
    const redis = new Redis(redisUrl);
    await redis.set(
      `${harness.prefix}:oauth-refresh-inflight:${connection.id}`,
      createHash('sha256').update('bing-lost-1').digest('base64url'),
    );
    await redis.quit();
    await expect(harness.runTask('oauth_token', task.id, userId)).rejects.toThrow(/interrupted/);
    expect((await readConnection(userId, connection.id)).status).toBe('error');
    expect((await taskRow(task.id)).status).toBe('needs_intervention');
  });
});
