import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** One dependency's readiness. */
export interface ReadinessCheck {
  ok: boolean;
  detail?: string;
}

/** Options for `createHealthServer`. */
export interface HealthServerOptions {
  registry: Registry;
  /** Redis, both databases and schema verification; each check must not throw. */
  checks: Record<string, () => Promise<ReadinessCheck>>;
  /** True once shutdown started: readiness fails so orchestrators stop counting on this process. */
  isShuttingDown: () => boolean;
}

/** Small Fastify server for `/health` (liveness), `/ready` (dependencies) and `/metrics` (Prometheus). */
export function createHealthServer(options: HealthServerOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/health', () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    if (options.isShuttingDown()) return reply.code(503).send({ status: 'shutting_down', checks: {} });
    const names = Object.keys(options.checks);
    const results = await Promise.all(names.map((name) => options.checks[name]!()));
    const checks = Object.fromEntries(names.map((name, index) => [name, results[index]]));
    const ready = results.every((result) => result.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });
  app.get('/metrics', async (_request, reply) => {
    const body = await options.registry.metrics();
    return reply.type(options.registry.contentType).send(body);
  });
  return app;
}
