import { eq } from '@switchyard/db';
import {
  platformInsights,
  platformInsightsExecutionLogs,
  platformInsightsTasks,
} from '@switchyard/db/platform';
import { monitoringJobId, queueNames } from '@switchyard/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  insertInsightsTask,
  insertOAuthConnection,
  startWorkerHarness,
  type WorkerHarness,
} from '../helper.js';
import { startOAuthSimulator, type OAuthSimulator } from '../simulators/oauth-server.js';
import {
  startSearchPlatformsSimulator,
  type SearchPlatformsSimulator,
} from '../simulators/search-platforms-server.js';

let harness: WorkerHarness;
let google: OAuthSimulator;
let platforms: SearchPlatformsSimulator;

beforeAll(async () => {
  [google, platforms] = await Promise.all([startOAuthSimulator(), startSearchPlatformsSimulator()]);
  platforms.alsoAccept = (token) => google.issued.includes(token);
  harness = await startWorkerHarness({
    consume: [queueNames.platformInsights, queueNames.oauthTokenMonitoring],
    env: {
      GOOGLE_OAUTH_TOKEN_URL: google.tokenUrl,
      GOOGLE_CLIENT_ID: 'client-id',
      GOOGLE_CLIENT_SECRET: 'client-secret',
      GSC_API_BASE_URL: platforms.gscBaseUrl,
      BING_WEBMASTER_API_BASE_URL: platforms.bingBaseUrl,
    },
  });
});

afterAll(async () => {
  await harness?.close();
  await Promise.all([google?.close(), platforms?.close()]);
});

async function logsOf(taskId: string) {
  return harness.databases.platform.db
    .select()
    .from(platformInsightsExecutionLogs)
    .where(eq(platformInsightsExecutionLogs.taskId, taskId));
}

async function taskRow(taskId: string) {
  const [row] = await harness.databases.platform.db
    .select()
    .from(platformInsightsTasks)
    .where(eq(platformInsightsTasks.id, taskId));
  return row!;
}

