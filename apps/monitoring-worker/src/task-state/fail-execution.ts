/*
 * fail: records a failed attempt. One statement, one round trip, one commit, always synchronous.
 *
 * Parameters: the task type, the task id, the attempt's log id (from `begin`), the classified failure, and
 * `final`: whether this is the job's last attempt (earlier attempts are BullMQ's short retries).
 *
 * Guarantees: atomic, and it locks the task row first. It always sets the attempt's log to `failed` with the
 * failure class. Only when `final` it also counts the failure on the task row (`consecutive_failures`,
 * `failure_pattern` with the last 7 days, a backoff `next_check` from `retryDelayMs`), decides whether the
 * task needs a person (3 failures in a row, 5 in 7 days, or a failure only the user can fix), and inserts one
 * `usage_alerts` row when the task newly needs one and no alert of that task is still open (`condition_key`).
 *
 * An attempt whose log already says `success` (a delivery presumed lost that finished after all) is left alone
 * and counts nothing.
 *
 * Run twice: the log row is just rewritten, but a final run is not idempotent: each one counts one more
 * failure on the task and backs it off further. The alert is written only while the task is not
 * `needs_intervention` yet, so a task already waiting for a person is not alerted again.
 */
import type { MonitoringTaskType } from '@switchyard/jobs';
import { usageAlerts } from '@switchyard/db/platform';
import type { ClassifiedFailure, FailureClass } from '../failures.js';
import { columnsOf, tableName } from '../schema-names.js';
import { monitoringTables } from './monitoring-tables.js';
import { retryDelayMs } from './retry-delay.js';
import { createStatement, type StatementContext } from './statement.js';
import { toDate } from './to-date.js';

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

