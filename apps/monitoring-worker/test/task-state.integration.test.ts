import { randomUUID } from 'node:crypto';
import { eq } from '@switchyard/db';
import {
  usageAlerts,
  websiteAnalyses,
  websiteAnalysisExecutionLogs,
  websiteAnalysisTasks,
} from '@switchyard/db/platform';
import { createTestDatabases, type TestDatabases } from '@switchyard/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskState, type StoredFailurePattern, type TaskOutcome } from '../src/task-state/index.js';

let databases: TestDatabases;

beforeAll(async () => {
  databases = await createTestDatabases();
});

afterAll(async () => {
  await databases?.drop();
});

async function insertTask() {
  const [task] = await databases.platform.db
    .insert(websiteAnalysisTasks)
    .values({
      userId: randomUUID(),
      websiteUrl: 'https://acme.example/',
      taskType: 'user_website',
      frequencyDays: 30,
    })
    .returning();
  return task!;
}

function success(taskId: string, userId: string): TaskOutcome {
  return {
    status: 'success',
    resultData: { url: 'https://acme.example/' },
    nextCheckAt: new Date(Date.now() + 30 * 86_400_000),
    result: {
      table: 'website_analyses',
      idKey: 'analysisId',
      row: { task_id: taskId, user_id: userId, url: 'https://acme.example/', fetched_data: { status: 200 } },
    },
  };
}

describe('task state with asynchronous commit', () => {
  const taskState = () =>
    createTaskState({
      platform: databases.platform,
      retry: { baseMs: 1_000, maxMs: 10_000 },
      asynchronousCommit: true,
    });

  it('records a success, its result row and the task row in one statement', async () => {
    const task = await insertTask();
    const state = taskState();
    const begun = await state.begin('website_analysis', task.id, {
      jobId: `job-${task.id}`,
      dueAt: Date.now(),
      attempt: 1,
    });
    if (begun.outcome !== 'run') throw new Error(`expected run, got ${begun.outcome}`);
    expect(
      await state.finish('website_analysis', task.id, begun.logId, Date.now(), success(task.id, task.userId)),
    ).toBe('success');

    const [analysis] = await databases.platform.db
      .select()
      .from(websiteAnalyses)
      .where(eq(websiteAnalyses.taskId, task.id));
    const [log] = await databases.platform.db
      .select()
      .from(websiteAnalysisExecutionLogs)
      .where(eq(websiteAnalysisExecutionLogs.taskId, task.id));
    expect(log).toMatchObject({
      status: 'success',
      resultData: { analysisId: analysis!.id, url: 'https://acme.example/' },
    });
    const [row] = await databases.platform.db
      .select()
      .from(websiteAnalysisTasks)
      .where(eq(websiteAnalysisTasks.id, task.id));
    expect(row!.lastSuccess).toBeInstanceOf(Date);
  });

  it('records nothing when the attempt log is gone (a begin lost in a database crash), so the job is retried', async () => {
    const task = await insertTask();
    const state = taskState();
    const begun = await state.begin('website_analysis', task.id, {
      jobId: `job-${task.id}`,
      dueAt: Date.now(),
      attempt: 1,
    });
    if (begun.outcome !== 'run') throw new Error(`expected run, got ${begun.outcome}`);
    await databases.platform.db
      .delete(websiteAnalysisExecutionLogs)
      .where(eq(websiteAnalysisExecutionLogs.id, begun.logId));

    await expect(
      state.finish('website_analysis', task.id, begun.logId, Date.now(), success(task.id, task.userId)),
    ).rejects.toThrow(/is gone/);
    expect(
      await databases.platform.db.select().from(websiteAnalyses).where(eq(websiteAnalyses.taskId, task.id)),
    ).toHaveLength(0);
    const [row] = await databases.platform.db
      .select()
      .from(websiteAnalysisTasks)
      .where(eq(websiteAnalysisTasks.id, task.id));
    expect(row).toMatchObject({ lastSuccess: null, lastCheck: null });
  });
});

