import { randomUUID } from 'node:crypto';
import {
  oauthConfigSchema,
  parseConfig,
  readProcessEnv,
  redisConfigSchema,
  secretsConfigSchema,
  workerConfigSchema,
} from '@switchyard/config';
import { createSecretBox, secretContext, withUser, type SecretBox } from '@switchyard/db';
import {
  oauthTokenMonitoringTasks,
  platformInsightsTasks,
  websiteAnalysisTasks,
} from '@switchyard/db/platform';
import { createTestDatabases, type TestDatabases } from '@switchyard/db/testing';
import { oauthConnections } from '@switchyard/db/userdata';
import { createRedisConnection, queueNames, type MonitoringTaskType, type QueueName } from '@switchyard/jobs';
import { createLlmClient, createOpenAIProvider } from '@switchyard/llm';
import { QueueEvents } from 'bullmq';
import { pino } from 'pino';
import {
  createWorkerRuntime,
  type WorkerRuntime,
  type WorkerRuntimeDependencies,
} from '../src/worker-runtime.js';
import type { AnalysisChatClient } from '../src/website/analyze-content.js';

/** Redis URL of the test environment. */
export const redisUrl = readProcessEnv().REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A unique BullMQ prefix (with its hash tag) for one test file. */
export function uniquePrefix(): string {
  return `{sy-worker-test-${randomUUID().slice(0, 8)}}`;
}

/** Parses the worker's config sections from a test environment. */
export function testConfig(env: Record<string, string>) {
  return parseConfig(
    {
      redis: redisConfigSchema,
      worker: workerConfigSchema,
      secrets: secretsConfigSchema,
      oauth: oauthConfigSchema,
    },
    { REDIS_URL: redisUrl, ...env },
  );
}

/** An LLM client over one OpenAI simulator. */
export function simulatorLlm(simulatorUrl: string): AnalysisChatClient {
  return createLlmClient({
    providers: [createOpenAIProvider({ apiKey: 'sk-simulator-key', baseUrl: `${simulatorUrl}/v1` })],
    defaultChain: [{ provider: 'openai', model: 'gpt-4o-mini' }],
    deadlineMs: 10_000,
  });
}