/** Creates `fail`, which records a failed attempt and, on the last attempt, counts it on the task. */
export function createFailExecution(context: StatementContext) {
  return async function fail(
    type: MonitoringTaskType,
    taskId: string,
    logId: number,
    failure: ClassifiedFailure,
    final: boolean,
  ): Promise<FailureResult> {
    const { tasks, logs } = monitoringTables[type];
    const taskColumn = columnsOf(tasks, [
      'id',
      'user_id',
      'status',
      'consecutive_failures',
      'failure_pattern',
      'last_check',
      'last_failure',
      'failure_reason',
      'next_check',
    ]);
    const logColumn = columnsOf(logs, [
      'id',
      'status',
      'error_message',
      'result_data',
      'execution_time_ms',
      'execution_date',
    ]);
    const alertColumn = columnsOf(usageAlerts, [
      'user_id',
      'alert_type',
      'severity',
      'message',
      'details',
      'condition_key',
      'acknowledged_at',
    ]);
    const at = context.now();
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
        retryDelayMs(context.retry, index + 1, () => jitterDraw),
      ),
    );
    const taskLabel = statement.value(`A ${type.replace('_', ' ')} monitoring task `);
    const log = statement.value(logId);
    const logData = statement.value(
      JSON.stringify({ failureClass: failure.failureClass, willRetry: !final }),
    );
    const isFinal = statement.value(final);
    const failureReason = statement.value(`${failure.failureClass}: ${failure.message}`.slice(0, 1_000));
    const severity = statement.value(failure.needsUser ? 'critical' : 'warning');
    const taskType = statement.value(type);
    const tasksTable = tableName(tasks);
    const logsTable = tableName(logs);
    statement.text = `
      with locked as materialized (
        select ${taskColumn.id}, ${taskColumn.user_id}, ${taskColumn.status},
          ${taskColumn.consecutive_failures},
          case when jsonb_typeof(${taskColumn.failure_pattern}) = 'object' then ${taskColumn.failure_pattern}
            else '{}'::jsonb end as pattern
        from ${tasksTable} where ${taskColumn.id} = ${task}::uuid for update
      ),
      log_update as (
        update ${logsTable}
        set ${logColumn.status} = 'failed', ${logColumn.error_message} = ${errorMessage}::text,
          ${logColumn.result_data} = coalesce(${logColumn.result_data}, '{}'::jsonb) || ${logData}::jsonb,
          ${logColumn.execution_time_ms} = greatest(0,
            (extract(epoch from (${atValue}::timestamptz - ${logColumn.execution_date})) * 1000)::int)
        -- A delivery BullMQ believed lost may still finish: its success is never turned into a failure.
        where ${logColumn.id} = ${log}::bigint and ${logColumn.status} <> 'success'
        returning 1
      ),
      counted as (
        select locked.*, ${taskColumn.consecutive_failures} + 1 as failures, jsonb_build_object(
            'recent', coalesce((
              select jsonb_agg(entry order by position)
              from jsonb_array_elements(case when jsonb_typeof(pattern->'recent') = 'array'
                then pattern->'recent' else '[]'::jsonb end) with ordinality as recent(entry, position)
              where (entry->>'at')::timestamptz > ${atValue}::timestamptz - interval '7 days'
            ), '[]'::jsonb)
              || jsonb_build_array(
                jsonb_build_object('at', ${atText}::text, 'failureClass', ${failureClass}::text)
              ),
            'byClass', (case when jsonb_typeof(pattern->'byClass') = 'object'
                then pattern->'byClass' else '{}'::jsonb end)
              || jsonb_build_object(
                ${failureClass}::text, coalesce((pattern->'byClass'->>${failureClass}::text)::int, 0) + 1
              ),
            'lastClass', ${failureClass}::text
          ) as next_pattern
        from locked where ${isFinal}::boolean and exists (select 1 from log_update)
      ),
      judged as (
        select counted.*,
          (${needsUser}::boolean or failures >= ${interventionConsecutive}
            or jsonb_array_length(next_pattern->'recent') >= ${interventionPerWeek}) as needs_intervention,
          -- Even a task that needs a person keeps a next check, so it resumes on its own once active again.
          ${atValue}::timestamptz + make_interval(
            secs => (${delays}::float8[])[least(failures, ${delaysPrecomputed})] / 1000
          ) as next_check
        from counted
      ),
      task_update as (
        update ${tasksTable} as task
        set ${taskColumn.last_check} = ${atValue}::timestamptz,
          ${taskColumn.last_failure} = ${atValue}::timestamptz,
          ${taskColumn.failure_reason} = ${failureReason},
          ${taskColumn.consecutive_failures} = judged.failures,
          ${taskColumn.failure_pattern} = judged.next_pattern,
          ${taskColumn.next_check} = judged.next_check,
          ${taskColumn.status} = case when judged.${taskColumn.status} = 'paused' then 'paused'
            when judged.needs_intervention then 'needs_intervention' else 'active' end
        from judged where task.${taskColumn.id} = judged.${taskColumn.id}
        returning 1
      ),
      alert as (
        insert into ${tableName(usageAlerts)} (
          ${alertColumn.user_id}, ${alertColumn.alert_type}, ${alertColumn.severity}, ${alertColumn.message},
          ${alertColumn.details}, ${alertColumn.condition_key}
        )
        select ${taskColumn.user_id}, 'monitoring_needs_intervention', ${severity},
          ${taskLabel}::text || case
            when ${needsUser}::boolean then 'needs you to reconnect or fix its settings'
            when failures >= ${interventionConsecutive} then 'failed ' || failures || ' times in a row'
            else 'failed ' || jsonb_array_length(next_pattern->'recent') || ' times in 7 days' end || '.',
          jsonb_build_object('taskType', ${taskType}::text, 'taskId', ${taskColumn.id},
            'failureClass', ${failureClass}::text, 'consecutiveFailures', failures,
            'error', ${errorMessage}::text),
          'monitoring_needs_intervention:' || ${taskType}::text || ':' || ${taskColumn.id}
        from judged where needs_intervention and ${taskColumn.status} <> 'needs_intervention'
        -- Still open from an earlier episode of this task (resumed, failed again): one alert per condition.
        on conflict (${alertColumn.user_id}, ${alertColumn.alert_type}, ${alertColumn.condition_key})
          where ${alertColumn.acknowledged_at} is null and ${alertColumn.condition_key} is not null
          do nothing
        returning 1
      )
      select locked.${taskColumn.consecutive_failures} as consecutive_failures, judged.failures,
        judged.next_check, judged.needs_intervention
      from locked left join judged on true`;
    const [row] = await context.run<{
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
  };
}
