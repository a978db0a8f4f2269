import type { WorkerAppConfig } from '@switchyard/config';
import { createSecretBox, type PlatformDb, type UserdataDb } from '@switchyard/db';
import { restoreWebsiteTasks } from '@switchyard/db/provisioning';
import {
  cancelForShutdown,
  createJobWorker,
  createQueues,
  createRedisConnection,
  monitoringTaskPayloadSchema,
  monitoringTaskTypes,
  queueNames,
  queueOfTaskType,
  type MonitoringTaskType,
  type JobProcessor,
  type QueueName,
} from '@switchyard/jobs';
import { QueueEvents, type JobsOptions, type Worker } from 'bullmq';
import type { Logger } from 'pino';
import { createDispatcher } from './dispatcher.js';
import { createPlatformClients } from './insights/platform-clients.js';
import { createRequestTokenRefresh } from './insights/request-token-refresh.js';
import { createWorkerMetrics } from './metrics.js';
import { createRefreshLock } from './oauth/refresh-lock.js';
import { createOAuthTokenProcessor } from './processors/oauth-token-processor.js';
import { readEvictionPolicy, warnUnlessNoEviction } from './redis-eviction-policy.js';
import { createPerformanceAnalysisProcessor } from './processors/performance-analysis-processor.js';
import { createPlatformInsightsProcessor } from './processors/platform-insights-processor.js';
import { createWebsiteAnalysisProcessor } from './processors/website-analysis-processor.js';
import { createTaskState } from './task-state/index.js';
import type { AnalysisChatClient } from './website/analyze-content.js';
import { createPageFetcher, type PageFetcher } from './website/fetch-page.js';

/** Dependencies the process entry point (or a test) hands to the runtime. */
export interface WorkerRuntimeDependencies {
  platform: PlatformDb;
  userdata: UserdataDb;
  llm: AnalysisChatClient;
  logger: Logger;
  /** Defaults to a guarded fetcher with the configured allowlist. */
  fetcher?: PageFetcher;
  /** Which queues this process consumes (default all); the dispatch scheduler is registered only with `dispatch`. */
  consume?: readonly QueueName[];
  /** Per-queue job option overrides (tests use short backoffs). */
  jobOptions?: Partial<Record<QueueName, JobsOptions>>;
}

/** Waits for `promise` at most `ms`; says which came first. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<'settled' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([promise.then(() => 'settled' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The task type each monitoring queue runs. */
const taskTypeOfQueue = new Map<QueueName, MonitoringTaskType>(
  monitoringTaskTypes.map((type) => [queueOfTaskType[type], type]),
);

/** Scheduler ids: fixed, so every boot of every process upserts the same two schedulers. */
export const schedulerIds = {
  dispatch: 'dispatch-cycle',
  performance: 'performance-analysis-hourly',
} as const;

/** The running worker: queues, BullMQ workers, dispatcher and metrics, with an ordered shutdown. */
export type WorkerRuntime = Awaited<ReturnType<typeof createWorkerRuntime>>;

/**
 * Builds and starts everything the worker process runs. Redis connections: one producer connection for the
 * queues (fails fast) and one worker connection shared by the BullMQ workers (`maxRetriesPerRequest: null`).
 */
