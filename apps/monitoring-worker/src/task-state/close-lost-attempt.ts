/*
 * closeLostAttempt: the log row of a job BullMQ failed without our processor running (its workers died on it more
 * often than the stall limit allows, so BullMQ's own check failed it). One statement, one round trip.
 *
 * Parameters: the task type, the task id and the job id.
 *
 * Guarantees: atomic. The `running` log the last worker left behind is closed as `failed`; when there is none
 * (the worker died before `begin` committed) a `failed` log is inserted, so the attempt is visible either way.
 * Returns that log's id, or undefined when the task no longer exists. The caller counts the failure with `fail`.
 *
 * Run twice: the second run finds no `running` log and inserts a second `failed` one; BullMQ emits the failure
 * once, on the one worker whose fetch found it.
 */
import type { MonitoringTaskType } from '@switchyard/jobs';
import { columnsOf, tableName } from '../schema-names.js';
import { monitoringTables } from './monitoring-tables.js';
import { createStatement, type StatementContext } from './statement.js';

/** Creates `closeLostAttempt`, which closes or records the log of a job whose workers all died on it. */
export function createCloseLostAttempt(context: StatementContext) {
  return async function closeLostAttempt(
    type: MonitoringTaskType,
    taskId: string,
    jobId: string,
    message: string,
  ): Promise<number | undefined> {
    const { tasks, logs } = monitoringTables[type];
    const taskColumn = columnsOf(tasks, ['id']);
    const logColumn = columnsOf(logs, [
      'id',
      'task_id',
      'status',
      'result_data',
      'error_message',
      'execution_time_ms',
      'execution_date',
    ]);
    const statement = createStatement();
    const task = statement.value(taskId);
    const job = statement.value(jobId);
    const error = statement.value(message);
    const data = statement.value(JSON.stringify({ jobId, lost: true }));
    const logsTable = tableName(logs);
    statement.text = `
      with closed as (
        update ${logsTable}
        set ${logColumn.status} = 'failed', ${logColumn.error_message} = ${error}::text,
          ${logColumn.execution_time_ms} =
            (extract(epoch from (now() - ${logColumn.execution_date})) * 1000)::int
        where ${logColumn.task_id} = ${task}::uuid and ${logColumn.status} = 'running'
          and ${logColumn.result_data}->>'jobId' = ${job}::text
        returning ${logColumn.id}
      ),
      inserted as (
        insert into ${logsTable} (
          ${logColumn.task_id}, ${logColumn.status}, ${logColumn.result_data}, ${logColumn.error_message},
          ${logColumn.execution_time_ms}
        )
        select ${taskColumn.id}, 'failed', ${data}::jsonb, ${error}::text, 0
        from ${tableName(tasks)}
        where ${taskColumn.id} = ${task}::uuid and not exists (select 1 from closed)
        returning ${logColumn.id}
      )
      select coalesce((select max(${logColumn.id}) from closed), (select ${logColumn.id} from inserted)) as log_id`;
    const [row] = await context.run<{ log_id: number | string | null }>(statement);
    return row?.log_id === null || row?.log_id === undefined ? undefined : Number(row.log_id);
  };
}