describe('platform insights processor', () => {
  it('stores a Search Console snapshot, then reuses it while it is younger than 24 hours', async () => {
    platforms.acceptedTokens.add('gsc-token-1');
    const { userId } = await insertOAuthConnection(harness, {
      platform: 'gsc',
      accessToken: 'gsc-token-1',
      refreshToken: 'r',
      expiresAt: new Date(Date.now() + 30 * 86_400_000),
    });
    const task = await insertInsightsTask(harness, { userId, platform: 'gsc' });
    await harness.runTask('platform_insights', task.id, userId);

    const calls = platforms.requests.filter((request) => request.authorization === 'Bearer gsc-token-1');
    expect(calls.map((call) => (call.body as { dimensions: string[] }).dimensions)).toEqual([
      ['date'],
      [],
      ['query'],
    ]);
    expect(calls[0]?.body).toMatchObject({ rowLimit: 1000 });
    const [snapshot] = await harness.databases.platform.db
      .select()
      .from(platformInsights)
      .where(eq(platformInsights.taskId, task.id));
    expect(snapshot).toMatchObject({
      platform: 'gsc',
      dataSource: 'api',
      snapshot: { totals: { rows: [{ clicks: 120 }] } },
    });

    await harness.runTask('platform_insights', task.id, userId);
    expect(
      platforms.requests.filter((request) => request.authorization === 'Bearer gsc-token-1'),
    ).toHaveLength(3);
    expect((await logsOf(task.id)).map((log) => [log.status, log.dataSource])).toEqual([
      ['success', 'api'],
      ['success', 'cached'],
    ]);
  });

  it('fetches Bing query, rank and traffic stats', async () => {
    platforms.acceptedTokens.add('bing-token-1');
    const { userId } = await insertOAuthConnection(harness, {
      platform: 'bing',
      accessToken: 'bing-token-1',
      refreshToken: 'r',
      expiresAt: null,
    });
    const task = await insertInsightsTask(harness, { userId, platform: 'bing' });
    await harness.runTask('platform_insights', task.id, userId);
    const [snapshot] = await harness.databases.platform.db
      .select()
      .from(platformInsights)
      .where(eq(platformInsights.taskId, task.id));
    expect(Object.keys(snapshot!.snapshot)).toEqual(['queryStats', 'rankAndTraffic']);
  });

  it('on a 401 has the token refreshed through the OAuth queue and retries once with the new token', async () => {
    google.validRefreshTokens.add('refresh-for-401');
    const { userId } = await insertOAuthConnection(harness, {
      platform: 'gsc',
      accessToken: 'revoked-by-google',
      refreshToken: 'refresh-for-401',
      expiresAt: new Date(Date.now() + 30 * 86_400_000),
      siteUrl: 'https://refresh.example/',
    });
    const task = await insertInsightsTask(harness, {
      userId,
      platform: 'gsc',
      siteUrl: 'https://refresh.example/',
    });
    await harness.runTask('platform_insights', task.id, userId);
    const issued = google.issued.at(-1)!;
    expect(platforms.requests.some((request) => request.authorization === `Bearer ${issued}`)).toBe(true);
    const logs = await logsOf(task.id);
    expect(logs).toMatchObject([{ status: 'success', resultData: { refreshedAfterUnauthorized: true } }]);
  });

  it('retries a failed insights task after its backoff', async () => {
    platforms.acceptedTokens.add('gsc-token-outage');
    const { userId } = await insertOAuthConnection(harness, {
      platform: 'gsc',
      accessToken: 'gsc-token-outage',
      refreshToken: 'r',
      expiresAt: null,
      siteUrl: 'https://outage.example/',
    });
    const task = await insertInsightsTask(harness, {
      userId,
      platform: 'gsc',
      siteUrl: 'https://outage.example/',
    });
    platforms.failNext(2, 503);
    await expect(harness.runTask('platform_insights', task.id, userId)).rejects.toThrow(/network_error/);
    const failed = await taskRow(task.id);
    expect(failed).toMatchObject({ status: 'active', consecutiveFailures: 1 });
    const retryAt = failed.nextCheck!;
    expect(retryAt.getTime()).toBeGreaterThan(Date.now());

    const early = await harness.runtime.dispatcher.runCycle(new Date(retryAt.getTime() - 1_000));
    expect(early.byType.platform_insights.found).toBe(0);

    const due = await harness.runtime.dispatcher.runCycle(new Date(retryAt.getTime() + 1_000));
    expect(due.byType.platform_insights).toMatchObject({ found: 1, enqueued: 1 });
    const jobId = monitoringJobId('platform_insights', task.id, 'scheduled', retryAt.getTime());
    const job = await harness.runtime.queues.queue(queueNames.platformInsights).getJob(jobId);
    await job!.waitUntilFinished(harness.events.get(queueNames.platformInsights)!, 30_000);

    expect((await logsOf(task.id)).map((log) => log.status)).toEqual(['failed', 'failed', 'success']);
    const recovered = await taskRow(task.id);
    expect(recovered).toMatchObject({ status: 'active', consecutiveFailures: 0, failureReason: null });
  });

  it('sets needs_intervention after 3 consecutive failed runs', async () => {
    platforms.acceptedTokens.add('gsc-token-down');
    const { userId } = await insertOAuthConnection(harness, {
      platform: 'gsc',
      accessToken: 'gsc-token-down',
      refreshToken: 'r',
      expiresAt: null,
      siteUrl: 'https://down.example/',
    });
    const task = await insertInsightsTask(harness, {
      userId,
      platform: 'gsc',
      siteUrl: 'https://down.example/',
    });
    for (let run = 1; run <= 3; run += 1) {
      platforms.failNext(2, 500);
      await expect(harness.runTask('platform_insights', task.id, userId)).rejects.toThrow(/network_error/);
    }
    expect(await taskRow(task.id)).toMatchObject({ status: 'needs_intervention', consecutiveFailures: 3 });
  });
});
