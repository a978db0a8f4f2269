/*
 * begin: starts one attempt of a task. One statement, one round trip, one commit.
 *
 * Parameters: the task type (which task and log tables), the task id, the job attempt (job id, the due time
 * the job stands for, attempt number), and optionally which newest result row to read back
 * (`LatestResultQuery`).
 *
 * Guarantees: atomic. The decision (run / paused / already checked after the due time / duplicate), closing a
 * `running` log that a worker which died on this job left behind, and inserting this attempt's log row commit
 * together or not at all. It takes no lock on the task row, so two deliveries of one job can both be told to
 * run; `finish` locks the row and lets only one of them succeed. With `asynchronousCommit` it commits without
 * waiting for the WAL flush (why that is safe: `createTaskState`).
 *
 * Run twice: once this job has a success it answers `duplicate` and writes nothing. Otherwise the second run
 * marks the first run's `running` log `failed` (its worker is taken for dead, and `abandonedLogId` tells the
 * caller to count that on the task) and inserts its own `running` log; a paused task or one already checked after the due time gets one more `skipped` log each time.
 */
import type { MonitoringTaskType } from '@switchyard/jobs';
import { columnsOf, quoteIdentifier, tableName, type ColumnName } from '../schema-names.js';
import {
  monitoringTables,
  type ResultColumnName,
  type ResultTable,
  type ResultTableName,
} from './monitoring-tables.js';
import { createStatement, type StatementContext } from './statement.js';

/** A task row as processors see it (snake_case, as stored). */
export type TaskRow = Record<string, unknown> & {
  id: string;
  user_id: string;
  status: string;
  consecutive_failures: number;
};

/** One job attempt of a task. */
export interface JobAttempt {
  jobId: string;
  /** The due time the job stands for; a success recorded after it makes the job redundant. */
  dueAt: number;
  attempt: number;
}

/**
 * The task's newest result row, read by the `begin` statement for a processor that compares against it (what
 * changed since the last analysis), instead of a separate query and round trip. `tables` are searched together,
 * so a task whose results may live in either of two tables needs no second statement.
 */
export interface LatestResultQuery {
  tables: readonly ResultTableName[];
  /** snake_case columns to return; `orderBy` is added when missing. */
  columns: readonly ResultColumnName[];
  /** The column that orders results, newest last. */
  orderBy: ResultColumnName;
}

/** Result of `begin`: run it, or why not (`duplicate` = this job already succeeded). */
export type BeginResult =
  | {
      outcome: 'run';
      logId: number;
      task: TaskRow;
      latestResult: Record<string, unknown> | undefined;
      /** The `running` log of an earlier delivery of this job whose worker died (closed as `failed` now). */
      abandonedLogId: number | undefined;
    }
  | { outcome: 'missing' | 'duplicate' }
  | { outcome: 'skipped'; reason: string };

/** The column that ties a result row to its task; every result table has it. */
const resultTaskId: ColumnName<ResultTable> = 'task_id';

/** A scalar subquery giving the newest row of `latest` for the task (placeholder `task`) as jsonb, or null. */
function latestResultSelect(latest: LatestResultQuery, task: string): string {
  const columns = [...new Set([...latest.columns, latest.orderBy])].map(quoteIdentifier).join(', ');
  const taskIdColumn = quoteIdentifier(resultTaskId);
  const perTable = latest.tables.map(
    (table) => `select ${columns} from ${quoteIdentifier(table)} where ${taskIdColumn} = ${task}::uuid`,
  );
  const newest = `${perTable.join(' union all ')} order by ${quoteIdentifier(latest.orderBy)} desc limit 1`;
  return `(select to_jsonb(newest) from (${newest}) as newest)`;
}

/** Creates `begin`, which decides run / paused / already-checked / duplicate and logs the attempt. */
export function createBeginExecution(context: StatementContext) {
  return async function begin(
    type: MonitoringTaskType,
    taskId: string,
    attempt: JobAttempt,
    latest?: LatestResultQuery,
  ): Promise<BeginResult> {
    const { tasks, logs } = monitoringTables[type];
    const taskColumn = columnsOf(tasks, ['id', 'status', 'last_success']);
    const logColumn = columnsOf(logs, [
      'id',
      'task_id',
      'status',
      'result_data',
      'error_message',
      'execution_time_ms',
      'execution_date',
    ]);
    const tasksTable = tableName(tasks);
    const logsTable = tableName(logs);
    const statement = createStatement();
    const task = statement.value(taskId);
    const jobId = statement.value(attempt.jobId);
    const dueAt = statement.value(new Date(attempt.dueAt).toISOString());
    const attemptData = statement.value(JSON.stringify({ jobId: attempt.jobId, attempt: attempt.attempt }));
    const latestResult = latest === undefined ? `null::jsonb` : latestResultSelect(latest, task);
    statement.text = `
      with decided as (
        select task.*, case
            when exists (
              select 1 from ${logsTable}
              where ${logColumn.task_id} = task.${taskColumn.id} and ${logColumn.status} = 'success'
                and ${logColumn.result_data}->>'jobId' = ${jobId}::text
            ) then 'duplicate'
            when task.${taskColumn.status} = 'paused' then 'paused'
            when task.${taskColumn.last_success} >= ${dueAt}::timestamptz
              then 'already_checked_after_due_time'
            else 'run' end as decision
        from ${tasksTable} as task where task.${taskColumn.id} = ${task}::uuid
      ),
      abandoned as (
        update ${logsTable}
        set ${logColumn.status} = 'failed',
          ${logColumn.error_message} = 'the worker running this attempt stopped before finishing',
          ${logColumn.execution_time_ms} =
            (extract(epoch from (now() - ${logColumn.execution_date})) * 1000)::int
        where ${logColumn.task_id} = ${task}::uuid and ${logColumn.status} = 'running'
          and ${logColumn.result_data}->>'jobId' = ${jobId}::text
          and exists (select 1 from decided where decision = 'run')
        returning ${logColumn.id}
      ),
      inserted as (
        insert into ${logsTable} (
          ${logColumn.task_id}, ${logColumn.status}, ${logColumn.result_data}, ${logColumn.execution_time_ms}
        )
        select ${taskColumn.id}, case when decision = 'run' then 'running' else 'skipped' end,
          ${attemptData}::jsonb
            || case when decision = 'run' then '{}'::jsonb else jsonb_build_object('reason', decision) end,
          case when decision = 'run' then null else 0 end
        from decided where decision <> 'duplicate'
        returning ${logColumn.id}
      )
      select decided.*, (select ${logColumn.id} from inserted) as log_id,
        (select max(${logColumn.id}) from abandoned) as abandoned_log_id,
        case when decision = 'run' then ${latestResult} end as latest_result,
        ${context.commitMode} as commit_mode
      from decided`;
    const [row] = await context.run<
      TaskRow & {
        decision: string;
        log_id: number | null;
        abandoned_log_id: number | string | null;
        latest_result: Record<string, unknown> | null;
      }
    >(statement);
    if (row === undefined) return { outcome: 'missing' };
    if (row.decision === 'duplicate') return { outcome: 'duplicate' };
    if (row.decision !== 'run') return { outcome: 'skipped', reason: row.decision };
    return {
      outcome: 'run',
      logId: Number(row.log_id),
      task: row,
      latestResult: row.latest_result ?? undefined,
      abandonedLogId: row.abandoned_log_id === null ? undefined : Number(row.abandoned_log_id),
    };
  };
}
