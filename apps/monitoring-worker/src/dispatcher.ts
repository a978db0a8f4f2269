import { sql, type PlatformDatabase } from '@switchyard/db';
import { schedulerEventLogs } from '@switchyard/db/platform';
import {
  monitoringJobId,
  monitoringTaskTypes,
  queueOfTaskType,
  type MonitoringTaskType,
  type Queues,
} from '@switchyard/jobs';
import type { ColumnName } from './schema-names.js';
import { monitoringTables, toDate } from './task-state/index.js';

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
    const tasks = monitoringTables[type].tasks;
    // Postgres takes no table-qualified column as an update target, and drizzle qualifies column objects.
    const nextCheck: ColumnName<typeof tasks> = 'next_check';
    const nowIso = now.toISOString();
    const results = await db.transaction(async (transaction) => {
      const claimed = await transaction.execute<ClaimedRow>(sql`
        with due as (
          select ${tasks.id} as id, ${tasks.userId} as user_id,
            coalesce(${tasks.nextCheck}, ${tasks.createdAt}) as due_at
          from ${tasks}
          where ${tasks.status} = 'active'
            and (${tasks.nextCheck} <= ${nowIso}::timestamptz or ${tasks.nextCheck} is null)
          order by ${tasks.nextCheck} asc nulls first
          limit ${batchSize}
          for update skip locked
        )
        update ${tasks}
        set ${sql.identifier(nextCheck)} = ${nowIso}::timestamptz + make_interval(secs => ${leaseMs / 1_000})
        from due where ${tasks.id} = due.id
        returning due.id, due.user_id, due.due_at`);
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
    await db.insert(schedulerEventLogs).values(
      monitoringTaskTypes.map((type) => {
        const { found, enqueued, skipped, durationMs } = byType[type];
        return {
          queue: queueOfTaskType[type],
          found,
          enqueued,
          skipped,
          durationMs,
          details: { at: at.toISOString() },
        };
      }),
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
