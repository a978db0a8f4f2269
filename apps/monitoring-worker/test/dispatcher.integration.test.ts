import { randomUUID } from 'node:crypto';
import { createPlatformDb, eq } from '@switchyard/db';
import { oauthTokenMonitoringTasks, schedulerEventLogs, websiteAnalysisTasks } from '@switchyard/db/platform';
import { createQueues, createRedisConnection, queueNames } from '@switchyard/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../src/dispatcher.js';
import { redisUrl, startWorkerHarness, type WorkerHarness } from './helper.js';

let harness: WorkerHarness;
const past = new Date(Date.now() - 3_600_000);
const future = new Date(Date.now() + 86_400_000);

beforeAll(async () => {
  harness = await startWorkerHarness({ consume: [] });
});

afterAll(async () => {
  await harness?.close();
});

async function seed(count: number, values: { nextCheck: Date | null; status?: 'active' | 'paused' }) {
  const rows = Array.from({ length: count }, () => ({
    userId: randomUUID(),
    websiteUrl: `https://${randomUUID()}.example/`,
    taskType: 'competitor' as const,
    nextCheck: values.nextCheck,
    status: values.status ?? 'active',
  }));
  return harness.databases.platform.db
    .insert(websiteAnalysisTasks)
    .values(rows)
    .returning({ id: websiteAnalysisTasks.id });
}

async function waitingJobIds(queue: (typeof queueNames)[keyof typeof queueNames]) {
  const jobs = await harness.runtime.queues.queue(queue).getJobs(['waiting', 'delayed', 'prioritized']);
  return jobs.map((job) => job.id);
}

describe('dispatcher', () => {
  it('enqueues each due task once even when two dispatchers race, and never paused or future tasks', async () => {
    const due = [...(await seed(40, { nextCheck: past })), ...(await seed(10, { nextCheck: null }))];
    await seed(10, { nextCheck: future });
    await seed(5, { nextCheck: past, status: 'paused' });
    await harness.databases.platform.db
      .insert(oauthTokenMonitoringTasks)
      .values({ userId: randomUUID(), platform: 'gsc', connectionId: randomUUID(), nextCheck: past });

    // A second dispatcher process: its own pool and Redis connection, same database and queues.
    const otherPool = createPlatformDb(harness.databases.config.platformUrl, { poolMax: 2 });
    const otherConnection = createRedisConnection(redisUrl, { role: 'producer' });
    const otherQueues = createQueues(otherConnection, { prefix: harness.prefix });
    const other = createDispatcher({
      db: otherPool.db,
      queues: otherQueues,
      batchSize: 1_000,
      leaseMs: 600_000,
    });
    try {
      const [first, second] = await Promise.all([harness.runtime.dispatcher.runCycle(), other.runCycle()]);
      expect(first.byType.website_analysis.enqueued + second.byType.website_analysis.enqueued).toBe(50);
      expect(first.byType.oauth_token.enqueued + second.byType.oauth_token.enqueued).toBe(1);

      const jobIds = await waitingJobIds(queueNames.websiteAnalysis);
      expect(jobIds).toHaveLength(50);
      expect(new Set(jobIds.map((id) => id?.split('.')[1]))).toEqual(new Set(due.map((task) => task.id)));

      // The lease moved next_check ahead: an immediate re-run finds nothing.
      const again = await other.runCycle();
      expect(again.found).toBe(0);
      expect(await waitingJobIds(queueNames.websiteAnalysis)).toHaveLength(50);
    } finally {
      await otherQueues.close();
      otherConnection.disconnect();
      await otherPool.close();
    }

    const events = await harness.databases.platform.db
      .select()
      .from(schedulerEventLogs)
      .where(eq(schedulerEventLogs.queue, queueNames.websiteAnalysis));
    expect(events).toHaveLength(3);
    expect(events.reduce((sum, event) => sum + event.enqueued, 0)).toBe(50);
    expect(events.every((event) => event.durationMs >= 0)).toBe(true);
  });

  it('does not enqueue a second job when a claimed task comes back with the same due slot', async () => {
    const [task] = await seed(1, { nextCheck: past });
    const before = (await waitingJobIds(queueNames.websiteAnalysis)).length;
    const first = await harness.runtime.dispatcher.runCycle();
    expect(first.byType.website_analysis).toMatchObject({ found: 1, enqueued: 1 });
    // As if the commit after enqueueing had been lost: the row is due again with its old next_check.
    await harness.databases.platform.db
      .update(websiteAnalysisTasks)
      .set({ nextCheck: past })
      .where(eq(websiteAnalysisTasks.id, task!.id));
    const second = await harness.runtime.dispatcher.runCycle();
    expect(second.byType.website_analysis).toMatchObject({ found: 1, enqueued: 0, skipped: 1 });
    expect(await waitingJobIds(queueNames.websiteAnalysis)).toHaveLength(before + 1);
  });
});
