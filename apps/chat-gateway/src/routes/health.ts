import type { DatabasesConfig } from '@switchyard/config';
import { sql, verifyDatabases } from '@switchyard/db';
import type { FastifyInstance } from 'fastify';
import { LivenessSchema, ReadySchema } from '../schemas/health.js';

// Verifying the whole catalog on every probe would load the database; the answer changes only on deploys.
const schemaCheckTtlMs = 10_000;

async function check(run: () => Promise<unknown>): Promise<{ ok: boolean; detail?: string }> {
  try {
    await run();
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message.split('\n')[0] : 'failed' };
  }
}

/** `GET /health` (liveness) and `GET /ready` (databases, Redis, schema verification, not shutting down). */
export default function healthRoutes(app: FastifyInstance, options: { databases: DatabasesConfig }) {
  let schemaCheck: { at: number; result: { ok: boolean; detail?: string } } | undefined;

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
      const shuttingDown = app.lifecycle.shuttingDown;
      const [platform, userdata, redis] = await Promise.all([
        check(() => app.platform.db.execute(sql`select 1`)),
        check(() => app.userdata.db.execute(sql`select 1`)),
        check(() => app.redis.ping()),
      ]);
      if (!schemaCheck || Date.now() - schemaCheck.at > schemaCheckTtlMs || !schemaCheck.result.ok) {
        schemaCheck = {
          at: Date.now(),
          result: await check(async () => {
            const report = await verifyDatabases(options.databases);
            if (report.status !== 'ok')
              throw new Error(`schema ${report.status}; run pnpm db:verify for the report`);
          }),
        };
      }
      const checks = {
        platform,
        userdata,
        redis,
        schema: schemaCheck.result,
        shutdown: shuttingDown ? { ok: false, detail: 'shutting down' } : { ok: true },
      };
      const ready = Object.values(checks).every((item) => item.ok);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    },
  );
  return Promise.resolve();
}
