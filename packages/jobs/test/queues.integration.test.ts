import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readProcessEnv } from '@switchyard/config';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cancelForShutdown,
  createJobWorker,
  createQueues,
  createRedisConnection,
  isShutdownAbort,
  monitoringJobId,
  queueNames,
  QueueUnavailableError,
  type Queues,
} from '../src/index.js';

const redisUrl = readProcessEnv().REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `{switchyard-jobs-test-${randomUUID()}}`;

let producerConnection: Redis;
let workerConnection: Redis;
let queues: Queues;

beforeAll(() => {
  producerConnection = createRedisConnection(redisUrl, { role: 'producer' });
  workerConnection = createRedisConnection(redisUrl, { role: 'worker' });
  queues = createQueues(producerConnection, { prefix });
});

afterAll(async () => {
  for (const name of Object.values(queueNames)) await queues.queue(name).obliterate({ force: true });
  await queues.close();
  const leftovers = await producerConnection.keys(`${prefix}*`);
  if (leftovers.length > 0) await producerConnection.del(...leftovers);
  producerConnection.disconnect();
  workerConnection.disconnect();
});

describe('createQueues', () => {
  it('answers the unfinished job of a task for a second run-now, and adds a new one once it is gone', async () => {
    const job = {
      type: 'platform_insights' as const,
      taskId: randomUUID(),
      userId: randomUUID(),
      reason: 'manual' as const,
      reuseUnfinished: true,
    };
    const first = await queues.enqueueMonitoringTask({ ...job, dueAt: 1 });
    // A later click has a later due time, so another job id; deduplication answers the queued one.
    const second = await queues.enqueueMonitoringTask({ ...job, dueAt: 2 });
    expect(first.created).toBe(true);
    expect(second).toEqual({ jobId: first.jobId, created: false });
    await (await queues.queue(queueNames.platformInsights).getJob(first.jobId))!.remove();
    const third = await queues.enqueueMonitoringTask({ ...job, dueAt: 3 });
    expect(third.created).toBe(true);
    expect(third.jobId).not.toBe(first.jobId);
  });

  it('keeps one job per monitoring task and due slot, and says the second enqueue was a duplicate', async () => {
    const taskId = randomUUID();
    const job = {
      type: 'website_analysis' as const,
      taskId,
      userId: randomUUID(),
      reason: 'scheduled' as const,
      dueAt: 1_700_000_000_000,
    };
    const first = await queues.enqueueMonitoringTask(job);
    const second = await queues.enqueueMonitoringTask(job);
    expect(first).toEqual({
      jobId: monitoringJobId('website_analysis', taskId, 'scheduled', job.dueAt),
      created: true,
    });
    expect(second).toEqual({ jobId: first.jobId, created: false });
    expect(await queues.queue(queueNames.websiteAnalysis).getJobCountByTypes('waiting')).toBe(1);
    // Every key sits behind the hash tag, so the queue works on Redis Cluster.
    const keys = await producerConnection.keys(`*${taskId}*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => key.startsWith(`${prefix}:website-analysis:`))).toBe(true);
  });

  it('refuses a payload that does not match the queue schema', async () => {
    await expect(
      queues.enqueue(queueNames.platformInsights, { taskId: '', userId: 'u', reason: 'manual', dueAt: 1 }),
    ).rejects.toThrow(/taskId/);
  });

  it('refuses a prefix without a hash tag', () => {
    expect(() => createQueues(producerConnection, { prefix: 'switchyard' })).toThrow(/hash tag/);
  });

  it('enqueues many jobs at once and reports which already existed', async () => {
    const payload = { reason: 'scheduled' as const, userId: randomUUID(), dueAt: 5 };
    const ids = [randomUUID(), randomUUID()];
    await queues.enqueue(
      queueNames.oauthTokenMonitoring,
      { ...payload, taskId: ids[0]! },
      { jobId: `bulk.${ids[0]}` },
    );
    const results = await queues.enqueueMany(
      queueNames.oauthTokenMonitoring,
      ids.map((taskId) => ({ payload: { ...payload, taskId }, options: { jobId: `bulk.${taskId}` } })),
    );
    expect(results.map((result) => result.created)).toEqual([false, true]);
  });
});

describe('createJobWorker', () => {
  it('hands the processor a validated payload and fails a malformed job without retrying it', async () => {
    const queueName = queueNames.performanceAnalysis;
    const seen: unknown[] = [];
    const worker = createJobWorker(queueName, (_job, payload) => Promise.resolve(seen.push(payload)), {
      connection: workerConnection,
      prefix,
    });
    try {
      const completed = once(worker, 'completed');
      await queues.enqueue(queueName, { reason: 'manual' });
      await completed;
      expect(seen).toEqual([{ reason: 'manual', windowMinutes: 60 }]);

      const failed = once(worker, 'failed');
      // A producer outside this package could write anything; the consumer still refuses it.
      await queues.queue(queueName).add(queueName, { reason: 'bogus' } as never, { attempts: 3 });
      const [job, error] = (await failed) as [{ attemptsMade: number }, Error];
      expect(error.message).toMatch(/invalid performance-analysis payload/);
      expect(job.attemptsMade).toBe(1);
    } finally {
      await worker.close();
    }
  });
});

describe('cancelForShutdown', () => {
  it('hands an aborted job back to the queue without using an attempt, and another worker completes it', async () => {
    // Its own prefix: the queue must hold only this test's job.
    const ownPrefix = `{switchyard-jobs-test-${randomUUID()}}`;
    const ownQueues = createQueues(producerConnection, { prefix: ownPrefix });
    const queueName = queueNames.oauthTokenMonitoring;
    let started: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const stopping = createJobWorker(
      queueName,
      (_job, _payload, signal) =>
        new Promise((_resolve, reject) => {
          started();
          signal.addEventListener('abort', () =>
            reject(new Error(isShutdownAbort(signal) ? 'shutdown abort' : 'other abort')),
          );
        }),
      { connection: workerConnection, prefix: ownPrefix },
    );
    const payload = { taskId: randomUUID(), userId: randomUUID(), reason: 'manual' as const, dueAt: 1 };
    const { jobId } = await ownQueues.enqueue(queueName, payload, { jobId: `shutdown.${payload.taskId}` });
    await running;
    const failures: string[] = [];
    stopping.on('failed', (_job, error) => failures.push(error.message));
    cancelForShutdown(stopping);
    await stopping.close();

    const job = await ownQueues.queue(queueName).getJob(jobId);
    expect(await job?.getState()).toBe('waiting');
    expect(job?.attemptsMade).toBe(0);
    expect(failures).toEqual([]);

    const finishing = createJobWorker(queueName, (_job, seen) => Promise.resolve(seen.taskId), {
      connection: workerConnection,
      prefix: ownPrefix,
    });
    try {
      const [completed] = (await once(finishing, 'completed')) as [
        { id: string; returnvalue: unknown; attemptsMade: number },
      ];
      expect(completed).toMatchObject({ id: jobId, returnvalue: payload.taskId, attemptsMade: 1 });
    } finally {
      await finishing.close();
      await ownQueues.queue(queueName).obliterate({ force: true });
      await ownQueues.close();
    }
  });
});

describe('createRedisConnection', () => {
  it('makes a producer fail fast instead of queueing commands while Redis is unreachable', async () => {
    const unreachable = createRedisConnection('redis://127.0.0.1:1', { role: 'producer' });
    unreachable.on('error', () => undefined);
    const deadQueues = createQueues(unreachable, { prefix });
    try {
      await expect(deadQueues.enqueue(queueNames.dispatch, {}, { jobId: 'never' })).rejects.toThrow(
        QueueUnavailableError,
      );
    } finally {
      unreachable.disconnect();
    }
  });
});
