export { createTaskState, type TaskState, type TaskStateOptions } from './create-task-state.js';
export type { BeginResult, JobAttempt, LatestResultQuery, TaskRow } from './begin-execution.js';
export type { ResultRow, TaskOutcome } from './finish-execution.js';
export type { FailureResult, StoredFailurePattern } from './fail-execution.js';
export { monitoringTables } from './monitoring-tables.js';
export { retryDelayMs, type RetryPolicy } from './retry-delay.js';
export { toDate } from './to-date.js';
