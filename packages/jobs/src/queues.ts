import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { queuePrefix } from './connection.js';
import { monitoringJobId } from './job-id.js';
import { defaultJobOptions } from './job-options.js';
import {
  payloadSchemas,
  type MonitoringTaskPayload,
  type PayloadInputOf,
  type PayloadOf,
} from './payloads.js';
import { queueNames, queueOfTaskType, type MonitoringTaskType, type QueueName } from './queue-names.js';

/** Options of one enqueue call; `jobId` makes the call idempotent. */
export interface EnqueueOptions {
  jobId?: string;
  delay?: number;
  priority?: number;
  /**
   * While a job added with this id is unfinished (waiting, delayed for a retry, or running), adding another one
   * adds nothing and answers that job's id (BullMQ deduplication); once it completes or fails, a new one is added.
   */
  deduplicationId?: string;
}

/** What an enqueue did: `created` is false when a job with the same id already existed. */
export interface EnqueueResult {
  jobId: string;
  created: boolean;
}

/** A monitoring task to run now. */
export interface MonitoringTaskJob extends Omit<MonitoringTaskPayload, 'dueAt' | 'reason'> {
  type: MonitoringTaskType;
  reason?: MonitoringTaskPayload['reason'];
  /** Defaults to now. */
  dueAt?: number;
  /** At most one unfinished job of this task and reason: enqueuing again answers the queued one (run-now buttons). */
  reuseUnfinished?: boolean;
}

/** A queue of known payload type. */
export type TypedQueue<Q extends QueueName> = Queue<PayloadOf<Q>, unknown, string>;

/** The producer side of every queue, sharing one Redis connection. */
export interface Queues {
  /** The BullMQ queue of `name`, for inspection (counts, jobs) and schedulers. */
  queue<Q extends QueueName>(name: Q): TypedQueue<Q>;
  /** Validates the payload and adds one job; with `jobId`, adding twice keeps one job. */
  enqueue<Q extends QueueName>(
    name: Q,
    payload: PayloadInputOf<Q>,
    options?: EnqueueOptions,
  ): Promise<EnqueueResult>;
  /** Adds many jobs to one queue in one round trip (deduplicated by job id). */
  enqueueMany<Q extends QueueName>(
    name: Q,
    jobs: Array<{ payload: PayloadInputOf<Q>; options: EnqueueOptions & { jobId: string } }>,
  ): Promise<EnqueueResult[]>;
  /** Enqueues the job of a monitoring task with its deterministic id. */
  enqueueMonitoringTask(job: MonitoringTaskJob): Promise<EnqueueResult>;
  /** Waiting + delayed + active jobs of each queue. */
  depths(): Promise<Record<QueueName, number>>;
  /** Closes the queues; the connection stays open (its owner closes it). */
  close(): Promise<void>;
}

/** Options for `createQueues`. */
export interface QueuesOptions {
  /** BullMQ prefix; must carry a hash tag such as `{switchyard}`. */
  prefix: string;
  /** Per-queue overrides of `defaultJobOptions` (tests shorten backoffs; operators tune retention). */
  jobOptions?: Partial<Record<QueueName, JobsOptions>>;
  /** How long an enqueue waits for a (re)connecting Redis before failing with `QueueUnavailableError` (default 2000). */
  readyTimeoutMs?: number;
}

/** Redis could not take the job now; the caller should answer 503 or retry later. */
export class QueueUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueUnavailableError';
  }
}

/**
 * Creates the producers of every queue over one connection (use `createRedisConnection(url, { role: 'producer' })`).
 * Queues are created lazily, so a producer that only uses one queue only touches that one.
 */
