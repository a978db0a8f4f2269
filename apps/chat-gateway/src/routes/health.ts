import type { DatabasesConfig } from '@switchyard/config';
import { sql, verifyDatabases } from '@switchyard/db';
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { LivenessSchema, ReadySchema, type ReadinessCodeSchema } from '../schemas/health.js';
import { createCachedValue } from '../services/cached-value.js';

// Verifying the whole catalog on every probe would load the database; the answer changes only on deploys.
const schemaCheckTtlMs = 10_000;
// Probes from many replicas and load balancers share one round of dependency checks per second.
const readinessTtlMs = 1_000;

type ReadinessCode = Static<typeof ReadinessCodeSchema>;
type Check = { ok: true } | { ok: false; code: ReadinessCode };

// The error itself is dropped: its text can carry hosts, roles or SQL, and the probe answer is public.
async function check(run: () => Promise<unknown>, code: ReadinessCode): Promise<Check> {
  try {
    await run();
    return { ok: true };
  } catch {
    return { ok: false, code };
  }
}

/** `GET /health` (liveness) and `GET /ready` (databases, Redis, schema verification, not shutting down). */
export default function healthRoutes(app: FastifyInstance, options: { databases: DatabasesConfig }) {
  let schemaCheck: { at: number; result: Check } | undefined;
  const dependencies = createCachedValue(readinessTtlMs, async () => {
    const [platform, userdata, redis] = await Promise.all([
      check(() => app.platform.db.execute(sql`select 1`), 'unreachable'),
      check(() => app.userdata.db.execute(sql`select 1`), 'unreachable'),
      check(() => app.redis.ping(), 'unreachable'),
    ]);
    if (!schemaCheck || Date.now() - schemaCheck.at > schemaCheckTtlMs || !schemaCheck.result.ok) {
      schemaCheck = {
        at: Date.now(),
        result: await check(async () => {
          const report = await verifyDatabases(options.databases);
          if (report.status !== 'ok') throw new Error(report.status);
        }, 'schema_drift'),
      };
    }
    return { platform, userdata, redis, schema: schemaCheck.result };
  });

  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness',
        response: { 200: LivenessSchema },
      },
    },
    () => ({
      status: 'ok' as const,
    }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: databases, Redis and schema verified; 503 once shutdown starts',
        response: { 200: ReadySchema, 503: ReadySchema },
      },
    },
    async (_request, reply) => {
      const checks = {
        ...(await dependencies.get()),
        // Outside the cache: readiness fails from the first moment of shutdown.
        shutdown: app.lifecycle.shuttingDown
          ? ({ ok: false, code: 'shutting_down' } as const)
          : ({ ok: true } as const),
      };
      const failing = Object.entries(checks).flatMap(([dependency, result]) =>
        result.ok ? [] : [{ dependency, code: result.code }],
      );
      const ready = failing.length === 0;
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', failing, checks });
    },
  );
  return Promise.resolve();
}
