import { randomUUID } from 'node:crypto';
import { eq } from '@switchyard/db';
import { websiteAnalyses, websiteAnalysisExecutionLogs, websiteAnalysisTasks } from '@switchyard/db/platform';
import { createTestDatabases, type TestDatabases } from '@switchyard/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskState, type TaskOutcome } from '../src/task-state.js';

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
    .values({ userId: randomUUID(), websiteUrl: 'https://acme.example/', taskType: 'user_website', frequencyDays: 30 })
    .returning();
  return task!;
}

function success(taskId: string, userId: string): TaskOutcome {
  return {
    status: 'success',
    resultData: { url: 'https://acme.example/' },
    nextCheckAt: new Date(Date.now() + 30 * 86_400_000),
    result: { table: 'website_analyses', idKey: 'analysisId', row: { task_id: taskId, user_id: userId, url: 'https://acme.example/', fetched_data: { status: 200 } } },
  };
}

describe('task state with asynchronous commit', () => {
  const taskState = () => createTaskState({ platform: databases.platform, retry: { baseMs: 1_000, maxMs: 10_000 }, asynchronousCommit: true });

  it('records a success, its result row and the task row in one statement', async () => {
    const task = await insertTask();
    const state = taskState();
    const begun = await state.begin('website_analysis', task.id, { jobId: `job-${task.id}`, dueAt: Date.now(), attempt: 1 });
    if (begun.outcome !== 'run') throw new Error(`expected run, got ${begun.outcome}`);
    expect(await state.finish('website_analysis', task.id, begun.logId, Date.now(), success(task.id, task.userId))).toBe('success');

    const [analysis] = await databases.platform.db.select().from(websiteAnalyses).where(eq(websiteAnalyses.taskId, task.id));
    const [log] = await databases.platform.db.select().from(websiteAnalysisExecutionLogs).where(eq(websiteAnalysisExecutionLogs.taskId, task.id));
    expect(log).toMatchObject({ status: 'success', resultData: { analysisId: analysis!.id, url: 'https://acme.example/' } });
    const [row] = await databases.platform.db.select().from(websiteAnalysisTasks).where(eq(websiteAnalysisTasks.id, task.id));
    expect(row!.lastSuccess).toBeInstanceOf(Date);
  });

  it('records nothing when the attempt log is gone (a begin lost in a database crash), so the job is retried', async () => {
    const task = await insertTask();
    const state = taskState();
    const begun = await state.begin('website_analysis', task.id, { jobId: `job-${task.id}`, dueAt: Date.now(), attempt: 1 });
    if (begun.outcome !== 'run') throw new Error(`expected run, got ${begun.outcome}`);
    await databases.platform.db.delete(websiteAnalysisExecutionLogs).where(eq(websiteAnalysisExecutionLogs.id, begun.logId));

    await expect(state.finish('website_analysis', task.id, begun.logId, Date.now(), success(task.id, task.userId))).rejects.toThrow(/is gone/);
    expect(await databases.platform.db.select().from(websiteAnalyses).where(eq(websiteAnalyses.taskId, task.id))).toHaveLength(0);
    const [row] = await databases.platform.db.select().from(websiteAnalysisTasks).where(eq(websiteAnalysisTasks.id, task.id));
    expect(row).toMatchObject({ lastSuccess: null, lastCheck: null });
  });
});
