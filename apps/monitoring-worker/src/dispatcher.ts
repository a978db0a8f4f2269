import { sql, type PlatformDatabase } from '@switchyard/db';
import {
  monitoringJobId,
  monitoringTaskTypes,
  queueOfTaskType,
  type MonitoringTaskType,
  type Queues,
} from '@switchyard/jobs';
import { taskTables } from './task-tables.js';
import { toDate } from './task-state.js';

/** What one dispatch cycle did, per task type and in total. */
export interface DispatchCycleResult {
  found: number;
  enqueued: number;
  skipped: number;
  durationMs: number;
  byType: Record<
    MonitoringTaskType,
    { found: number; enqueued: number; skipped: number; durationMs: number }
  >;
}

/** Options for `createDispatcher`. */
export interface DispatcherOptions {
  db: PlatformDatabase;
  queues: Queues;
  /** Most tasks claimed per type per cycle. */
  batchSize: number;
  /** How far a claimed task's `next_check` moves ahead, so the next cycle does not claim it again while its job waits. */
  leaseMs: number;
  /** Reports each cycle (metrics). */
  onCycle?: (result: DispatchCycleResult) => void;
}

/** Finds due monitoring tasks and enqueues one job per task and due slot. */
export type Dispatcher = ReturnType<typeof createDispatcher>;

type ClaimedRow = {
  id: string;
  user_id: string;
  due_at: unknown;
};

/**
 * Creates the dispatcher. A cycle claims due tasks with `FOR UPDATE SKIP LOCKED`, leases them by moving
 * `next_check` ahead, and enqueues their jobs before committing: if the commit fails the same rows come back
 * next cycle with the same due slot, hence the same job ids, and BullMQ keeps one job each.
 */
export function createDispatcher(options: DispatcherOptions) {
  const { db, queues, batchSize, leaseMs } = options;

  async function dispatchType(type: MonitoringTaskType, now: Date) {
    const started = performance.now();
    const table = sql.raw(taskTables[type].tasks);
    const nowIso = now.toISOString();
    const results = await db.transaction(async (transaction) => {
      const claimed = await transaction.execute<ClaimedRow>(sql`
        with due as (
          select id, user_id, coalesce(next_check, created_at) as due_at from ${table}
          where status = 'active' and (next_check <= ${nowIso}::timestamptz or next_check is null)
          order by next_check asc nulls first
          limit ${batchSize}
          for update skip locked
        )
        update ${table} as task set next_check = ${nowIso}::timestamptz + make_interval(secs => ${leaseMs / 1_000})
        from due where task.id = due.id
        returning task.id, due.user_id, due.due_at`);
      return queues.enqueueMany(
        queueOfTaskType[type],
        claimed.rows.map((row) => {
          const dueAt = toDate(row.due_at)?.getTime() ?? now.getTime();
          return {
            payload: { taskId: row.id, userId: row.user_id, reason: 'scheduled' as const, dueAt },
            options: { jobId: monitoringJobId(type, row.id, 'scheduled', dueAt) },
          };
        }),
      );
    });
    const enqueued = results.filter((result) => result.created).length;
    return {
      found: results.length,
      enqueued,
      skipped: results.length - enqueued,
      durationMs: Math.round(performance.now() - started),
    };
  }

  /** Runs one cycle over every task type and records one `scheduler_event_logs` row per queue. */
  async function runCycle(at: Date = new Date()): Promise<DispatchCycleResult> {
    const started = performance.now();
    const byType = {} as DispatchCycleResult['byType'];
    // One type after another: each holds its row locks only for its own claim + enqueue.
    for (const type of monitoringTaskTypes) byType[type] = await dispatchType(type, at);
    const rows = monitoringTaskTypes.map((type) => {
      const counts = byType[type];
      return sql`(${queueOfTaskType[type]}, ${counts.found}, ${counts.enqueued}, ${counts.skipped}, ${counts.durationMs}, ${JSON.stringify({ at: at.toISOString() })}::jsonb)`;
    });
    await db.execute(
      sql`insert into scheduler_event_logs (queue, found, enqueued, skipped, duration_ms, details) values ${sql.join(rows, sql`, `)}`,
    );
    const totals = Object.values(byType).reduce(
      (sum, counts) => ({
        found: sum.found + counts.found,
        enqueued: sum.enqueued + counts.enqueued,
        skipped: sum.skipped + counts.skipped,
      }),
      { found: 0, enqueued: 0, skipped: 0 },
    );
    const result = { ...totals, durationMs: Math.round(performance.now() - started), byType };
    options.onCycle?.(result);
    return result;
  }

  return { runCycle };
}
