import { createHash } from 'node:crypto';
import type { PlatformDb } from '@switchyard/db';
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
export type TaskRow = Record<string, unknown> & {
  id: string;
  user_id: string;
  status: string;
  consecutive_failures: number;
};

/** What a processor decided. `nextCheckAt` is when the task is due again. */
export interface TaskOutcome {
  status: 'success' | 'skipped';
  resultData: Record<string, unknown>;
  nextCheckAt: Date;
  /** Insights only: where the data came from. */
  dataSource?: 'cached' | 'api' | 'onboarding';
  /** The result (an analysis, a snapshot), inserted by the statement that records the success. */
  result?: ResultRow;
}

/**
 * A result row written by the same statement that marks the attempt a success, so a retried job can never
 * leave two results for one success. Its id goes into the log's result data under `idKey`.
 */
export interface ResultRow {
  table: 'website_analyses' | 'competitor_analyses' | 'platform_insights';
  /** snake_case column -> value (objects become jsonb); omitted columns take their defaults. */
  row: Record<string, unknown>;
  idKey: string;
}

/**
 * The task's newest result row, read by the `begin` statement for a processor that compares against it (what
 * changed since the last analysis), instead of a separate query and round trip. `tables` are searched together,
 * so a task whose results may live in either of two tables needs no second statement.
 */
export interface LatestResultQuery {
  tables: readonly ResultRow['table'][];
  /** snake_case columns to return; `orderBy` is added when missing. */
  columns: readonly string[];
  /** The column that orders results, newest last. */
  orderBy: string;
}

/** Result of `begin`: run it, or why not (`duplicate` = this job already succeeded). */
export type BeginResult =
  | { outcome: 'run'; logId: number; task: TaskRow; latestResult: Record<string, unknown> | undefined }
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

/** Stored in `failure_pattern` (built by `fail`'s statement): recent final failures (7 days) and counts per class. */
export interface StoredFailurePattern {
  recent: FailureEntry[];
  byClass: Partial<Record<FailureClass, number>>;
  lastClass: FailureClass;
}

const interventionConsecutive = 3;
const interventionPerWeek = 5;
/** `retryDelayMs` stops growing past this many failures (its exponent is capped at 30). */
const delaysPrecomputed = 31;

/** A timestamp column from a raw query, whichever way the driver hands it over. */
export function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') return new Date(value);
  return undefined;
}

/** The delay before a failed task's next check; exported for tests and the bench. */
export function retryDelayMs(
  policy: RetryPolicy,
  consecutiveFailures: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, consecutiveFailures - 1);
  const delay = Math.min(policy.baseMs * 2 ** Math.min(exponent, 30), policy.maxMs);
  const jitter = policy.jitter ?? 0.2;
  return Math.round(Math.min(delay * (1 - jitter + 2 * jitter * random()), policy.maxMs));
}

/** A statement being built: `value` appends a parameter and returns its placeholder. */
interface Statement {
  text: string;
  values: unknown[];
  value(value: unknown): string;
}

