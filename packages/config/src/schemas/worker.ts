import { z } from 'zod';
import { commaList, emptyAsUndefined, integer, url } from './shared.js';

const httpUrl = url(['http:', 'https:']);

/** monitoring-worker's settings: health port, dispatch interval, concurrency, platform endpoints (OAuth clients: `oauthConfigSchema`). */
export const workerConfigSchema = z
  .object({
    WORKER_HEALTH_PORT: integer({ default: 8001, min: 0, max: 65_535 }),
    WORKER_HEALTH_HOST: emptyAsUndefined(z.string().default('127.0.0.1')),
    DISPATCH_INTERVAL_MS: integer({ default: 60_000, min: 100 }),
    DISPATCH_BATCH_SIZE: integer({ default: 1_000, min: 1 }),
    DISPATCH_LEASE_MS: integer({ default: 30 * 60_000, min: 1_000 }),
    TASK_RETRY_BASE_MS: integer({ default: 5 * 60_000, min: 100 }),
    TASK_RETRY_MAX_MS: integer({ default: 24 * 3_600_000, min: 1_000 }),
    PERFORMANCE_ANALYSIS_INTERVAL_MS: integer({ default: 3_600_000, min: 1_000 }),
    WORKER_LOCK_DURATION_MS: integer({ default: 30_000, min: 500 }),
    WORKER_STALLED_INTERVAL_MS: integer({ default: 30_000, min: 500 }),
    WORKER_CONCURRENCY_OAUTH: integer({ default: 5, min: 1 }),
    WORKER_CONCURRENCY_WEBSITE: integer({ default: 10, min: 1 }),
    WORKER_CONCURRENCY_INSIGHTS: integer({ default: 5, min: 1 }),
    WORKER_CONCURRENCY_PERFORMANCE: integer({ default: 1, min: 1 }),
    SHUTDOWN_GRACE_MS: integer({ default: 30_000, min: 0 }),
    GSC_API_BASE_URL: emptyAsUndefined(httpUrl.default('https://searchconsole.googleapis.com')),
    BING_WEBMASTER_API_BASE_URL: emptyAsUndefined(
      httpUrl.default('https://ssl.bing.com/webmaster/api.svc/json'),
    ),
    WEBSITE_FETCH_ALLOWLIST: emptyAsUndefined(commaList.default([])),
  })
  .transform((env) => ({
    healthPort: env.WORKER_HEALTH_PORT,
    /** Interface the health server binds; loopback by default, containers set 0.0.0.0 for their probes. */
    healthHost: env.WORKER_HEALTH_HOST,
    dispatchIntervalMs: env.DISPATCH_INTERVAL_MS,
    dispatchBatchSize: env.DISPATCH_BATCH_SIZE,
    dispatchLeaseMs: env.DISPATCH_LEASE_MS,
    taskRetry: { baseMs: env.TASK_RETRY_BASE_MS, maxMs: env.TASK_RETRY_MAX_MS },
    performanceAnalysisIntervalMs: env.PERFORMANCE_ANALYSIS_INTERVAL_MS,
    // A worker that dies mid-job loses its lock after lockDuration; the next stalled check hands the job to another.
    jobLock: {
      lockDurationMs: env.WORKER_LOCK_DURATION_MS,
      stalledIntervalMs: env.WORKER_STALLED_INTERVAL_MS,
    },
    concurrency: {
      oauth: env.WORKER_CONCURRENCY_OAUTH,
      website: env.WORKER_CONCURRENCY_WEBSITE,
      insights: env.WORKER_CONCURRENCY_INSIGHTS,
      performance: env.WORKER_CONCURRENCY_PERFORMANCE,
    },
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    platforms: { gscBaseUrl: env.GSC_API_BASE_URL, bingBaseUrl: env.BING_WEBMASTER_API_BASE_URL },
    websiteFetchAllowlist: env.WEBSITE_FETCH_ALLOWLIST,
  }));

export type WorkerConfig = z.output<typeof workerConfigSchema>;
