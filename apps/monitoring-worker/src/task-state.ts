import { sql, type PlatformDatabase } from '@switchyard/db';

/** A platform-database transaction, as `persist` receives it. */
export type PlatformTransaction = Parameters<Parameters<PlatformDatabase['transaction']>[0]>[0];
import type { MonitoringTaskType } from '@switchyard/jobs';
import type { ClassifiedFailure, FailureClass } from './failures.js';
import { taskTables } from './task-tables.js';

/** How failed tasks come back: `now + min(baseMs * 2^(failures - 1), maxMs)`, with ±jitter. */
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  /** Fraction of the delay added or removed at random (default 0.2). */
  jitter?: number;
}

/** A task row as processors see it (snake_case, as stored). */
export type TaskRow = Record<string, unknown> & { id: string; user_id: string; status: string; consecutive_failures: number };

/** What a processor decided. `nextCheckAt` is when the task is due again. */
export interface TaskOutcome {
  status: 'success' | 'skipped';
  resultData: Record<string, unknown>;
  nextCheckAt: Date;
  /** Insights only: where the data came from. */
  dataSource?: 'cached' | 'api' | 'onboarding';
  /**
   * Writes the result (a snapshot, an analysis) in the same transaction that marks the attempt a success,
   * so a retried job can never leave two results for one success. Returns more result data for the log.
   */
  persist?: (transaction: PlatformTransaction) => Promise<Record<string, unknown>>;
}

/** Result of `begin`: run it, or why not (`duplicate` = this job already succeeded). */
export type BeginResult =
  | { outcome: 'run'; logId: number; task: TaskRow }
  | { outcome: 'missing' | 'duplicate' }
  | { outcome: 'skipped'; reason: string };

/** One job attempt of a task. */
export interface JobAttempt {
  jobId: string;
  /** The due time the job stands for; a success recorded after it makes the job redundant. */
  dueAt: number;
  attempt: number;
}

/** What `fail` did to the task. */
export interface FailureResult {
  consecutiveFailures: number;
  nextCheckAt: Date | undefined;
  needsIntervention: boolean;
}

interface FailureEntry {
  at: string;
  failureClass: FailureClass;
}

/** Stored in `failure_pattern`: recent final failures (7 days) and counts per class. */
export interface StoredFailurePattern {
  recent: FailureEntry[];
  byClass: Partial<Record<FailureClass, number>>;
  lastClass: FailureClass;
}

const weekMs = 7 * 24 * 3_600_000;
const interventionConsecutive = 3;
const interventionPerWeek = 5;

/** A timestamp column from a raw query, whichever way the driver hands it over. */
export function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') return new Date(value);
  return undefined;
}

/** The delay before a failed task's next check; exported for tests and the bench. */
export function retryDelayMs(policy: RetryPolicy, consecutiveFailures: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, consecutiveFailures - 1);
  const delay = Math.min(policy.baseMs * 2 ** Math.min(exponent, 30), policy.maxMs);
  const jitter = policy.jitter ?? 0.2;
  return Math.round(Math.min(delay * (1 - jitter + 2 * jitter * random()), policy.maxMs));
}

function nextPattern(previous: unknown, failure: ClassifiedFailure, now: Date): StoredFailurePattern {
  const stored = (previous ?? {}) as Partial<StoredFailurePattern>;
  const recent = (Array.isArray(stored.recent) ? stored.recent : []).filter((entry) => now.getTime() - Date.parse(entry.at) < weekMs);
  recent.push({ at: now.toISOString(), failureClass: failure.failureClass });
  const byClass = { ...(stored.byClass ?? {}) };
  byClass[failure.failureClass] = (byClass[failure.failureClass] ?? 0) + 1;
  return { recent, byClass, lastClass: failure.failureClass };
}

/** Options for `createTaskState`. */
export interface TaskStateOptions {
  db: PlatformDatabase;
  retry: RetryPolicy;
  now?: () => Date;
}

/** Execution-log and task-row transitions shared by every monitoring processor. */
export type TaskState = ReturnType<typeof createTaskState>;

/**
 * Creates the state machine of monitoring tasks: each attempt gets an execution log row (`running` first),
 * and the task row records the outcome. Every transition is one transaction with the task row locked,
 * so concurrent deliveries of one job cannot both succeed.
 */