export async function createWorkerRuntime(
  config: Pick<WorkerAppConfig, 'redis' | 'worker' | 'secrets' | 'oauth'>,
  dependencies: WorkerRuntimeDependencies,
) {
  const { worker: settings } = config;
  const { logger } = dependencies;
  const prefix = config.redis.keyPrefix;
  const producerConnection = createRedisConnection(config.redis.url, {
    role: 'producer',
    connectionName: 'monitoring-worker:producer',
  });
  const workerConnection = createRedisConnection(config.redis.url, {
    role: 'worker',
    connectionName: 'monitoring-worker:worker',
  });
  for (const connection of [producerConnection, workerConnection])
    connection.on('error', (error) => logger.warn({ error: error.message }, 'redis connection error'));
  const queues = createQueues(producerConnection, { prefix, jobOptions: dependencies.jobOptions });
  const metrics = createWorkerMetrics(queues);
  const fetcher = dependencies.fetcher ?? createPageFetcher({ allowlist: settings.websiteFetchAllowlist });
  const ownsFetcher = dependencies.fetcher === undefined;
  const platform = dependencies.platform.db;
  const secretBox = createSecretBox(config.secrets.key, config.secrets.previousKeys);
  const taskState = createTaskState({
    platform: dependencies.platform,
    retry: settings.taskRetry,
    asynchronousCommit: true,
  });
  const oauthEvents = new QueueEvents(queueNames.oauthTokenMonitoring, {
    connection: workerConnection.duplicate(),
    prefix,
  });

  warnUnlessNoEviction(await readEvictionPolicy(producerConnection), logger);

  const dispatcher = createDispatcher({
    db: platform,
    queues,
    batchSize: settings.dispatchBatchSize,
    leaseMs: settings.dispatchLeaseMs,
    onCycle: (result) => {
      metrics.observeCycle(result);
      logger.info(
        {
          found: result.found,
          enqueued: result.enqueued,
          skipped: result.skipped,
          durationMs: result.durationMs,
        },
        'dispatch cycle',
      );
    },
  });

  /** A queue this process can consume, its processor (built only if consumed) and jobs run at once. */
  const consumer = <Queue extends QueueName, Result>(
    queue: Queue,
    processor: () => JobProcessor<Queue, Result>,
    concurrency: number,
  ) => ({
    queue,
    start: (): Worker =>
      createJobWorker(queue, processor(), {
        connection: workerConnection,
        prefix,
        lockDuration: settings.jobLock.lockDurationMs,
        stalledInterval: settings.jobLock.stalledIntervalMs,
        concurrency,
      }),
  });
  const consumers = [
    consumer(queueNames.dispatch, () => () => dispatcher.runCycle(), 1),
    consumer(
      queueNames.oauthTokenMonitoring,
      () =>
        createOAuthTokenProcessor({
          taskState,
          platform,
          userdata: dependencies.userdata,
          secretBox,
          clients: config.oauth.platforms,
          withRefreshLock: createRefreshLock({ redis: producerConnection, keyPrefix: prefix }),
          redis: producerConnection,
          keyPrefix: prefix,
        }),
      settings.concurrency.oauth,
    ),
    consumer(
      queueNames.websiteAnalysis,
      () => createWebsiteAnalysisProcessor({ taskState, fetcher, llm: dependencies.llm }),
      settings.concurrency.website,
    ),
    consumer(
      queueNames.platformInsights,
      () =>
        createPlatformInsightsProcessor({
          taskState,
          platform,
          userdata: dependencies.userdata,
          secretBox,
          clients: createPlatformClients({
            gscBaseUrl: settings.platforms.gscBaseUrl,
            bingBaseUrl: settings.platforms.bingBaseUrl,
          }),
          requestTokenRefresh: createRequestTokenRefresh(queues, oauthEvents),
        }),
      settings.concurrency.insights,
    ),
    consumer(
      queueNames.performanceAnalysis,
      () => createPerformanceAnalysisProcessor({ platform }),
      settings.concurrency.performance,
    ),
  ];

  const consume = new Set<QueueName>(dependencies.consume ?? Object.values(queueNames));
  const workers = new Map<QueueName, Worker>();
  for (const { queue, start } of consumers) {
    if (!consume.has(queue)) continue;
    const worker = start();
    metrics.observe(queue, worker);
    worker.on('failed', (job, error) => {
      logger.warn(
        { queue, jobId: job?.id, attempt: job?.attemptsMade, error: error.message },
        'job attempt failed',
      );
      const type = taskTypeOfQueue.get(queue);
      // BullMQ failed it itself (the job stalled past the limit: its workers kept dying on it), so our processor's
      // catch never ran; count it on the task here or a poison task is dispatched again every lease forever.
      if (job?.deferredFailure && type !== undefined) {
        const payload = monitoringTaskPayloadSchema.safeParse(job.data);
        if (!payload.success || job.id === undefined) return;
        taskState
          .failLostJob(type, payload.data.taskId, job.id)
          .then((result) =>
            logger.warn(
              {
                queue,
                jobId: job.id,
                taskId: payload.data.taskId,
                consecutiveFailures: result?.consecutiveFailures,
                needsIntervention: result?.needsIntervention,
              },
              'job failed by its workers dying on it; counted against the task',
            ),
          )
          .catch((countError: unknown) =>
            logger.error(
              { queue, jobId: job.id, error: countError instanceof Error ? countError.message : 'unknown' },
              'could not count a lost job against its task',
            ),
          );
      }
    });
    worker.on('error', (error) => logger.error({ queue, error: error.message }, 'worker error'));
    workers.set(queue, worker);
  }

  // Upserting by fixed id is idempotent: every boot of every replica converges on one schedule of each.
  if (consume.has(queueNames.dispatch)) {
    await queues
      .queue(queueNames.dispatch)
      .upsertJobScheduler(
        schedulerIds.dispatch,
        { every: settings.dispatchIntervalMs },
        { name: 'dispatch', data: {} },
      );
  }
  if (consume.has(queueNames.performanceAnalysis)) {
    await queues
      .queue(queueNames.performanceAnalysis)
      .upsertJobScheduler(
        schedulerIds.performance,
        { every: settings.performanceAnalysisIntervalMs },
        { name: 'performance-analysis', data: { reason: 'scheduled', windowMinutes: 60 } },
      );
  }

  // A completed onboarding whose website tasks went missing (deleted by hand, a partial restore) gets them back;
  // creating is idempotent (unique keys), so every replica may run it at every boot.
  const restored = await restoreWebsiteTasks(platform);
  if (restored.length > 0)
    logger.info(
      {
        count: restored.length,
        tasks: restored.slice(0, 100).map((task) => ({
          taskId: task.id,
          userId: task.userId,
          taskType: task.taskType,
          websiteUrl: task.websiteUrl,
        })),
      },
      'restored website-analysis tasks that completed onboardings should have',
    );

  let closing: Promise<void> | undefined;

  /**
   * Stops dispatching, lets active jobs finish until `graceMs`, then aborts the rest (their jobs go back to the
   * queue without using an attempt) and waits up to `abortSettleMs` for them to hand their jobs back. A job whose
   * processor ignores its signal keeps its lock until it expires; the stalled-job check then hands it on.
   */
  async function close(graceMs: number, abortSettleMs = 5_000): Promise<void> {
    closing ??= (async () => {
      await workers.get(queueNames.dispatch)?.close();
      const others = [...workers.entries()]
        .filter(([queue]) => queue !== queueNames.dispatch)
        .map(([, worker]) => worker);
      const drained = Promise.all(others.map((worker) => worker.close()));
      if ((await settleWithin(drained, graceMs)) === 'timeout') {
        logger.warn(
          { graceMs },
          'active jobs did not finish in time; aborting them and handing them back to the queue',
        );
        for (const worker of others) cancelForShutdown(worker);
        if ((await settleWithin(drained, abortSettleMs)) === 'timeout') {
          logger.error(
            { abortSettleMs },
            'aborted jobs did not stop; their locks will expire and the stalled-job check hands them on',
          );
        }
      }
      await oauthEvents.close();
      await queues.close();
      if (ownsFetcher) await fetcher.close();
      await Promise.all([
        producerConnection.quit().catch(() => undefined),
        workerConnection.quit().catch(() => undefined),
      ]);
    })();
    return closing;
  }

  /** Readiness of Redis and the platform database (schema verification is the entry point's). */
  async function checkRedis() {
    try {
      return { ok: (await producerConnection.ping()) === 'PONG' };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : 'unreachable' };
    }
  }

  async function checkDatabase(database: PlatformDb | UserdataDb) {
    try {
      await database.pool.query('select 1');
      return { ok: true };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : 'unreachable' };
    }
  }

  return {
    queues,
    workers,
    dispatcher,
    metrics,
    restored,
    close,
    checks: {
      redis: checkRedis,
      platformDatabase: () => checkDatabase(dependencies.platform),
      userdataDatabase: () => checkDatabase(dependencies.userdata),
    },
  };
}
