import { and, eq } from '@switchyard/db';
import { usageAlerts, websiteAnalysisTasks } from '@switchyard/db/platform';
import { queueNames } from '@switchyard/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  insertOAuthConnection,
  insertWebsiteTask,
  startWorkerHarness,
  type WorkerHarness,
} from '../helper.js';

let harness: WorkerHarness;
beforeAll(async () => {
  harness = await startWorkerHarness({
    consume: [queueNames.oauthTokenMonitoring, queueNames.websiteAnalysis],
    // Every visit fails as an unreachable site would.
    fetcher: {
      fetch: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
      close: () => Promise.resolve(),
    },
  });
});
afterAll(async () => {
  await harness?.close();
});

const alertsOf = (userId: string, alertType: (typeof usageAlerts.$inferSelect)['alertType']) =>
  harness.databases.platform.db
    .select()
    .from(usageAlerts)
    .where(and(eq(usageAlerts.userId, userId), eq(usageAlerts.alertType, alertType)));

describe('alerts are raised once per condition', () => {
  it('warns once about an expiring WordPress connection over several weekly runs', async () => {
    const { task, userId } = await insertOAuthConnection(harness, {
      platform: 'wordpress',
      accessToken: 'wp',
      expiresAt: new Date(Date.now() + 2 * 86_400_000),
    });
    for (let run = 0; run < 3; run += 1) await harness.runTask('oauth_token', task.id, userId);
    expect(await alertsOf(userId, 'oauth_token_expiring')).toHaveLength(1);
  });

  it('alerts once when a task needs intervention, not on each failure after, nor after a resume that fails again', async () => {
    const task = await insertWebsiteTask(harness, { websiteUrl: 'http://127.0.0.1:9/' });
    const runFailing = () =>
      expect(harness.runTask('website_analysis', task.id, task.userId)).rejects.toThrow(/network_error/);
    for (let run = 0; run < 5; run += 1) await runFailing();
    const [row] = await harness.databases.platform.db
      .select()
      .from(websiteAnalysisTasks)
      .where(eq(websiteAnalysisTasks.id, task.id));
    expect(row).toMatchObject({ status: 'needs_intervention', consecutiveFailures: 5 });
    expect(await alertsOf(task.userId, 'monitoring_needs_intervention')).toHaveLength(1);

    // The user resumes it without fixing anything; while the first alert is open, no second one.
    await harness.databases.platform.db
      .update(websiteAnalysisTasks)
      .set({ status: 'active', consecutiveFailures: 0 })
      .where(eq(websiteAnalysisTasks.id, task.id));
    for (let run = 0; run < 3; run += 1) await runFailing();
    expect(await alertsOf(task.userId, 'monitoring_needs_intervention')).toHaveLength(1);
  });
});
