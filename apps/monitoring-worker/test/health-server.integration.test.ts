import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthServer } from '../src/health-server.js';
import { startWorkerHarness, type WorkerHarness } from './helper.js';
import { queueNames } from '@switchyard/jobs';

let harness: WorkerHarness;
let shuttingDown = false;
let schemaOk = true;

beforeAll(async () => {
  harness = await startWorkerHarness({ consume: [queueNames.performanceAnalysis] });
});

afterAll(async () => {
  await harness?.close();
});

function server() {
  return createHealthServer({
    registry: harness.runtime.metrics.registry,
    isShuttingDown: () => shuttingDown,
    checks: {
      ...harness.runtime.checks,
      schema: () => Promise.resolve(schemaOk ? { ok: true } : { ok: false, detail: 'drift' }),
    },
  });
}

describe('worker health server', () => {
  it('is live, ready when Redis, both databases and the schema are, and not ready once any is not', async () => {
    const app = server();
    try {
      expect((await app.inject('/health')).json()).toEqual({ status: 'ok' });
      const ready = await app.inject('/ready');
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toMatchObject({
        status: 'ready',
        checks: { redis: { ok: true }, platformDatabase: { ok: true }, userdataDatabase: { ok: true } },
      });

      schemaOk = false;
      const drifted = await app.inject('/ready');
      expect(drifted.statusCode).toBe(503);
      expect(drifted.json()).toMatchObject({ checks: { schema: { ok: false, detail: 'drift' } } });
      schemaOk = true;

      shuttingDown = true;
      expect((await app.inject('/ready')).statusCode).toBe(503);
      shuttingDown = false;
    } finally {
      await app.close();
    }
  });

  it('exports job counters and queue depth per queue for Prometheus', async () => {
    await harness.runtime.queues.enqueue(
      queueNames.performanceAnalysis,
      { reason: 'manual' },
      { jobId: 'metrics-check' },
    );
    const job = await harness.runtime.queues.queue(queueNames.performanceAnalysis).getJob('metrics-check');
    await job!.waitUntilFinished(harness.events.get(queueNames.performanceAnalysis)!, 30_000);
    const app = server();
    try {
      const metrics = await app.inject('/metrics');
      expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
      expect(metrics.body).toMatch(/switchyard_jobs_completed_total\{queue="performance-analysis"\} [1-9]/);
      expect(metrics.body).toMatch(/switchyard_queue_depth\{queue="website-analysis"\} 0/);
      expect(metrics.body).toContain('switchyard_dispatcher_cycle_seconds');
    } finally {
      await app.close();
    }
  });
});
