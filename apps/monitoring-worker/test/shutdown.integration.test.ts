import { eq } from '@switchyard/db';
import { websiteAnalyses, websiteAnalysisExecutionLogs, websiteAnalysisTasks } from '@switchyard/db/platform';
import { createTestDatabases, type TestDatabases } from '@switchyard/db/testing';
import { queueNames } from '@switchyard/jobs';
import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { QueueEvents } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerRuntime } from '../src/worker-runtime.js';
import { deleteRedisPrefix, redisUrl, simulatorLlm, testConfig, uniquePrefix } from './helper.js';
import { startLocalServer, type LocalServer } from './simulators/http-server.js';
import { analysisAnswer } from './simulators/llm-answers.js';
import { samplePage } from './simulators/website-server.js';

let databases: TestDatabases;
let llm: Simulator;
let site: LocalServer;
const prefix = uniquePrefix();
let firstVisitSeen: () => void;
const firstVisit = new Promise<void>((resolve) => (firstVisitSeen = resolve));
let visits = 0;

beforeAll(async () => {
  databases = await createTestDatabases();
  llm = await startOpenAISimulator({ answer: analysisAnswer });
  // The first visit never gets an answer (the job outlives the grace period); later visits get the page.
  site = await startLocalServer((_request, response) => {
    visits += 1;
    if (visits === 1) {
      firstVisitSeen();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(samplePage());
  });
});

afterAll(async () => {
  await Promise.all([site?.close(), llm?.close()]);
  await databases?.drop();
  await deleteRedisPrefix(prefix);
});

function startRuntime(logger = pino({ level: 'silent' })) {
  const config = testConfig({
    REDIS_KEY_PREFIX: prefix,
    WEBSITE_FETCH_ALLOWLIST: '127.0.0.1',
    SHUTDOWN_GRACE_MS: '200',
  });
  return createWorkerRuntime(config, {
    platform: databases.platform,
    userdata: databases.userdata,
    llm: simulatorLlm(llm.url),
    logger,
    consume: [queueNames.websiteAnalysis],
    // One attempt: were the shutdown abort counted as a failed attempt, the job would be lost.
    jobOptions: { [queueNames.websiteAnalysis]: { attempts: 1 } },
  }).then((runtime) => ({ runtime, graceMs: config.worker.shutdownGraceMs }));
}

describe('shutdown with a job running past SHUTDOWN_GRACE_MS', () => {
  it('aborts the job and hands it back, and another worker completes it once', async () => {
    const [task] = await databases.platform.db
      .insert(websiteAnalysisTasks)
      .values({
        userId: '00000000-0000-4000-8000-000000000002',
        websiteUrl: `${site.url}/`,
        taskType: 'user_website',
        frequencyDays: 30,
      })
      .returning();
    const warnings: string[] = [];
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => void warnings.push((JSON.parse(line) as { msg: string }).msg) },
    );
    const first = await startRuntime(logger);
    const events = new QueueEvents(queueNames.websiteAnalysis, { connection: { url: redisUrl }, prefix });
    try {
      await events.waitUntilReady();
      const { jobId } = await first.runtime.queues.enqueueMonitoringTask({
        type: 'website_analysis',
        taskId: task!.id,
        userId: task!.userId,
        reason: 'manual',
      });
      await firstVisit;
      await first.runtime.close(first.graceMs);
      expect(warnings).toContainEqual(expect.stringMatching(/did not finish in time/));

      const second = await startRuntime();
      try {
        const job = await second.runtime.queues.queue(queueNames.websiteAnalysis).getJob(jobId);
        expect(await job!.waitUntilFinished(events, 60_000)).toEqual({ outcome: 'success' });
      } finally {
        await second.runtime.close(5_000);
      }
    } finally {
      await events.close();
      await first.runtime.close(first.graceMs);
    }

    const logs = await databases.platform.db
      .select()
      .from(websiteAnalysisExecutionLogs)
      .where(eq(websiteAnalysisExecutionLogs.taskId, task!.id));
    expect(logs.map((log) => log.status).sort()).toEqual(['failed', 'success']);
    expect(
      await databases.platform.db.select().from(websiteAnalyses).where(eq(websiteAnalyses.taskId, task!.id)),
    ).toHaveLength(1);
    const [row] = await databases.platform.db
      .select()
      .from(websiteAnalysisTasks)
      .where(eq(websiteAnalysisTasks.id, task!.id));
    // The interrupted attempt is not the task's failure.
    expect(row).toMatchObject({ status: 'active', consecutiveFailures: 0, lastFailure: null });
  });
});
