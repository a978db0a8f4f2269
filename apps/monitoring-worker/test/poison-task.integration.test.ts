import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { readProcessEnv } from '@switchyard/config';
import { and, eq } from '@switchyard/db';
import { usageAlerts, websiteAnalysisExecutionLogs, websiteAnalysisTasks } from '@switchyard/db/platform';
import { createTestDatabases, type TestDatabases } from '@switchyard/db/testing';
import { createQueues, createRedisConnection, queueNames } from '@switchyard/jobs';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteRedisPrefix, redisUrl, uniquePrefix } from './helper.js';
import { startLocalServer, type LocalServer } from './simulators/http-server.js';

const appDirectory = fileURLToPath(new URL('..', import.meta.url));
// Several worker processes start one after another (tsx compiles each): slow on a busy 2-core machine.
const processTestTimeoutMs = 240_000;
let databases: TestDatabases;
let site: LocalServer;
const prefix = uniquePrefix();
const children: ChildProcess[] = [];
let crashes = 0;

function startWorkerProcess(): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=@switchyard/source', '--import', 'tsx', 'src/main.ts'],
    {
      cwd: appDirectory,
      env: {
        ...readProcessEnv(),
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        PLATFORM_DATABASE_URL: databases.config.platformUrl,
        USERDATA_DATABASE_URL: databases.config.userdataUrl,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: prefix,
        WORKER_HEALTH_PORT: '0',
        WEBSITE_FETCH_ALLOWLIST: '127.0.0.1',
        WORKER_LOCK_DURATION_MS: '1000',
        WORKER_STALLED_INTERVAL_MS: '1000',
        DISPATCH_INTERVAL_MS: '3600000',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.push(child);
  return child;
}

beforeAll(async () => {
  databases = await createTestDatabases();
  // The poison: whichever worker asks for this page dies on the spot (as on a page that crashes the parser or
  // exhausts memory), and a fresh worker takes its place.
  site = await startLocalServer((_request, response) => {
    crashes += 1;
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    startWorkerProcess();
    response.destroy();
  });
});

afterAll(async () => {
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(running.map((child) => once(child, 'exit')));
  await site?.close();
  await databases?.drop();
  await deleteRedisPrefix(prefix);
});

describe('a task whose job kills its worker', () => {
  it(
    'counts each crash as a failure and ends in needs_intervention after three, with one alert',
    async () => {
      const userId = '00000000-0000-4000-8000-0000000000aa';
      const [task] = await databases.platform.db
        .insert(websiteAnalysisTasks)
        .values({
          userId,
          websiteUrl: `${site.url}/poison`,
          taskType: 'user_website',
          nextCheck: new Date(Date.now() + 86_400_000),
        })
        .returning();
      const connection = createRedisConnection(redisUrl, { role: 'producer' });
      const queues = createQueues(connection, { prefix });
      const events = new QueueEvents(queueNames.websiteAnalysis, { connection: { url: redisUrl }, prefix });
      const runUntilFailed = async () => {
        const { jobId } = await queues.enqueueMonitoringTask({
          type: 'website_analysis',
          taskId: task!.id,
          userId,
          reason: 'manual',
        });
        const job = await queues.queue(queueNames.websiteAnalysis).getJob(jobId);
        await expect(job!.waitUntilFinished(events, processTestTimeoutMs)).rejects.toThrow();
      };
      try {
        await events.waitUntilReady();
        startWorkerProcess();
        // BullMQ hands a stalled job on once (maxStalledCount 1), then fails it itself: two crashes, and the
        // second is counted when the next worker takes the failed job.
        await runUntilFailed();
        expect(crashes).toBe(2);
        await runUntilFailed();
        expect(crashes).toBe(3);
      } finally {
        await events.close();
        await queues.close();
        connection.disconnect();
      }

      const [row] = await databases.platform.db
        .select()
        .from(websiteAnalysisTasks)
        .where(eq(websiteAnalysisTasks.id, task!.id));
      expect(row).toMatchObject({ status: 'needs_intervention', consecutiveFailures: 3 });
      expect(row!.failureReason).toMatch(/^worker_lost/);
      const logs = await databases.platform.db
        .select()
        .from(websiteAnalysisExecutionLogs)
        .where(eq(websiteAnalysisExecutionLogs.taskId, task!.id));
      expect(logs.filter((log) => log.status === 'running')).toEqual([]);
      expect(logs.filter((log) => log.status === 'failed').length).toBeGreaterThanOrEqual(3);
      const alerts = await databases.platform.db
        .select()
        .from(usageAlerts)
        .where(
          and(eq(usageAlerts.userId, userId), eq(usageAlerts.alertType, 'monitoring_needs_intervention')),
        );
      expect(alerts).toHaveLength(1);
    },
    processTestTimeoutMs,
  );
});