/** Deletes every Redis key under a prefix. */
export async function deleteRedisPrefix(prefix: string): Promise<void> {
  const redis = createRedisConnection(redisUrl, { role: 'worker' });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** One worker runtime over fresh databases and a fresh Redis prefix. */
export interface WorkerHarness {
  databases: TestDatabases;
  prefix: string;
  runtime: WorkerRuntime;
  secretBox: SecretBox;
  events: Map<QueueName, QueueEvents>;
  /** Enqueues a monitoring task's job now and waits until it completes or fails for good. */
  runTask(
    type: MonitoringTaskType,
    taskId: string,
    userId: string,
    reason?: 'manual' | 'scheduled',
  ): Promise<unknown>;
  close(): Promise<void>;
}

const queueOf: Record<MonitoringTaskType, QueueName> = {
  oauth_token: queueNames.oauthTokenMonitoring,
  website_analysis: queueNames.websiteAnalysis,
  platform_insights: queueNames.platformInsights,
};

/** Starts a runtime consuming `consume` with test settings (short backoffs; no dispatch scheduler unless asked). */
export async function startWorkerHarness(options: {
  env?: Record<string, string>;
  consume: QueueName[];
  llm?: AnalysisChatClient;
  fetcher?: WorkerRuntimeDependencies['fetcher'];
  /** Both pools log in as switchyard_app, as in a deployment (default: the owner, as in local development). */
  asApplicationRole?: boolean;
}): Promise<WorkerHarness> {
  const databases = await createTestDatabases({ asApplicationRole: options.asApplicationRole });
  const prefix = uniquePrefix();
  const config = testConfig({ REDIS_KEY_PREFIX: prefix, TASK_RETRY_BASE_MS: '60000', ...options.env });
  const shortBackoff = { attempts: 2, backoff: { type: 'fixed', delay: 10 } };
  const runtime = await createWorkerRuntime(config, {
    platform: databases.platform,
    userdata: databases.userdata,
    llm: options.llm ?? { chat: () => Promise.reject(new Error('no LLM in this test')) },
    logger: pino({ level: 'silent' }),
    consume: options.consume,
    fetcher: options.fetcher,
    jobOptions: {
      [queueNames.oauthTokenMonitoring]: shortBackoff,
      [queueNames.websiteAnalysis]: shortBackoff,
      [queueNames.platformInsights]: shortBackoff,
    },
  });
  const events = new Map<QueueName, QueueEvents>();
  const eventsOf = async (queue: QueueName) => {
    let existing = events.get(queue);
    if (existing === undefined) {
      existing = new QueueEvents(queue, { connection: { url: redisUrl }, prefix });
      events.set(queue, existing);
      await existing.waitUntilReady();
    }
    return existing;
  };
  for (const queue of options.consume) await eventsOf(queue);
  return {
    databases,
    prefix,
    runtime,
    secretBox: createSecretBox(config.secrets.key),
    events,
    async runTask(type, taskId, userId, reason = 'manual') {
      const queue = queueOf[type];
      const queueEvents = await eventsOf(queue);
      const { jobId } = await runtime.queues.enqueueMonitoringTask({
        type,
        taskId,
        userId,
        reason,
        dueAt: Date.now(),
      });
      const job = await runtime.queues.queue(queue).getJob(jobId);
      return job!.waitUntilFinished(queueEvents, 30_000);
    },
    async close() {
      await runtime.close(5_000);
      await Promise.all([...events.values()].map((queueEvents) => queueEvents.close()));
      await databases.drop();
      await deleteRedisPrefix(prefix);
    },
  };
}

/** Inserts a website analysis task. */
export async function insertWebsiteTask(
  harness: WorkerHarness,
  values: {
    websiteUrl: string;
    taskType?: 'user_website' | 'competitor';
    status?: 'active' | 'paused';
    nextCheck?: Date | null;
  },
) {
  const userId = randomUUID();
  const [task] = await harness.databases.platform.db
    .insert(websiteAnalysisTasks)
    .values({
      userId,
      websiteUrl: values.websiteUrl,
      taskType: values.taskType ?? 'user_website',
      frequencyDays: 30,
      status: values.status ?? 'active',
      nextCheck: values.nextCheck ?? null,
    })
    .returning();
  return task!;
}

/** Inserts an OAuth connection (tokens encrypted) and the task that watches it. */
export async function insertOAuthConnection(
  harness: WorkerHarness,
  values: {
    platform: 'gsc' | 'bing' | 'wordpress' | 'wix';
    accessToken: string;
    refreshToken?: string;
    expiresAt: Date | null;
    userId?: string;
    siteUrl?: string;
  },
) {
  const userId = values.userId ?? randomUUID();
  const connection = await withUser(harness.databases.userdata, userId, async (transaction) => {
    const [inserted] = await transaction
      .insert(oauthConnections)
      .values({
        userId,
        platform: values.platform,
        siteUrl: values.siteUrl ?? 'https://acme.example/',
        encryptedAccessToken: harness.secretBox.encrypt(
          values.accessToken,
          secretContext('oauth_connections', 'encrypted_access_token', userId),
        ),
        encryptedRefreshToken:
          values.refreshToken === undefined
            ? null
            : harness.secretBox.encrypt(
                values.refreshToken,
                secretContext('oauth_connections', 'encrypted_refresh_token', userId),
              ),
        tokenExpiresAt: values.expiresAt,
      })
      .returning();
    return inserted!;
  });
  const [task] = await harness.databases.platform.db
    .insert(oauthTokenMonitoringTasks)
    .values({ userId, platform: values.platform, connectionId: connection.id })
    .returning();
  return { connection, task: task!, userId };
}

/** Inserts a platform insights task. */
export async function insertInsightsTask(
  harness: WorkerHarness,
  values: { userId: string; platform: 'gsc' | 'bing'; siteUrl?: string },
) {
  const [task] = await harness.databases.platform.db
    .insert(platformInsightsTasks)
    .values({
      userId: values.userId,
      platform: values.platform,
      siteUrl: values.siteUrl ?? 'https://acme.example/',
    })
    .returning();
  return task!;
}