describe('task state failures', () => {
  const taskState = () =>
    createTaskState({ platform: databases.platform, retry: { baseMs: 1_000, maxMs: 10_000 } });
  const networkFailure = {
    failureClass: 'network_error' as const,
    needsUser: false,
    retryable: true,
    message: 'the website answered 503',
  };

  it('leaves the task row alone on an attempt BullMQ will retry', async () => {
    const task = await insertTask();
    const state = taskState();
    const begun = await state.begin('website_analysis', task.id, {
      jobId: `job-${task.id}`,
      dueAt: Date.now(),
      attempt: 1,
    });
    if (begun.outcome !== 'run') throw new Error(`expected run, got ${begun.outcome}`);
    expect(await state.fail('website_analysis', task.id, begun.logId, networkFailure, false)).toEqual({
      consecutiveFailures: 0,
      nextCheckAt: undefined,
      needsIntervention: false,
    });

    const [log] = await databases.platform.db
      .select()
      .from(websiteAnalysisExecutionLogs)
      .where(eq(websiteAnalysisExecutionLogs.id, begun.logId));
    expect(log).toMatchObject({
      status: 'failed',
      errorMessage: 'the website answered 503',
      resultData: { failureClass: 'network_error', willRetry: true },
    });
    const [row] = await databases.platform.db
      .select()
      .from(websiteAnalysisTasks)
      .where(eq(websiteAnalysisTasks.id, task.id));
    expect(row).toMatchObject({ consecutiveFailures: 0, lastFailure: null, status: 'active' });
  });

  it('counts the fifth final failure in 7 days, forgets older ones, and asks for a person once', async () => {
    const task = await insertTask();
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    const recent = [8, 6, 5, 3, 1].map((days) => ({ at: daysAgo(days), failureClass: 'network_error' }));
    await databases.platform.db
      .update(websiteAnalysisTasks)
      .set({ failurePattern: { recent, byClass: { network_error: 5 }, lastClass: 'network_error' } })
      .where(eq(websiteAnalysisTasks.id, task.id));
    const state = taskState();
    const begun = await state.begin('website_analysis', task.id, {
      jobId: `job-${task.id}`,
      dueAt: Date.now(),
      attempt: 3,
    });
    if (begun.outcome !== 'run') throw new Error(`expected run, got ${begun.outcome}`);
    const result = await state.fail(
      'website_analysis',
      task.id,
      begun.logId,
      { ...networkFailure, failureClass: 'api_limit' },
      true,
    );
    expect(result).toMatchObject({ consecutiveFailures: 1, needsIntervention: true });

    const [row] = await databases.platform.db
      .select()
      .from(websiteAnalysisTasks)
      .where(eq(websiteAnalysisTasks.id, task.id));
    expect(row).toMatchObject({
      status: 'needs_intervention',
      consecutiveFailures: 1,
      failureReason: 'api_limit: the website answered 503',
    });
    const pattern = row!.failurePattern as unknown as StoredFailurePattern;
    // The 8-day-old entry is gone; the new one is last, stored as an ISO timestamp like the others.
    expect(pattern.recent.map((entry) => entry.at)).toEqual([
      ...recent.slice(1).map((entry) => entry.at),
      row!.lastFailure!.toISOString(),
    ]);
    expect(pattern).toMatchObject({ byClass: { network_error: 5, api_limit: 1 }, lastClass: 'api_limit' });
    expect(row!.nextCheck!.getTime()).toBe(result.nextCheckAt!.getTime());
    const delay = row!.nextCheck!.getTime() - row!.lastFailure!.getTime();
    expect(delay).toBeGreaterThanOrEqual(800);
    expect(delay).toBeLessThanOrEqual(1_200);

    const alertsOf = () =>
      databases.platform.db.select().from(usageAlerts).where(eq(usageAlerts.userId, task.userId));
    expect(await alertsOf()).toMatchObject([
      {
        alertType: 'monitoring_needs_intervention',
        severity: 'warning',
        message: 'A website analysis monitoring task failed 5 times in 7 days.',
        details: {
          taskType: 'website_analysis',
          taskId: task.id,
          failureClass: 'api_limit',
          consecutiveFailures: 1,
        },
      },
    ]);

    // Already waiting for a person: a further failure backs off again but does not alert twice.
    const again = await state.begin('website_analysis', task.id, {
      jobId: `job-2-${task.id}`,
      dueAt: Date.now(),
      attempt: 1,
    });
    if (again.outcome !== 'run') throw new Error(`expected run, got ${again.outcome}`);
    expect(await state.fail('website_analysis', task.id, again.logId, networkFailure, true)).toMatchObject({
      consecutiveFailures: 2,
      needsIntervention: true,
    });
    expect(await alertsOf()).toHaveLength(1);
  });
});
