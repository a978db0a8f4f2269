import {
  isFinalAttempt,
  isShutdownAbort,
  UnrecoverableError,
  type Job,
  type MonitoringTaskPayload,
  type MonitoringTaskType,
} from '@switchyard/jobs';
import { classifyFailure, workerLostFailure } from '../failures.js';
import type { LatestResultQuery, TaskOutcome, TaskRow, TaskState } from '../task-state/index.js';

/** What a monitoring job returns to BullMQ (kept small: it is stored in Redis). */
export interface MonitoringJobResult {
  outcome: 'success' | 'skipped' | 'duplicate' | 'missing';
  reason?: string;
}

/** Why an attempt is not run after the crashes before it made its task need a person. */
const stoppedFailure = {
  ...workerLostFailure,
  message: 'not run: earlier attempts stopped their workers, and the task now needs intervention',
};

/** The part of a processor specific to its task type; `latestResult` is there when the processor asked for it. */
export type TaskBody = (
  task: TaskRow,
  payload: MonitoringTaskPayload,
  signal: AbortSignal,
  latestResult: Record<string, unknown> | undefined,
) => Promise<TaskOutcome>;

/**
 * Runs one attempt of a monitoring task through the shared state machine: begin (log `running`, or skip),
 * the body, then success or a classified failure. Permanent failures end the job (`UnrecoverableError`);
 * transient ones are rethrown so BullMQ retries with backoff, and only the last attempt counts on the task row.
 */
export async function runMonitoringTask(
  taskState: TaskState,
  type: MonitoringTaskType,
  job: Job,
  payload: MonitoringTaskPayload,
  signal: AbortSignal,
  body: TaskBody,
  latest?: LatestResultQuery,
): Promise<MonitoringJobResult> {
  const begun = await taskState.begin(
    type,
    payload.taskId,
    { jobId: job.id ?? 'unknown', dueAt: payload.dueAt, attempt: job.attemptsMade + 1 },
    latest,
  );
  if (begun.outcome === 'skipped') return { outcome: 'skipped', reason: begun.reason };
  if (begun.outcome !== 'run') return { outcome: begun.outcome };
  if (begun.abandonedLogId !== undefined) {
    // An earlier delivery of this job died with its worker (BullMQ handed the stalled job on): that attempt is a
    // failure of the task, or a task that crashes every worker would be retried forever.
    const counted = await taskState.fail(type, payload.taskId, begun.abandonedLogId, workerLostFailure, true);
    if (counted.needsIntervention) {
      await taskState.fail(type, payload.taskId, begun.logId, stoppedFailure, false);
      throw new UnrecoverableError(`${workerLostFailure.failureClass}: ${stoppedFailure.message}`);
    }
  }
  let outcome: TaskOutcome;
  try {
    outcome = await body(begun.task, payload, signal, begun.latestResult);
  } catch (error) {
    const failure = classifyFailure(error);
    // A shutdown abort is not the task's failure: the log says so, the task row is untouched, and the job goes
    // back to the queue (createJobWorker) for another worker.
    const final = !isShutdownAbort(signal) && (!failure.retryable || isFinalAttempt(job));
    await taskState.fail(type, payload.taskId, begun.logId, failure, final);
    if (!failure.retryable && final)
      throw new UnrecoverableError(`${failure.failureClass}: ${failure.message}`);
    throw new Error(`${failure.failureClass}: ${failure.message}`);
  }
  const recorded = await taskState.finish(type, payload.taskId, begun.logId, payload.dueAt, outcome);
  if (recorded !== outcome.status) return { outcome: recorded, reason: 'already_checked_after_due_time' };
  const reason = typeof outcome.resultData.reason === 'string' ? outcome.resultData.reason : undefined;
  return reason === undefined ? { outcome: outcome.status } : { outcome: outcome.status, reason };
}
