import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { readProcessEnv } from '@switchyard/config';
import { eq } from '@switchyard/db';
import { websiteAnalyses, websiteAnalysisExecutionLogs, websiteAnalysisTasks } from '@switchyard/db/platform';
import { createTestDatabases, type TestDatabases } from '@switchyard/db/testing';
import { createQueues, createRedisConnection, queueNames } from '@switchyard/jobs';
import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { QueueEvents } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deleteRedisPrefix, redisUrl, uniquePrefix } from './helper.js';
import { startLocalServer, type LocalServer } from './simulators/http-server.js';
import { analysisAnswer } from './simulators/llm-answers.js';
import { samplePage } from './simulators/website-server.js';

const appDirectory = fileURLToPath(new URL('..', import.meta.url));
// Each test starts worker processes (tsx compiles on start): slow when CI runs every suite at once on 2 cores.
const processTestTimeoutMs = 120_000;
let databases: TestDatabases;
let llm: Simulator;
let site: LocalServer;
const prefix = uniquePrefix();
const children: ChildProcess[] = [];
let firstRequestSeen: () => void;
const firstRequest = new Promise<void>((resolve) => (firstRequestSeen = resolve));
let requests = 0;
let heldSeen: () => void;
const heldRequest = new Promise<void>((resolve) => (heldSeen = resolve));
let releaseHeld: () => void;
const held = new Promise<void>((resolve) => (releaseHeld = resolve));

beforeAll(async () => {
  databases = await createTestDatabases();
  llm = await startOpenAISimulator({ answer: analysisAnswer });
  // The first visit hangs (the worker is killed while waiting for it); later visits get the page.
  site = await startLocalServer(async (request, response) => {
    if (request.url === '/held') {
      heldSeen();
      await held;
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(samplePage('Held'));
      return;
    }
    requests += 1;
    if (requests === 1) {
      firstRequestSeen();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(samplePage());
  });
});

// A test that failed half-way must not leave a worker behind to take the next test's job.
afterEach(async () => {
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(running.map((child) => once(child, 'exit')));
});

afterAll(async () => {
  await Promise.all([site?.close(), llm?.close()]);
  await databases?.drop();
  await deleteRedisPrefix(prefix);
});

async function insertTask(path: string) {
  // Not due yet, so the child's own dispatcher leaves it alone and the only job is the one a test enqueues.
  const [task] = await databases.platform.db
    .insert(websiteAnalysisTasks)
    .values({
      userId: '00000000-0000-4000-8000-000000000001',
      websiteUrl: `${site.url}${path}`,
      taskType: 'user_website',
      frequencyDays: 30,
      nextCheck: new Date(Date.now() + 86_400_000),
    })
    .returning();
  return task!;
}

async function successLogs(taskId: string) {
  const logs = await databases.platform.db
    .select()
    .from(websiteAnalysisExecutionLogs)
    .where(eq(websiteAnalysisExecutionLogs.taskId, taskId));
  return logs.filter((log) => log.status === 'success');
}

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
        OPENAI_API_KEY: 'sk-simulator-key',
        OPENAI_BASE_URL: `${llm.url}/v1`,
        LLM_FALLBACK_ORDER: 'openai',
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

describe('a worker killed in the middle of a job', () => {
  it(
    'has its job completed by another worker, with one success and a consistent task row',
    async () => {
      // Not due yet, so the child's own dispatcher leaves it alone and the only job is the one enqueued here.
      const [task] = await databases.platform.db
        .insert(websiteAnalysisTasks)
        .values({
          userId: '00000000-0000-4000-8000-000000000001',
          websiteUrl: `${site.url}/`,
          taskType: 'user_website',
          frequencyDays: 30,
          nextCheck: new Date(Date.now() + 86_400_000),
        })
        .returning();
      const connection = createRedisConnection(redisUrl, { role: 'producer' });
      const queues = createQueues(connection, { prefix });
      const events = new QueueEvents(queueNames.websiteAnalysis, { connection: { url: redisUrl }, prefix });
      try {
        await events.waitUntilReady();
        const first = startWorkerProcess();
        const { jobId } = await queues.enqueueMonitoringTask({
          type: 'website_analysis',
          taskId: task!.id,
          userId: task!.userId,
          reason: 'manual',
        });
        await firstRequest;
        first.kill('SIGKILL');
        await once(first, 'exit');

        const second = startWorkerProcess();
        const job = await queues.queue(queueNames.websiteAnalysis).getJob(jobId);
        expect(await job!.waitUntilFinished(events, 60_000)).toEqual({ outcome: 'success' });
        second.kill('SIGTERM');
        await once(second, 'exit');
      } finally {
        await events.close();
        await queues.close();
        connection.disconnect();
      }

      const logs = await databases.platform.db
        .select()
        .from(websiteAnalysisExecutionLogs)
        .where(eq(websiteAnalysisExecutionLogs.taskId, task!.id));
      expect(logs.filter((log) => log.status === 'success')).toHaveLength(1);
      expect(logs.filter((log) => log.status === 'running')).toHaveLength(0);
      expect(logs.find((log) => log.status === 'failed')?.errorMessage).toMatch(/stopped before finishing/);
      expect(
        await databases.platform.db
          .select()
          .from(websiteAnalyses)
          .where(eq(websiteAnalyses.taskId, task!.id)),
      ).toHaveLength(1);
      const [row] = await databases.platform.db
        .select()
        .from(websiteAnalysisTasks)
        .where(eq(websiteAnalysisTasks.id, task!.id));
      expect(row).toMatchObject({ status: 'active', consecutiveFailures: 0, failureReason: null });
      expect(Math.round((row!.nextCheck!.getTime() - row!.lastSuccess!.getTime()) / 86_400_000)).toBe(30);
    },
    processTestTimeoutMs,
  );

  it(
    'on SIGTERM lets the active job finish before exiting',
    async () => {
      const task = await insertTask('/held');
      const connection = createRedisConnection(redisUrl, { role: 'producer' });
      const queues = createQueues(connection, { prefix });
      try {
        const worker = startWorkerProcess();
        await queues.enqueueMonitoringTask({
          type: 'website_analysis',
          taskId: task.id,
          userId: task.userId,
          reason: 'manual',
        });
        await heldRequest;
        worker.kill('SIGTERM');
        const exited = once(worker, 'exit');
        // The worker is draining: the job is still running, so nothing is recorded yet.
        expect(await successLogs(task.id)).toHaveLength(0);
        releaseHeld();
        const [code] = (await exited) as [number | null];
        expect(code).toBe(0);
      } finally {
        await queues.close();
        connection.disconnect();
      }
      expect(await successLogs(task.id)).toHaveLength(1);
    },
    processTestTimeoutMs,
  );
});
