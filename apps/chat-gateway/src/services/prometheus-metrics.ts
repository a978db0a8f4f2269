import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
// Overhead is the gateway's own time, so its buckets sit well below provider latency.
const overheadBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];

/**
 * Memoizes a metric's children by label values: `observe(labels, value)` sorts and hashes its label object on
 * every call, which showed in the hot path's profile. Label values must be of bounded cardinality.
 */
function childrenOf<Child>(metric: { labels(...values: string[]): Child }): (...values: string[]) => Child {
  const children = new Map<string, Child>();
  return (...values) => {
    const key = values.join('\u0000');
    let child = children.get(key);
    if (!child) {
      child = metric.labels(...values);
      children.set(key, child);
    }
    return child;
  };
}

/** The gateway's Prometheus series, on a registry of its own (two apps in one process never collide). */
export function createPrometheusMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const series = {
    registry,
    requestDuration: new Histogram({
      name: 'gateway_request_duration_seconds',
      help: 'Whole request time as the client saw it, by route and status.',
      labelNames: ['route', 'status'] as const,
      buckets: latencyBuckets,
      registers: [registry],
    }),
    overhead: new Histogram({
      name: 'gateway_overhead_seconds',
      help: 'Time of a chat request not spent waiting on providers.',
      labelNames: ['stream'] as const,
      buckets: overheadBuckets,
      registers: [registry],
    }),
    providerDuration: new Histogram({
      name: 'gateway_provider_duration_seconds',
      help: 'Time of one provider attempt, by provider and outcome.',
      labelNames: ['provider', 'outcome'] as const,
      buckets: latencyBuckets,
      registers: [registry],
    }),
    providerErrors: new Counter({
      name: 'gateway_provider_errors_total',
      help: 'Failed provider attempts, by provider and error kind.',
      labelNames: ['provider', 'kind'] as const,
      registers: [registry],
    }),
    fallbacks: new Counter({
      name: 'gateway_fallbacks_total',
      help: 'Requests answered by a provider other than the first in their chain.',
      labelNames: ['from', 'to'] as const,
      registers: [registry],
    }),
    requestErrors: new Counter({
      name: 'gateway_request_errors_total',
      help: 'Failed chat requests, by error code.',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    bufferedRows: new Gauge({
      name: 'gateway_buffered_rows',
      help: 'Rows waiting to be written, by table.',
      labelNames: ['table'] as const,
      registers: [registry],
    }),
    droppedRows: new Counter({
      name: 'gateway_dropped_rows_total',
      help: 'Rows dropped because a write buffer was full, by table.',
      labelNames: ['table'] as const,
      registers: [registry],
    }),
  };
  return {
    ...series,
    /** Child of `requestDuration` for (route, status). */
    requestDurationFor: childrenOf(series.requestDuration),
    /** Child of `overhead` for (stream). */
    overheadFor: childrenOf(series.overhead),
    /** Child of `providerDuration` for (provider, outcome). */
    providerDurationFor: childrenOf(series.providerDuration),
  };
}

/** The gateway's Prometheus series. */
export type PrometheusMetrics = ReturnType<typeof createPrometheusMetrics>;
