import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { readProcessEnv } from '@switchyard/config';
import { createTestDatabases, type TestDatabases } from '@switchyard/db/testing';
import { usageConsumerGroup, usageStreamKeys, type UsageEvent } from '@switchyard/jobs';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deleteRedisPrefix, redisUrl } from '../helper.js';
import {
  appendEvents,
  requestEvents,
  streamConnection,
  summaryOf,
  uniqueNamespace,
  usageRowCount,
  waitUntil,
} from './usage-stream.js';

const appDirectory = fileURLToPath(new URL('../..', import.meta.url));
// Worker processes compile with tsx on start: slow when every suite runs at once on 2 cores.
const processTestTimeoutMs = 180_000;
const partitions = 4;
const namespace = uniqueNamespace();
let databases: TestDatabases;
let redis: Redis;
const children: ChildProcess[] = [];

beforeAll(async () => {
  databases = await createTestDatabases();
  redis = streamConnection();
});

afterEach(async () => {
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(running.map((child) => once(child, 'exit')));
});

afterAll(async () => {
  redis?.disconnect();
  await databases?.drop();
  await deleteRedisPrefix(`{${namespace}}`);
  await deleteRedisPrefix(namespace);
});

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
        REDIS_KEY_PREFIX: `{${namespace}}`,
        WORKER_HEALTH_PORT: '0',
        DISPATCH_INTERVAL_MS: '3600000',
        USAGE_STREAM_PARTITIONS: String(partitions),
        // Small batches, so the kill lands between (or inside) many transactions.
        USAGE_INGEST_BATCH_SIZE: '20',
        USAGE_INGEST_BLOCK_MS: '200',
        USAGE_INGEST_CLAIM_IDLE_MS: '1000',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.push(child);
  return child;
}

async function backlog(): Promise<{ length: number; pending: number }> {
  let length = 0;
  let pending = 0;
  for (const key of usageStreamKeys(namespace, partitions)) {
    length += await redis.xlen(key);
    const [count] = (await redis.xpending(key, usageConsumerGroup).catch(() => [0])) as [number];
    pending += Number(count);
  }
  return { length, pending };
}

describe('a worker process killed while ingesting usage', () => {
  it(
    'loses no event and counts none twice once another process takes over',
    async () => {
      const userId = randomUUID();
      const appended: UsageEvent[] = [];
      const append = async () => {
        const events = Array.from({ length: 25 }, () =>
          requestEvents(userId, [
            { provider: 'gemini', status: 'error', costUsd: 0.0005 },
            { provider: 'openai', status: 'success', promptTokens: 11, completionTokens: 4, costUsd: 0.001 },
          ]),
        ).flat();
        await appendEvents(redis, namespace, partitions, events);
        appended.push(...events);
      };

      // A backlog the first process is still working through when it is killed.
      for (let round = 0; round < 100; round += 1) await append();
      const first = startWorkerProcess();
      await waitUntil(
        'the first process stores rows',
        async () => (await usageRowCount(databases.platform)) > 0,
      );
      await waitUntil('the first process has a batch in hand', async () => (await backlog()).pending > 0);
      first.kill('SIGKILL');
      await once(first, 'exit');
      // Events keep coming while no consumer runs.
      for (let round = 0; round < 10; round += 1) await append();
      const storedAtKill = await usageRowCount(databases.platform);
      expect(storedAtKill).toBeLessThan(appended.length);

      const second = startWorkerProcess();
      await waitUntil(
        'every event is stored',
        async () =>
          (await usageRowCount(databases.platform)) >= appended.length && (await backlog()).length === 0,
        150_000,
      );
      second.kill('SIGTERM');
      await once(second, 'exit');

      expect(await usageRowCount(databases.platform)).toBe(appended.length);
      const summary = await summaryOf(databases.platform, userId);
      expect(summary).toMatchObject({
        requests: appended.length / 2,
        errors: 0,
        fallbacks: appended.length / 2,
        promptTokens: (11 * appended.length) / 2,
        completionTokens: (4 * appended.length) / 2,
      });
      expect(summary!.cost).toBeCloseTo(0.0015 * (appended.length / 2), 6);
      expect(await backlog()).toEqual({ length: 0, pending: 0 });
    },
    processTestTimeoutMs,
  );
});
