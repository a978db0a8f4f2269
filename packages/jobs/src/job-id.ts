import type { JobReason } from './payloads.js';
import { queueOfTaskType, type MonitoringTaskType } from './queue-names.js';

/**
 * The deterministic id of the job that runs a task for one due slot. Two dispatchers, a re-run after a crash,
 * or a double click on "check now" all compute the same id, and BullMQ keeps one job per id.
 * BullMQ forbids `:` in custom ids, hence the dots.
 */
export function monitoringJobId(
  type: MonitoringTaskType,
  taskId: string,
  reason: JobReason,
  dueAt: number,
): string {
  const slot = reason === 'scheduled' ? String(dueAt) : `${reason}-${dueAt}`;
  return `${queueOfTaskType[type]}.${taskId}.${slot}`;
}
