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
    // Every probe checks afresh, so the flips below show at once; the cache has its own test.
    readyCacheMs: 0,
    checks: {
      ...harness.runtime.checks,
      schema: () =>
        Promise.resolve(
          schemaOk ? { ok: true } : { ok: false, code: 'schema_drift', detail: 'column users.email missing' },
        ),
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
      expect(drifted.json()).toMatchObject({
        status: 'unavailable',
        failing: [{ dependency: 'schema', code: 'schema_drift' }],
        checks: { schema: { ok: false, code: 'schema_drift' } },
      });
      expect(drifted.body).not.toContain('users.email');
      schemaOk = true;

      shuttingDown = true;
      const closing = await app.inject('/ready');
      expect(closing.statusCode).toBe(503);
      expect(closing.json()).toMatchObject({ failing: [{ dependency: 'shutdown', code: 'shutting_down' }] });
      shuttingDown = false;
    } finally {
      await app.close();
    }
  });

  it("answers probes within a second from one round of checks, without the checks' error text", async () => {
    let redisChecks = 0;
    const app = createHealthServer({
      registry: harness.runtime.metrics.registry,
      isShuttingDown: () => shuttingDown,
      checks: {
        redis: () => {
          redisChecks += 1;
          return Promise.resolve({ ok: false, detail: 'connect ECONNREFUSED 10.1.2.3:6379' });
        },
      },
    });
    try {
      const probes = await Promise.all([app.inject('/ready'), app.inject('/ready'), app.inject('/ready')]);
      expect(redisChecks).toBe(1);
      for (const probe of probes) {
        expect(probe.statusCode).toBe(503);
        expect(probe.json()).toEqual({
          status: 'unavailable',
          failing: [{ dependency: 'redis', code: 'unreachable' }],
          checks: { redis: { ok: false, code: 'unreachable' } },
        });
      }
      shuttingDown = true;
      // Shutdown is not cached: the very next probe reports it.
      expect((await app.inject('/ready')).json()).toMatchObject({ failing: [{ dependency: 'shutdown' }] });
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
