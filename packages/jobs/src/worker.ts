import { UnrecoverableError, Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { queuePrefix } from './connection.js';
import { payloadSchemas, type PayloadOf } from './payloads.js';
import type { QueueName } from './queue-names.js';

/** A typed processor: the payload is already validated; `signal` aborts when the job is cancelled or the worker shuts down. */
export type JobProcessor<Q extends QueueName, R = unknown> = (
  job: Job<PayloadOf<Q>, R, string>,
  payload: PayloadOf<Q>,
  signal: AbortSignal,
) => Promise<R>;

/** Options for `createJobWorker`. */
export interface JobWorkerOptions extends Omit<WorkerOptions, 'connection' | 'prefix' | 'autorun'> {
  /** Use `createRedisConnection(url, { role: 'worker' })`: BullMQ needs `maxRetriesPerRequest: null`. */
  connection: Redis;
  prefix: string;
  /** Start fetching jobs at once (default true). */
  autorun?: boolean;
}

/**
 * Creates a BullMQ worker for one queue whose processor receives a validated payload.
 * A payload that does not match the queue's schema can never succeed, so it fails without retries.
 */
export function createJobWorker<Q extends QueueName, R = unknown>(
  name: Q,
  processor: JobProcessor<Q, R>,
  options: JobWorkerOptions,
): Worker<PayloadOf<Q>, R, string> {
  const { connection, prefix, autorun = true, ...rest } = options;
  return new Worker<PayloadOf<Q>, R, string>(
    name,
    async (job, _token, signal) => {
      const parsed = payloadSchemas[name].safeParse(job.data);
      if (!parsed.success) {
        throw new UnrecoverableError(`invalid ${name} payload: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
      }
      return processor(job, parsed.data as PayloadOf<Q>, signal ?? new AbortController().signal);
    },
    { ...rest, connection, prefix: queuePrefix(prefix), autorun },
  );
}

/** True when the attempt running now is the job's last one (no BullMQ retry follows a failure). */
export function isFinalAttempt(job: Pick<Job, 'attemptsMade' | 'opts'>): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}
