import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** One dependency's readiness; `detail` is for logs only and never reaches the `/ready` answer. */
export interface ReadinessCheck {
  ok: boolean;
  /** Why it failed, as a stable code (`unreachable` when absent). */
  code?: string;
  detail?: string;
}

/** Options for `createHealthServer`. */
export interface HealthServerOptions {
  registry: Registry;
  /** Redis, both databases and schema verification; each check must not throw. */
  checks: Record<string, () => Promise<ReadinessCheck>>;
  /** True once shutdown started: readiness fails so orchestrators stop counting on this process. */
  isShuttingDown: () => boolean;
  /** How long one round of checks answers every probe; default 1 s. */
  readyCacheMs?: number;
}

interface ReadyAnswer {
  status: 'ready' | 'unavailable';
  failing: Array<{ dependency: string; code: string }>;
  checks: Record<string, { ok: boolean; code?: string }>;
}

/** Small Fastify server for `/health` (liveness), `/ready` (dependencies) and `/metrics` (Prometheus). */
export function createHealthServer(options: HealthServerOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/health', () => ({ status: 'ok' }));
  const readyCacheMs = options.readyCacheMs ?? 1_000;
  let cached: { at: number; answer: Promise<ReadyAnswer> } | undefined;
  // Probes share one round of checks per window; the raw error text stays out of the public answer.
  async function runChecks(): Promise<ReadyAnswer> {
    const names = Object.keys(options.checks);
    const results = await Promise.all(names.map((name) => options.checks[name]!()));
    const checks = Object.fromEntries(
      names.map((name, index) => {
        const result = results[index]!;
        return [name, result.ok ? { ok: true } : { ok: false, code: result.code ?? 'unreachable' }];
      }),
    );
    const failing = names.flatMap((name, index) =>
      results[index]!.ok ? [] : [{ dependency: name, code: results[index]!.code ?? 'unreachable' }],
    );
    return { status: failing.length === 0 ? 'ready' : 'unavailable', failing, checks };
  }
  app.get('/ready', async (_request, reply) => {
    // Before the cache: readiness fails from the first moment of shutdown.
    if (options.isShuttingDown())
      return reply.code(503).send({
        status: 'unavailable',
        failing: [{ dependency: 'shutdown', code: 'shutting_down' }],
        checks: {},
      });
    if (!cached || Date.now() - cached.at >= readyCacheMs) cached = { at: Date.now(), answer: runChecks() };
    const answer = await cached.answer;
    return reply.code(answer.status === 'ready' ? 200 : 503).send(answer);
  });
  app.get('/metrics', async (_request, reply) => {
    const body = await options.registry.metrics();
    return reply.type(options.registry.contentType).send(body);
  });
  return app;
}
