import { randomUUID } from 'node:crypto';
import { eq } from '@switchyard/db';
import { onboardingSessions, websiteAnalysisTasks } from '@switchyard/db/platform';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerRuntime } from '../../src/worker-runtime.js';
import { startWorkerHarness, testConfig, type WorkerHarness } from '../helper.js';

let harness: WorkerHarness;
beforeAll(async () => {
  harness = await startWorkerHarness({ consume: [] });
});
afterAll(async () => {
  await harness?.close();
});

/** Starts (and stops) one more worker runtime on the harness's databases; returns what it logged. */
async function bootWorker() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const runtime = await createWorkerRuntime(testConfig({ REDIS_KEY_PREFIX: harness.prefix }), {
    platform: harness.databases.platform,
    userdata: harness.databases.userdata,
    llm: { chat: () => Promise.reject(new Error('no LLM in this test')) },
    logger,
    consume: [],
  });
  await runtime.close(1_000);
  return { restored: runtime.restored, lines };
}

describe('worker startup', () => {
  it('restores the website tasks a completed onboarding should have and lacks, and logs them', async () => {
    const { db } = harness.databases.platform;
    const completed = randomUUID();
    const unfinished = randomUUID();
    await db.insert(onboardingSessions).values([
      {
        userId: completed,
        status: 'completed',
        completedAt: new Date(),
        websiteUrl: 'https://acme.example/',
        competitors: ['https://rival-a.example/', 'https://rival-b.example/'],
      },
      { userId: unfinished, status: 'in_progress', websiteUrl: 'https://half.example/' },
    ]);
    // One of the three still exists (paused by its user): it is left as it is.
    await db.insert(websiteAnalysisTasks).values({
      userId: completed,
      websiteUrl: 'https://rival-a.example/',
      taskType: 'competitor',
      status: 'paused',
    });

    const first = await bootWorker();
    expect(first.restored.map((task) => [task.taskType, task.websiteUrl]).sort()).toEqual([
      ['competitor', 'https://rival-b.example/'],
      ['user_website', 'https://acme.example/'],
    ]);
    const logged = first.lines.find((line) =>
      line.msg?.toString().startsWith('restored website-analysis tasks'),
    );
    expect(logged).toMatchObject({ count: 2 });
    const tasks = await db
      .select()
      .from(websiteAnalysisTasks)
      .where(eq(websiteAnalysisTasks.userId, completed));
    expect(tasks.map((task) => [task.websiteUrl, task.status]).sort()).toEqual([
      ['https://acme.example/', 'active'],
      ['https://rival-a.example/', 'paused'],
      ['https://rival-b.example/', 'active'],
    ]);
    // Due now, so the dispatcher runs them.
    expect(
      tasks.find((task) => task.websiteUrl === 'https://acme.example/')!.nextCheck!.getTime(),
    ).toBeLessThanOrEqual(Date.now());
    const notCompleted = await db
      .select()
      .from(websiteAnalysisTasks)
      .where(eq(websiteAnalysisTasks.userId, unfinished));
    expect(notCompleted).toEqual([]);

    const second = await bootWorker();
    expect(second.restored).toEqual([]);
  });
});