export function createTaskState(options: TaskStateOptions) {
  const { db, retry } = options;
  const now = options.now ?? (() => new Date());

  /**
   * Starts an attempt in one statement (one round trip): decides run / paused / already-checked / duplicate,
   * closes a `running` log left by a worker that died on this job, and inserts the attempt's log row.
   */
  async function begin(type: MonitoringTaskType, taskId: string, attempt: JobAttempt): Promise<BeginResult> {
    const { tasks, logs } = taskTables[type];
    const marker = JSON.stringify({ jobId: attempt.jobId, attempt: attempt.attempt });
    const dueAt = new Date(attempt.dueAt).toISOString();
    const result = await db.execute<TaskRow & { decision: string; log_id: number | null }>(sql`
      with decided as (
        select task.*, case
            when exists (select 1 from ${sql.raw(logs)} where task_id = task.id and status = 'success' and result_data->>'jobId' = ${attempt.jobId}) then 'duplicate'
            when task.status = 'paused' then 'paused'
            when task.last_success >= ${dueAt}::timestamptz then 'already_checked_after_due_time'
            else 'run' end as decision
        from ${sql.raw(tasks)} as task where task.id = ${taskId}
      ),
      abandoned as (
        update ${sql.raw(logs)} set status = 'failed', error_message = 'the worker running this attempt stopped before finishing',
          execution_time_ms = (extract(epoch from (now() - execution_date)) * 1000)::int
        where task_id = ${taskId} and status = 'running' and result_data->>'jobId' = ${attempt.jobId}
          and exists (select 1 from decided where decision = 'run')
        returning 1
      ),
      inserted as (
        insert into ${sql.raw(logs)} (task_id, status, result_data, execution_time_ms)
        select id, case when decision = 'run' then 'running' else 'skipped' end,
          ${marker}::jsonb || case when decision = 'run' then '{}'::jsonb else jsonb_build_object('reason', decision) end,
          case when decision = 'run' then null else 0 end
        from decided where decision <> 'duplicate'
        returning id
      )
      select decided.*, (select id from inserted) as log_id, (select count(*) from abandoned) as abandoned from decided`);
    const row = result.rows[0];
    if (row === undefined) return { outcome: 'missing' };
    if (row.decision === 'duplicate') return { outcome: 'duplicate' };
    if (row.decision !== 'run') return { outcome: 'skipped', reason: row.decision };
    return { outcome: 'run', logId: Number(row.log_id), task: row };
  }

  /**
   * Records the outcome. With the task row locked, a success recorded since this job's due time (another
   * delivery of it, or another job of the task that finished first) turns this attempt into a skipped duplicate,
   * so concurrent deliveries leave exactly one success and one result. Without `persist` it is one statement.
   */
  async function finish(type: MonitoringTaskType, taskId: string, logId: number, dueAt: number, outcome: TaskOutcome): Promise<'success' | 'skipped'> {
    const { tasks, logs } = taskTables[type];
    const at = now().toISOString();
    const due = new Date(dueAt).toISOString();
    const elapsed = sql`greatest(0, (extract(epoch from (${at}::timestamptz - execution_date)) * 1000)::int)`;
    const dataSource = type === 'platform_insights' && outcome.dataSource !== undefined ? sql`, data_source = ${outcome.dataSource}` : sql``;
    const success = outcome.status === 'success' ? sql`, last_success = ${at}::timestamptz, consecutive_failures = 0, failure_reason = null` : sql``;
    const record = (resultData: Record<string, unknown>) => sql`
      log_update as (
        update ${sql.raw(logs)} set status = case when (select duplicate from locked) then 'skipped' else ${outcome.status} end,
          result_data = coalesce(result_data, '{}'::jsonb) || case when (select duplicate from locked)
            then '{"reason":"already_checked_after_due_time"}'::jsonb else ${JSON.stringify(resultData)}::jsonb end,
          execution_time_ms = ${elapsed} ${dataSource}
        where id = ${logId}
        returning 1
      ),
      task_update as (
        update ${sql.raw(tasks)} set last_check = ${at}::timestamptz, next_check = ${outcome.nextCheckAt.toISOString()}::timestamptz,
          status = case when status = 'paused' then status else 'active' end ${success}
        where id = ${taskId} and not (select duplicate from locked)
        returning 1
      )
      select (select duplicate from locked) as duplicate, (select count(*) from log_update) as logs, (select count(*) from task_update) as tasks`;
    const locked = sql`locked as (select coalesce(last_success >= ${due}::timestamptz, false) as duplicate from ${sql.raw(tasks)} where id = ${taskId} for update)`;

    if (outcome.persist === undefined) {
      const result = await db.execute<{ duplicate: boolean }>(sql`with ${locked}, ${record(outcome.resultData)}`);
      return result.rows[0]?.duplicate === true ? 'skipped' : outcome.status;
    }
    const persist = outcome.persist;
    return db.transaction(async (transaction) => {
      const check = await transaction.execute<{ duplicate: boolean }>(
        sql`select coalesce(last_success >= ${due}::timestamptz, false) as duplicate from ${sql.raw(tasks)} where id = ${taskId} for update`,
      );
      const resultData = check.rows[0]?.duplicate === true ? outcome.resultData : { ...outcome.resultData, ...(await persist(transaction)) };
      const result = await transaction.execute<{ duplicate: boolean }>(sql`with ${locked}, ${record(resultData)}`);
      return result.rows[0]?.duplicate === true ? 'skipped' : outcome.status;
    });
  }

  async function fail(type: MonitoringTaskType, taskId: string, logId: number, failure: ClassifiedFailure, final: boolean): Promise<FailureResult> {
    const { tasks, logs } = taskTables[type];
    const at = now();
    return db.transaction(async (transaction) => {
      const locked = await transaction.execute<TaskRow>(sql`select * from ${sql.raw(tasks)} where id = ${taskId} for update`);
      await transaction.execute(
        sql`update ${sql.raw(logs)} set status = 'failed', error_message = ${failure.message},
              result_data = coalesce(result_data, '{}'::jsonb) || ${JSON.stringify({ failureClass: failure.failureClass, willRetry: !final })}::jsonb,
              execution_time_ms = greatest(0, (extract(epoch from (${at.toISOString()}::timestamptz - execution_date)) * 1000)::int)
            where id = ${logId}`,
      );
      const task = locked.rows[0];
      // Only the job's last attempt counts against the task; earlier attempts are BullMQ's short retries.
      if (task === undefined || !final) return { consecutiveFailures: task?.consecutive_failures ?? 0, nextCheckAt: undefined, needsIntervention: false };

      const consecutiveFailures = task.consecutive_failures + 1;
      const pattern = nextPattern(task.failure_pattern, failure, at);
      const needsIntervention =
        failure.needsUser || consecutiveFailures >= interventionConsecutive || pattern.recent.length >= interventionPerWeek;
      // Even a task that needs a person keeps a next check, so it resumes on its own once set back to active.
      const nextCheckAt = new Date(at.getTime() + retryDelayMs(retry, consecutiveFailures));
      const status = task.status === 'paused' ? 'paused' : needsIntervention ? 'needs_intervention' : 'active';
      await transaction.execute(
        sql`update ${sql.raw(tasks)} set last_check = ${at.toISOString()}::timestamptz, last_failure = ${at.toISOString()}::timestamptz,
              failure_reason = ${`${failure.failureClass}: ${failure.message}`.slice(0, 1_000)}, consecutive_failures = ${consecutiveFailures},
              failure_pattern = ${JSON.stringify(pattern)}::jsonb, next_check = ${nextCheckAt.toISOString()}::timestamptz, status = ${status}
            where id = ${taskId}`,
      );
      if (needsIntervention && task.status !== 'needs_intervention') {
        const why = failure.needsUser
          ? 'needs you to reconnect or fix its settings'
          : consecutiveFailures >= interventionConsecutive
            ? `failed ${consecutiveFailures} times in a row`
            : `failed ${pattern.recent.length} times in 7 days`;
        await transaction.execute(
          sql`insert into usage_alerts (user_id, alert_type, severity, message, details)
              values (${task.user_id}, 'monitoring_needs_intervention', ${failure.needsUser ? 'critical' : 'warning'},
                      ${`A ${type.replace('_', ' ')} monitoring task ${why}.`},
                      ${JSON.stringify({ taskType: type, taskId, failureClass: failure.failureClass, consecutiveFailures, error: failure.message })}::jsonb)`,
        );
      }
      return { consecutiveFailures, nextCheckAt, needsIntervention };
    });
  }

  return { begin, finish, fail };
}
