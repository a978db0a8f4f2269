import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createPrometheusMetrics, type PrometheusMetrics } from '../../services/prometheus-metrics.js';
import { createRecorders, type Recorders } from '../../services/recorders.js';

declare module 'fastify' {
  interface FastifyInstance {
    prometheus: PrometheusMetrics;
    recorders: Recorders;
  }
}

interface ObservabilityOptions {
  metrics: { flushIntervalMs: number; flushRows: number; bufferMaxRows: number };
  shutdownGraceMs: number;
}

/** Prometheus registry and `GET /metrics`, plus the buffered writers of metrics, usage and fallback rows. */
export default fp(
  function observability(app: FastifyInstance, options: ObservabilityOptions) {
    const prometheus = createPrometheusMetrics();
    const recorders = createRecorders({
      platform: app.platform,
      ...options.metrics,
      logger: app.log,
      prometheus,
    });
    app.decorate('prometheus', prometheus);
    app.decorate('recorders', recorders);

    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      prometheus.requestDurationFor(route, String(reply.statusCode)).observe(reply.elapsedTime / 1000);
      done();
    });

    app.get(
      '/metrics',
      {
        schema: {
          tags: ['health'],
          summary: 'Prometheus metrics (production: Bearer METRICS_TOKEN or the admin key)',
          produces: ['text/plain'],
        },
        // Looked up per request: the auth plugin is registered after this one.
        onRequest: (request) => app.requireMetricsAccess(request),
      },
      async (_request, reply) => {
        recorders.refreshGauges();
        return reply.type(prometheus.registry.contentType).send(await prometheus.registry.metrics());
      },
    );

    // Registered after the databases plugin, so this runs before the pools close (onClose is last-in, first-out).
    app.addHook('onClose', () => recorders.close(Math.max(options.shutdownGraceMs, 1_000)));
    return Promise.resolve();
  },
  { name: 'observability', dependencies: ['databases'] },
);
