import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from '../../src/index.js';
import { ensureConnectionTasks, pauseConnectionTasks } from '../../src/provisioning/index.js';
import {
  oauthTokenMonitoringTasks,
  onboardingSessions,
  platformInsightsTasks,
} from '../../src/platform/index.js';
import { createTestDatabases, type TestDatabases } from '../../src/testing/index.js';

let databases: TestDatabases;
beforeAll(async () => {
  databases = await createTestDatabases();
});
afterAll(async () => {
  await databases.drop();
});

async function tasksOf(userId: string) {
  const db = databases.platform.db;
  return {
    oauth: await db
      .select()
      .from(oauthTokenMonitoringTasks)
      .where(eq(oauthTokenMonitoringTasks.userId, userId)),
    insights: await db.select().from(platformInsightsTasks).where(eq(platformInsightsTasks.userId, userId)),
  };
}

describe('ensureConnectionTasks', () => {
  it('creates the token and insights tasks once, however often it is called', async () => {
    const userId = randomUUID();
    const input = {
      userId,
      connectionId: randomUUID(),
      platform: 'gsc' as const,
      siteUrl: 'https://a.example/',
    };
    const first = await ensureConnectionTasks(databases.platform.db, input);
    const [second] = await Promise.all([
      ensureConnectionTasks(databases.platform.db, input),
      ensureConnectionTasks(databases.platform.db, input),
    ]);
    expect(second.oauthTask.id).toBe(first.oauthTask.id);
    expect(second.insightsTask?.id).toBe(first.insightsTask?.id);
    const tasks = await tasksOf(userId);
    expect(tasks.oauth).toHaveLength(1);
    expect(tasks.insights).toEqual([
      expect.objectContaining({ platform: 'gsc', siteUrl: 'https://a.example/', status: 'active' }),
    ]);
  });

  it('reactivates a paused or needs_intervention task with its failures reset', async () => {
    const userId = randomUUID();
    const input = {
      userId,
      connectionId: randomUUID(),
      platform: 'bing' as const,
      siteUrl: 'https://b.example/',
    };
    const created = await ensureConnectionTasks(databases.platform.db, input);
    await databases.platform.db
      .update(oauthTokenMonitoringTasks)
      .set({
        status: 'needs_intervention',
        consecutiveFailures: 4,
        failureReason: 'invalid_grant',
        nextCheck: null,
      })
      .where(eq(oauthTokenMonitoringTasks.id, created.oauthTask.id));
    expect(await pauseConnectionTasks(databases.platform.db, { ...input })).toBe(2);
    expect((await tasksOf(userId)).insights[0]!.status).toBe('paused');

    await ensureConnectionTasks(databases.platform.db, { ...input, siteUrl: undefined });
    const tasks = await tasksOf(userId);
    expect(tasks.oauth[0]).toMatchObject({ status: 'active', consecutiveFailures: 0, failureReason: null });
    expect(tasks.oauth[0]!.nextCheck).toBeInstanceOf(Date);
    // Without a site given, the reconnect finds the site its insights task already had.
    expect(tasks.insights).toEqual([
      expect.objectContaining({ siteUrl: 'https://b.example/', status: 'active' }),
    ]);
  });

  it('takes the insights site from onboarding, and creates no insights task without a site or for WordPress', async () => {
    const userId = randomUUID();
    const none = await ensureConnectionTasks(databases.platform.db, {
      userId,
      connectionId: randomUUID(),
      platform: 'gsc',
    });
    expect(none.insightsTask).toBeNull();
    await databases.platform.db
      .insert(onboardingSessions)
      .values({ userId, status: 'in_progress', websiteUrl: 'https://onboarded.example/' });
    const withSite = await ensureConnectionTasks(databases.platform.db, {
      userId,
      connectionId: randomUUID(),
      platform: 'gsc',
    });
    expect(withSite.siteUrl).toBe('https://onboarded.example/');
    const wordpress = await ensureConnectionTasks(databases.platform.db, {
      userId,
      connectionId: randomUUID(),
      platform: 'wordpress',
      siteUrl: 'https://blog.example/',
    });
    expect(wordpress.insightsTask).toBeNull();
    expect((await tasksOf(userId)).oauth).toHaveLength(3);
  });
});