function createStatement(): Statement {
  const statement: Statement = {
    text: '',
    values: [],
    value(value) {
      statement.values.push(value);
      return `$${statement.values.length}`;
    },
  };
  return statement;
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A scalar subquery giving the newest row of `latest` for the task (placeholder `task`) as jsonb, or null. */
function latestResultSelect(latest: LatestResultQuery, task: string): string {
  const columns = [...new Set([...latest.columns, latest.orderBy])].map(quoteIdentifier).join(', ');
  const perTable = latest.tables.map(
    (table) => `select ${columns} from ${quoteIdentifier(table)} where task_id = ${task}::uuid`,
  );
  return `(select to_jsonb(newest) from (${perTable.join(' union all ')} order by ${quoteIdentifier(latest.orderBy)} desc limit 1) as newest)`;
}

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
  const { platform, retry } = options;
  const now = options.now ?? (() => new Date());
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
  const statementNames = new Map<string, string>();

  /** Runs a statement as a named prepared statement: each connection parses and plans it once, not per call. */
  async function prepared<Row extends Record<string, unknown>>(statement: Statement): Promise<Row[]> {
    let name = statementNames.get(statement.text);
    if (name === undefined) {
      name = `sy_task_state_${createHash('sha1').update(statement.text).digest('hex').slice(0, 20)}`;
      statementNames.set(statement.text, name);
    }
    return (await platform.pool.query<Row>({ name, text: statement.text, values: statement.values })).rows;
  }

  /**
   * Starts an attempt in one statement (one round trip): decides run / paused / already-checked / duplicate,
   * closes a `running` log left by a worker that died on this job, and inserts the attempt's log row.
   */
  async function begin(
    type: MonitoringTaskType,
    taskId: string,
    attempt: JobAttempt,
    latest?: LatestResultQuery,
  ): Promise<BeginResult> {
    const { tasks, logs } = taskTables[type];
    const statement = createStatement();
    const task = statement.value(taskId);
    const jobId = statement.value(attempt.jobId);
    const latestResult = latest === undefined ? `null::jsonb` : latestResultSelect(latest, task);
    statement.text = `
      with decided as (
        select task.*, case
            when exists (select 1 from ${logs} where task_id = task.id and status = 'success' and result_data->>'jobId' = ${jobId}::text) then 'duplicate'
            when task.status = 'paused' then 'paused'
            when task.last_success >= ${statement.value(new Date(attempt.dueAt).toISOString())}::timestamptz then 'already_checked_after_due_time'
            else 'run' end as decision
        from ${tasks} as task where task.id = ${task}::uuid
      ),
      abandoned as (
        update ${logs} set status = 'failed', error_message = 'the worker running this attempt stopped before finishing',
          execution_time_ms = (extract(epoch from (now() - execution_date)) * 1000)::int
        where task_id = ${task}::uuid and status = 'running' and result_data->>'jobId' = ${jobId}::text
          and exists (select 1 from decided where decision = 'run')
        returning 1
      ),
      inserted as (
        insert into ${logs} (task_id, status, result_data, execution_time_ms)
        select id, case when decision = 'run' then 'running' else 'skipped' end,
          ${statement.value(JSON.stringify({ jobId: attempt.jobId, attempt: attempt.attempt }))}::jsonb
            || case when decision = 'run' then '{}'::jsonb else jsonb_build_object('reason', decision) end,
          case when decision = 'run' then null else 0 end
        from decided where decision <> 'duplicate'
        returning id
      )
      select decided.*, (select id from inserted) as log_id, (select count(*) from abandoned) as abandoned,
        case when decision = 'run' then ${latestResult} end as latest_result, ${commitMode} as commit_mode
      from decided`;
    const [row] = await prepared<
      TaskRow & { decision: string; log_id: number | null; latest_result: Record<string, unknown> | null }
    >(statement);
    if (row === undefined) return { outcome: 'missing' };
    if (row.decision === 'duplicate') return { outcome: 'duplicate' };
    if (row.decision !== 'run') return { outcome: 'skipped', reason: row.decision };
    return {
      outcome: 'run',
      logId: Number(row.log_id),
      task: row,
      latestResult: row.latest_result ?? undefined,
    };
  }

  /**
   * Records the outcome in one statement (one round trip, one commit): locks the task row, and unless a success
   * was recorded since this job's due time (another delivery of it, or another job of the task that finished
   * first; then this attempt becomes a skipped duplicate) inserts the result row, closes the attempt's log and
   * updates the task. Concurrent deliveries therefore leave exactly one success and one result.
   */
  async function finish(
    type: MonitoringTaskType,
    taskId: string,
    logId: number,
    dueAt: number,
    outcome: TaskOutcome,
  ): Promise<'success' | 'skipped'> {
    const { tasks, logs } = taskTables[type];
    const statement = createStatement();
    const task = statement.value(taskId);
    const at = statement.value(now().toISOString());
    const succeeded = statement.value(outcome.status === 'success');
    const resultRow = outcome.result;
    // Table and column names come from our processors' code, never from input; quoted anyway.
    const columns = resultRow === undefined ? '' : Object.keys(resultRow.row).map(quoteIdentifier).join(', ');
    const inserted =
      resultRow === undefined
        ? ''
        : `inserted as (
            insert into ${quoteIdentifier(resultRow.table)} (${columns})
            select ${columns} from jsonb_populate_record(null::${quoteIdentifier(resultRow.table)}, ${statement.value(JSON.stringify(resultRow.row))}::jsonb)
            where (select not duplicate and log_exists from locked)
            returning id
          ),`;
    const insertedId =
      resultRow === undefined
        ? `'{}'::jsonb`
        : `jsonb_build_object(${statement.value(resultRow.idKey)}::text, (select id from inserted))`;
    const dataSource =
      type === 'platform_insights'
        ? `, data_source = coalesce(${statement.value(outcome.dataSource ?? null)}::text, data_source)`
        : '';
    const log = statement.value(logId);
    // `log_exists` guards every write: without the attempt's log row the statement writes nothing.
    statement.text = `
      with locked as (
        select coalesce(last_success >= ${statement.value(new Date(dueAt).toISOString())}::timestamptz, false) as duplicate,
          exists (select 1 from ${logs} where id = ${log}::bigint and task_id = ${task}::uuid) as log_exists
        from ${tasks} where id = ${task}::uuid for update
      ),
      ${inserted}
      log_update as (
        update ${logs} set status = case when (select duplicate from locked) then 'skipped' else ${statement.value(outcome.status)}::text end,
          result_data = coalesce(result_data, '{}'::jsonb) || case when (select duplicate from locked)
            then '{"reason":"already_checked_after_due_time"}'::jsonb else ${statement.value(JSON.stringify(outcome.resultData))}::jsonb || ${insertedId} end,
          execution_time_ms = greatest(0, (extract(epoch from (${at}::timestamptz - execution_date)) * 1000)::int) ${dataSource}
        where id = ${log}::bigint and task_id = ${task}::uuid
        returning 1
      ),
      task_update as (
        update ${tasks} set last_check = ${at}::timestamptz, next_check = ${statement.value(outcome.nextCheckAt.toISOString())}::timestamptz,
          status = case when status = 'paused' then status else 'active' end,
          last_success = case when ${succeeded}::boolean then ${at}::timestamptz else last_success end,
          consecutive_failures = case when ${succeeded}::boolean then 0 else consecutive_failures end,
          failure_reason = case when ${succeeded}::boolean then null else failure_reason end
        where id = ${task}::uuid and not (select duplicate from locked) and exists (select 1 from log_update)
        returning 1
      )
      select (select duplicate from locked) as duplicate, (select count(*) from log_update)::int as logs, ${commitMode} as commit_mode`;
    const [row] = await prepared<{ duplicate: boolean; logs: number }>(statement);
    // The attempt's log row does not exist: with asynchronous commit a database crash lost \`begin\`. Nothing was
    // written; failing lets BullMQ retry the job with a fresh log row.
    if (row === undefined || row.logs === 0)
      throw new Error(`execution log ${logId} of ${type} task ${taskId} is gone; not recording the outcome`);
    return row.duplicate ? 'skipped' : outcome.status;
  }

  /**
   * Records a failed attempt in one statement (one round trip, one commit, always synchronous): locks the task
   * row and sets the attempt's log to `failed`. On the job's last attempt it also counts the failure on the task
   * (`consecutive_failures`, `failure_pattern` with the last 7 days, backoff `next_check`), decides whether the
   * task needs a person, and writes the `usage_alerts` row when it newly does.
   */
  async function fail(
    type: MonitoringTaskType,
    taskId: string,
    logId: number,
    failure: ClassifiedFailure,
    final: boolean,
  ): Promise<FailureResult> {
    const { tasks, logs } = taskTables[type];
    const at = now();
    const statement = createStatement();
    const task = statement.value(taskId);
    const atValue = statement.value(at.toISOString());
    // Its own parameter: one used as both timestamptz and text would come back in Postgres's format, not ISO.
    const atText = statement.value(at.toISOString());
    const errorMessage = statement.value(failure.message);
    const failureClass = statement.value(failure.failureClass);
    const needsUser = statement.value(failure.needsUser);
    // Delays for 1..31 failures with one jitter draw: `retryDelayMs` stays the only place the backoff is defined.
    const jitterDraw = Math.random();
    const delays = statement.value(
      Array.from({ length: delaysPrecomputed }, (_unused, index) =>
        retryDelayMs(retry, index + 1, () => jitterDraw),
      ),
    );
    const taskLabel = statement.value(`A ${type.replace('_', ' ')} monitoring task `);
    statement.text = `
      with locked as materialized (
        select id, user_id, status, consecutive_failures,
          case when jsonb_typeof(failure_pattern) = 'object' then failure_pattern else '{}'::jsonb end as pattern
        from ${tasks} where id = ${task}::uuid for update
      ),
      log_update as (
        update ${logs} set status = 'failed', error_message = ${errorMessage}::text,
          result_data = coalesce(result_data, '{}'::jsonb) || ${statement.value(JSON.stringify({ failureClass: failure.failureClass, willRetry: !final }))}::jsonb,
          execution_time_ms = greatest(0, (extract(epoch from (${atValue}::timestamptz - execution_date)) * 1000)::int)
        where id = ${statement.value(logId)}::bigint
        returning 1
      ),
      counted as (
        select locked.*, consecutive_failures + 1 as failures, jsonb_build_object(
            'recent', coalesce((
              select jsonb_agg(entry order by position)
              from jsonb_array_elements(case when jsonb_typeof(pattern->'recent') = 'array' then pattern->'recent' else '[]'::jsonb end)
                with ordinality as recent(entry, position)
              where (entry->>'at')::timestamptz > ${atValue}::timestamptz - interval '7 days'
            ), '[]'::jsonb) || jsonb_build_array(jsonb_build_object('at', ${atText}::text, 'failureClass', ${failureClass}::text)),
            'byClass', (case when jsonb_typeof(pattern->'byClass') = 'object' then pattern->'byClass' else '{}'::jsonb end)
              || jsonb_build_object(${failureClass}::text, coalesce((pattern->'byClass'->>${failureClass}::text)::int, 0) + 1),
            'lastClass', ${failureClass}::text
          ) as next_pattern
        from locked where ${statement.value(final)}::boolean
      ),
      judged as (
        select counted.*,
          (${needsUser}::boolean or failures >= ${interventionConsecutive} or jsonb_array_length(next_pattern->'recent') >= ${interventionPerWeek}) as needs_intervention,
          -- Even a task that needs a person keeps a next check, so it resumes on its own once set back to active.
          ${atValue}::timestamptz + make_interval(secs => (${delays}::float8[])[least(failures, ${delaysPrecomputed})] / 1000) as next_check
        from counted
      ),
      task_update as (
        update ${tasks} as task set last_check = ${atValue}::timestamptz, last_failure = ${atValue}::timestamptz,
          failure_reason = ${statement.value(`${failure.failureClass}: ${failure.message}`.slice(0, 1_000))},
          consecutive_failures = judged.failures, failure_pattern = judged.next_pattern, next_check = judged.next_check,
          status = case when judged.status = 'paused' then 'paused' when judged.needs_intervention then 'needs_intervention' else 'active' end
        from judged where task.id = judged.id
        returning 1
      ),
      alert as (
        insert into usage_alerts (user_id, alert_type, severity, message, details)
        select user_id, 'monitoring_needs_intervention', ${statement.value(failure.needsUser ? 'critical' : 'warning')},
          ${taskLabel}::text || case
            when ${needsUser}::boolean then 'needs you to reconnect or fix its settings'
            when failures >= ${interventionConsecutive} then 'failed ' || failures || ' times in a row'
            else 'failed ' || jsonb_array_length(next_pattern->'recent') || ' times in 7 days' end || '.',
          jsonb_build_object('taskType', ${statement.value(type)}::text, 'taskId', id, 'failureClass', ${failureClass}::text,
            'consecutiveFailures', failures, 'error', ${errorMessage}::text)
        from judged where needs_intervention and status <> 'needs_intervention'
        returning 1
      )
      select locked.consecutive_failures, judged.failures, judged.next_check, judged.needs_intervention
      from locked left join judged on true`;
    const [row] = await prepared<{
      consecutive_failures: number;
      failures: number | null;
      next_check: unknown;
      needs_intervention: boolean | null;
    }>(statement);
    // Only the job's last attempt counts against the task; earlier attempts are BullMQ's short retries.
    if (row === undefined || row.failures === null)
      return {
        consecutiveFailures: row?.consecutive_failures ?? 0,
        nextCheckAt: undefined,
        needsIntervention: false,
      };
    return {
      consecutiveFailures: row.failures,
      nextCheckAt: toDate(row.next_check),
      needsIntervention: row.needs_intervention === true,
    };
  }

  return { begin, finish, fail };
}
