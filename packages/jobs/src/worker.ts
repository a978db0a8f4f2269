import { UnrecoverableError, WaitingError, Worker, type Job, type WorkerOptions } from 'bullmq';
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

/** The abort reason of jobs cancelled because their worker is shutting down (`cancelForShutdown`). */
export class WorkerShutdownError extends Error {
  constructor() {
    super('the worker is shutting down');
    this.name = 'WorkerShutdownError';
  }
}

/** True when `signal` was aborted by `cancelForShutdown`, not by the job's own cancellation or a timeout. */
export function isShutdownAbort(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof WorkerShutdownError;
}

/** Aborts every active job of `worker` with `WorkerShutdownError`; `createJobWorker` hands them back to the queue. */
export function cancelForShutdown(worker: Worker): void {
  // BullMQ types the reason as a string but hands it to `AbortController.abort`, which takes any value; an
  // instance lets `isShutdownAbort` tell a shutdown from any other abort without matching on text.
  worker.cancelAllJobs(new WorkerShutdownError() as unknown as string);
}

/**
 * Creates a BullMQ worker for one queue whose processor receives a validated payload.
 * A payload that does not match the queue's schema can never succeed, so it fails without retries.
 * A job aborted by `cancelForShutdown` goes back to the queue without using an attempt: the shutdown is
 * not the job's failure, and waiting for a retry backoff or the stalled-job check would only delay it.
 */
export function createJobWorker<Q extends QueueName, R = unknown>(
  name: Q,
  processor: JobProcessor<Q, R>,
  options: JobWorkerOptions,
): Worker<PayloadOf<Q>, R, string> {
  const { connection, prefix, autorun = true, ...rest } = options;
  return new Worker<PayloadOf<Q>, R, string>(
    name,
    async (job, token, signal) => {
      const parsed = payloadSchemas[name].safeParse(job.data);
      if (!parsed.success) {
        throw new UnrecoverableError(
          `invalid ${name} payload: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`,
        );
      }
      const jobSignal = signal ?? new AbortController().signal;
      try {
        return await processor(job, parsed.data as PayloadOf<Q>, jobSignal);
      } catch (error) {
        if (!isShutdownAbort(jobSignal) || token === undefined) throw error;
        await job.moveToWait(token);
        throw new WaitingError();
      }
    },
    { ...rest, connection, prefix: queuePrefix(prefix), autorun },
  );
}

/** True when the attempt running now is the job's last one (no BullMQ retry follows a failure). */
export function isFinalAttempt(job: Pick<Job, 'attemptsMade' | 'opts'>): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}
