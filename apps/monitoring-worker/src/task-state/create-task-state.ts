import type { PlatformDb } from '@switchyard/db';
import type { MonitoringTaskType } from '@switchyard/jobs';
import { workerLostFailure } from '../failures.js';
import { createBeginExecution } from './begin-execution.js';
import { createCloseLostAttempt } from './close-lost-attempt.js';
import { createFailExecution } from './fail-execution.js';
import { createFinishExecution } from './finish-execution.js';
import type { RetryPolicy } from './retry-delay.js';
import { createPreparedRunner } from './statement.js';

/** Options for `createTaskState`. */
export interface TaskStateOptions {
  /** Every statement runs on its pool directly, as a named prepared statement. */
  platform: PlatformDb;
  retry: RetryPolicy;
  /**
   * Commit `begin` and `finish` without waiting for the WAL flush (default false). Safe, see `commitMode`;
   * the worker turns it on, failures and the dispatcher's lease always commit synchronously.
   */
  asynchronousCommit?: boolean;
  now?: () => Date;
}

/** Execution-log and task-row transitions shared by every monitoring processor. */
export type TaskState = ReturnType<typeof createTaskState>;

/**
 * Creates the state machine of monitoring tasks: each attempt gets an execution log row (`running` first),
 * and the task row records the outcome. `begin`, `finish` and `fail` are one statement each;
 * `finish` and `fail` lock the task row, so concurrent deliveries of one job cannot both succeed.
 */
export function createTaskState(options: TaskStateOptions) {
  /*
   * With asynchronous commit, a Postgres crash (not a worker crash) can lose the last few hundred ms of these
   * commits. Durability still holds for the task, because:
   * - The dispatcher's lease (`next_check` moved ahead) commits synchronously before the job exists. A lost
   *   `finish` loses its whole statement (log, task row, result: one transaction), so the task is not 'done':
   *   `last_success` and `next_check` keep their old values and the dispatcher claims it again when the lease
   *   runs out (a new due slot, so a new job id). A manual job's lost success leaves the regular schedule.
   * - WAL is flushed in order, so a lost `begin` means every later commit was lost too; a `finish` that runs
   *   after the crash finds no log row, records nothing and throws, so BullMQ retries the job.
   * - What can remain is a `running` log row of a lost finish; it never counts as a success.
   * `set_config(..., true)` lasts until the end of the statement's own transaction, which Postgres commits
   * with the setting still in force, so it costs no extra round trip and affects no other query on the connection.
   */
  const commitMode =
    options.asynchronousCommit === true ? `set_config('synchronous_commit', 'off', true)` : `'on'`;
  const context = {
    run: createPreparedRunner(options.platform),
    commitMode,
    retry: options.retry,
    now: options.now ?? (() => new Date()),
  };
  const fail = createFailExecution(context);
  const closeLostAttempt = createCloseLostAttempt(context);
  return {
    begin: createBeginExecution(context),
    finish: createFinishExecution(context),
    fail,
    /**
     * Counts a job BullMQ failed without our processor (its workers died on it past the stall limit) as a failure
     * of the task: closes or records its log, then `fail` as a final attempt. Undefined when the task is gone.
     */
    failLostJob: async (type: MonitoringTaskType, taskId: string, jobId: string) => {
      const logId = await closeLostAttempt(type, taskId, jobId, workerLostFailure.message);
      if (logId === undefined) return undefined;
      return fail(type, taskId, logId, workerLostFailure, true);
    },
  };
}
