/*
 * finish: records the outcome of an attempt that ran. One statement, one round trip, one commit.
 *
 * Parameters: the task type, the task id, the attempt's log id (from `begin`), the due time the job stands
 * for, and the processor's outcome (status, log data, next check, optionally a result row to insert).
 *
 * Guarantees: atomic, and it locks the task row first. Unless a success was recorded since the due time
 * (another delivery of this job, or another job of the task that finished first), it inserts the result row,
 * closes the attempt's log and updates the task row together; otherwise the attempt becomes a `skipped`
 * duplicate and neither a result row nor the task row is written. Concurrent deliveries therefore leave
 * exactly one success and one result. Without the attempt's log row (a `begin` lost with an asynchronous
 * commit) it writes nothing and throws, so BullMQ retries the job with a fresh log row. With
 * `asynchronousCommit` it commits without waiting for the WAL flush (why that is safe: `createTaskState`).
 *
 * Run twice (a second delivery of the job, with the log row of its own `begin`): it finds the first one's
 * success after the due time, so it only marks its own log `skipped` (`already_checked_after_due_time`) and
 * answers `skipped`. Called again with the same log id it would relabel that log `skipped` the same way;
 * nothing does that.
 */
import type { MonitoringTaskType } from '@switchyard/jobs';
import { platformInsightsExecutionLogs } from '@switchyard/db/platform';
import { columnsOf, quoteIdentifier, tableName, type ColumnName } from '../schema-names.js';
import {
  monitoringTables,
  type ResultColumnOf,
  type ResultTable,
  type ResultTableName,
} from './monitoring-tables.js';
import { createStatement, type StatementContext } from './statement.js';

/**
 * A result row written by the same statement that marks the attempt a success, so a retried job can never
 * leave two results for one success. Its id goes into the log's result data under `idKey`.
 */
export type ResultRow = {
  [Name in ResultTableName]: {
    table: Name;
    /** snake_case column -> value (objects become jsonb); omitted columns take their defaults. */
    row: Partial<Record<ResultColumnOf<Name>, unknown>>;
    idKey: string;
  };
}[ResultTableName];

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

/** The primary key of every result table, whose value goes into the log under `idKey`. */
const resultId: ColumnName<ResultTable> = 'id';

/** Creates `finish`, which records an attempt's outcome, its result row and the task row in one statement. */
export function createFinishExecution(context: StatementContext) {
  return async function finish(
    type: MonitoringTaskType,
    taskId: string,
    logId: number,
    dueAt: number,
    outcome: TaskOutcome,
  ): Promise<'success' | 'skipped'> {
    const { tasks, logs } = monitoringTables[type];
    const taskColumn = columnsOf(tasks, [
      'id',
      'status',
      'last_check',
      'last_success',
      'next_check',
      'consecutive_failures',
      'failure_reason',
    ]);
    const logColumn = columnsOf(logs, [
      'id',
      'task_id',
      'status',
      'result_data',
      'execution_time_ms',
      'execution_date',
    ]);
    const insightsLogColumn = columnsOf(platformInsightsExecutionLogs, ['data_source']);
    const tasksTable = tableName(tasks);
    const logsTable = tableName(logs);
    const statement = createStatement();
    const task = statement.value(taskId);
    const log = statement.value(logId);
    const at = statement.value(context.now().toISOString());
    const due = statement.value(new Date(dueAt).toISOString());
    const succeeded = statement.value(outcome.status === 'success');
    const status = statement.value(outcome.status);
    const resultData = statement.value(JSON.stringify(outcome.resultData));
    const nextCheck = statement.value(outcome.nextCheckAt.toISOString());
    const resultRow = outcome.result;
    const resultIdColumn = quoteIdentifier(resultId);
    let inserted = '';
    let insertedId = `'{}'::jsonb`;
    if (resultRow !== undefined) {
      // Names checked against the schema by `ResultRow`, set by our processors, never input; quoted anyway.
      const resultTable = quoteIdentifier(resultRow.table);
      const columns = Object.keys(resultRow.row).map(quoteIdentifier).join(', ');
      const values = statement.value(JSON.stringify(resultRow.row));
      inserted = `inserted as (
            insert into ${resultTable} (${columns})
            select ${columns} from jsonb_populate_record(null::${resultTable}, ${values}::jsonb)
            where (select not duplicate and log_exists from locked)
            returning ${resultIdColumn}
          ),`;
      const idKey = statement.value(resultRow.idKey);
      insertedId = `jsonb_build_object(${idKey}::text, (select ${resultIdColumn} from inserted))`;
    }
    const dataSource =
      type === 'platform_insights'
        ? `, ${insightsLogColumn.data_source} =
            coalesce(${statement.value(outcome.dataSource ?? null)}::text, ${insightsLogColumn.data_source})`
        : '';
    // `log_exists` guards every write: without the attempt's log row the statement writes nothing.
    statement.text = `
      with locked as (
        select coalesce(${taskColumn.last_success} >= ${due}::timestamptz, false) as duplicate,
          exists (
            select 1 from ${logsTable}
            where ${logColumn.id} = ${log}::bigint and ${logColumn.task_id} = ${task}::uuid
          ) as log_exists
        from ${tasksTable} where ${taskColumn.id} = ${task}::uuid for update
      ),
      ${inserted}
      log_update as (
        update ${logsTable}
        set ${logColumn.status} =
            case when (select duplicate from locked) then 'skipped' else ${status}::text end,
          ${logColumn.result_data} = coalesce(${logColumn.result_data}, '{}'::jsonb)
            || case when (select duplicate from locked)
              then '{"reason":"already_checked_after_due_time"}'::jsonb
              else ${resultData}::jsonb || ${insertedId} end,
          ${logColumn.execution_time_ms} =
            greatest(0, (extract(epoch from (${at}::timestamptz - ${logColumn.execution_date})) * 1000)::int)
          ${dataSource}
        where ${logColumn.id} = ${log}::bigint and ${logColumn.task_id} = ${task}::uuid
        returning 1
      ),
      task_update as (
        update ${tasksTable}
        set ${taskColumn.last_check} = ${at}::timestamptz,
          ${taskColumn.next_check} = ${nextCheck}::timestamptz,
          ${taskColumn.status} =
            case when ${taskColumn.status} = 'paused' then ${taskColumn.status} else 'active' end,
          ${taskColumn.last_success} =
            case when ${succeeded}::boolean then ${at}::timestamptz else ${taskColumn.last_success} end,
          ${taskColumn.consecutive_failures} =
            case when ${succeeded}::boolean then 0 else ${taskColumn.consecutive_failures} end,
          ${taskColumn.failure_reason} =
            case when ${succeeded}::boolean then null else ${taskColumn.failure_reason} end
        where ${taskColumn.id} = ${task}::uuid and not (select duplicate from locked)
          and exists (select 1 from log_update)
        returning 1
      )
      select (select duplicate from locked) as duplicate, (select count(*) from log_update)::int as logs,
        ${context.commitMode} as commit_mode`;
    const [row] = await context.run<{ duplicate: boolean; logs: number }>(statement);
    // The attempt's log row does not exist: with asynchronous commit a database crash lost \`begin\`. Nothing was
    // written; failing lets BullMQ retry the job with a fresh log row.
    if (row === undefined || row.logs === 0)
      throw new Error(`execution log ${logId} of ${type} task ${taskId} is gone; not recording the outcome`);
    return row.duplicate ? 'skipped' : outcome.status;
  };
}