export function createQueues(connection: Redis, options: QueuesOptions): Queues {
  const prefix = queuePrefix(options.prefix);
  const readyTimeoutMs = options.readyTimeoutMs ?? 2_000;
  const opened = new Map<QueueName, Queue>();

  // BullMQ's own generics cannot follow a name-indexed payload map; the typed surface is `queue()` below.
  function untypedQueue(name: QueueName): Queue {
    let existing = opened.get(name);
    if (existing === undefined) {
      existing = new Queue(name, {
        connection,
        prefix,
        defaultJobOptions: { ...defaultJobOptions[name], ...options.jobOptions?.[name] },
      });
      opened.set(name, existing);
    }
    return existing;
  }

  function queue<Q extends QueueName>(name: Q): TypedQueue<Q> {
    return untypedQueue(name) as TypedQueue<Q>;
  }

  // BullMQ waits for the connection forever; a producer answers an HTTP request, so it gives up quickly instead.
  async function ensureReady(): Promise<void> {
    if (connection.status === 'ready') return;
    if (connection.status === 'end' || connection.status === 'close')
      throw new QueueUnavailableError('the Redis connection is closed');
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        clearTimeout(timer);
        connection.off('ready', onReady);
        connection.off('error', onError);
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => settle();
      const onError = () => settle(new QueueUnavailableError('Redis is unreachable'));
      const timer = setTimeout(
        () => settle(new QueueUnavailableError(`Redis was not ready within ${readyTimeoutMs} ms`)),
        readyTimeoutMs,
      );
      connection.once('ready', onReady);
      connection.once('error', onError);
    });
  }

  async function existingIds(name: QueueName, jobIds: string[]): Promise<boolean[]> {
    await ensureReady();
    if (jobIds.length === 0) return [];
    const target = untypedQueue(name);
    const pipeline = connection.pipeline();
    for (const jobId of jobIds) pipeline.exists(target.toKey(jobId));
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, count]) => {
      if (error) throw error;
      return count === 1;
    });
  }

  function jobOptions(options: EnqueueOptions | undefined): JobsOptions {
    const result: JobsOptions = {};
    if (options?.jobId !== undefined) result.jobId = options.jobId;
    if (options?.delay !== undefined) result.delay = options.delay;
    if (options?.priority !== undefined) result.priority = options.priority;
    if (options?.deduplicationId !== undefined) result.deduplication = { id: options.deduplicationId };
    return result;
  }

  const queues: Queues = {
    queue,
    async enqueue(name, payload, options) {
      const data: unknown = payloadSchemas[name].parse(payload);
      // Job ids only tell duplicates apart; the pre-check reports them, the add itself stays idempotent.
      const [existed = false] = await existingIds(name, options?.jobId === undefined ? [] : [options.jobId]);
      const job = await untypedQueue(name).add(name, data, jobOptions(options));
      if (job.id === undefined) throw new Error(`BullMQ returned no id for a job of ${name}`);
      // A deduplicated add answers the unfinished job's id instead of the one asked for.
      const deduplicated = options?.jobId !== undefined && job.id !== options.jobId;
      return { jobId: job.id, created: !existed && !deduplicated };
    },
    async enqueueMany(name, jobs) {
      if (jobs.length === 0) return [];
      const existed = await existingIds(
        name,
        jobs.map((job) => job.options.jobId),
      );
      const added = await untypedQueue(name).addBulk(
        jobs.map((job) => ({
          name: name,
          data: payloadSchemas[name].parse(job.payload),
          opts: jobOptions(job.options),
        })),
      );
      return added.map((job, index) => ({ jobId: job.id ?? '', created: !existed[index] }));
    },
    async enqueueMonitoringTask(job) {
      const reason = job.reason ?? 'manual';
      const dueAt = job.dueAt ?? Date.now();
      const jobId = monitoringJobId(job.type, job.taskId, reason, dueAt);
      const queue = queueOfTaskType[job.type];
      return queues.enqueue(
        queue,
        { taskId: job.taskId, userId: job.userId, reason, dueAt },
        job.reuseUnfinished === true
          ? { jobId, deduplicationId: `${queue}.${job.taskId}.${reason}` }
          : { jobId },
      );
    },
    async depths() {
      const names = Object.values(queueNames);
      const counts = await Promise.all(
        names.map((name) =>
          untypedQueue(name).getJobCountByTypes('waiting', 'delayed', 'active', 'prioritized'),
        ),
      );
      return Object.fromEntries(names.map((name, index) => [name, counts[index] ?? 0])) as Record<
        QueueName,
        number
      >;
    },
    async close() {
      await Promise.all([...opened.values()].map((opened) => opened.close()));
      opened.clear();
    },
  };
  return queues;
}
