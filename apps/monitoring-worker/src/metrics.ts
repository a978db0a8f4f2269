import type { Queues, QueueName } from '@switchyard/jobs';
import type { Worker } from 'bullmq';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DispatchCycleResult } from './dispatcher.js';

/** Prometheus metrics of the worker process. */
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

/** Creates the registry with job, queue-depth and dispatcher metrics (plus Node defaults). */
export function createWorkerMetrics(queues: Queues) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'switchyard_worker_' });
  const completed = new Counter({
    name: 'switchyard_jobs_completed_total',
    help: 'Jobs that completed, per queue',
    labelNames: ['queue'],
    registers: [registry],
  });
  const failed = new Counter({
    name: 'switchyard_jobs_failed_total',
    help: 'Jobs that failed for good, per queue',
    labelNames: ['queue'],
    registers: [registry],
  });
  const retried = new Counter({
    name: 'switchyard_jobs_retried_total',
    help: 'Failed attempts BullMQ will retry, per queue',
    labelNames: ['queue'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'switchyard_job_duration_seconds',
    help: 'Processing time of job attempts, per queue',
    labelNames: ['queue'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const dispatchCycle = new Histogram({
    name: 'switchyard_dispatcher_cycle_seconds',
    help: 'Duration of dispatcher cycles',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const dispatched = new Counter({
    name: 'switchyard_dispatcher_enqueued_total',
    help: 'Jobs enqueued by the dispatcher, per queue',
    labelNames: ['queue'],
    registers: [registry],
  });
  new Gauge({
    name: 'switchyard_queue_depth',
    help: 'Waiting, delayed, prioritized and active jobs, per queue',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      const depths = await queues.depths();
      for (const [queue, depth] of Object.entries(depths)) this.set({ queue }, depth);
    },
  });
  const usageEntries = new Counter({
    name: 'switchyard_usage_ingest_entries_total',
    help: 'Usage stream entries ingested, per outcome (inserted, duplicate = already stored, dead_lettered)',
    labelNames: ['outcome'],
    registers: [registry],
  });

  return {
    registry,
    /** Reports the usage streams' backlog (events appended, not yet stored) at each scrape. */
    observeUsageBacklog(read: () => Promise<number>) {
      new Gauge({
        name: 'switchyard_usage_stream_backlog',
        help: 'Usage events in the streams not yet stored in Postgres, over every partition',
        registers: [registry],
        async collect() {
          this.set(await read());
        },
      });
    },
    /** Counts one usage batch's entries by outcome. */
    observeUsageBatch(batch: { entries: number; inserted: number; deadLettered: readonly unknown[] }) {
      usageEntries.inc({ outcome: 'inserted' }, batch.inserted);
      usageEntries.inc({ outcome: 'dead_lettered' }, batch.deadLettered.length);
      usageEntries.inc(
        { outcome: 'duplicate' },
        Math.max(batch.entries - batch.inserted - batch.deadLettered.length, 0),
      );
    },
    /** Counts completions, failures and retries of a worker's jobs. */
    observe(queue: QueueName, worker: Worker) {
      worker.on('completed', (job) => {
        completed.inc({ queue });
        if (job.processedOn !== undefined && job.finishedOn !== undefined)
          duration.observe({ queue }, (job.finishedOn - job.processedOn) / 1_000);
      });
      worker.on('failed', (job, error) => {
        if (job === undefined) return;
        if (job.processedOn !== undefined && job.finishedOn !== undefined)
          duration.observe({ queue }, (job.finishedOn - job.processedOn) / 1_000);
        const willRetry = error.name !== 'UnrecoverableError' && job.attemptsMade < (job.opts.attempts ?? 1);
        (willRetry ? retried : failed).inc({ queue });
      });
    },
    /** Records one dispatcher cycle. */
    observeCycle(result: DispatchCycleResult) {
      dispatchCycle.observe(result.durationMs / 1_000);
      for (const [type, counts] of Object.entries(result.byType))
        dispatched.inc({ queue: type }, counts.enqueued);
    },
  };
}
