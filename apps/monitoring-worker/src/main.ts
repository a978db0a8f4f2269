import { exitUnlessReachable, requiredServices, loadConfigOrExit, workerAppConfig } from '@switchyard/config';
import {
  applicationLoginUrls,
  createPlatformDb,
  createUserdataDb,
  DatabasesNotMigratedError,
  prepareForServing,
  SchemaDriftError,
  verifyDatabases,
} from '@switchyard/db';
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createHealthServer } from './health-server.js';
import { createWorkerLoggerOptions } from './logger.js';
import { createWorkerLlm } from './llm-client.js';
import { createUsageIngester, type UsageIngester } from './usage-ingest/index.js';
import { createWorkerRuntime, type WorkerRuntime } from './worker-runtime.js';

// Startup order: config -> databases migrated and verified -> workers -> health server; nothing runs on a drifted schema.
const config = loadConfigOrExit(workerAppConfig);
const logger = pino(createWorkerLoggerOptions(config.runtime.logLevel));

// Unreachable PostgreSQL or Redis: one plain line saying how to start it, exit 69 (no stack trace).
await exitUnlessReachable(requiredServices(config));

try {
  // Owner logins (local development) migrate here; app-role logins only verify (see README, database roles).
  await prepareForServing(config.databases);
} catch (error) {
  if (error instanceof DatabasesNotMigratedError) {
    logger.fatal('databases not migrated; not starting');
    process.stderr.write(`${error.message}\n`);
  } else if (error instanceof SchemaDriftError)
    logger.fatal({ report: error.format() }, 'database schema verification failed; not starting');
  else
    logger.fatal(
      { error: error instanceof Error ? error.message : String(error) },
      'could not prepare the databases; not starting',
    );
  process.exit(1);
}

// Both pools log in as the application role when the URLs name it or DATABASE_APP_PASSWORD is set. Batch work
// gets the worker's statement timeout (WORKER_DATABASE_STATEMENT_TIMEOUT_MS), not the gateway's request bound.
const logins = applicationLoginUrls(config.databases);
const platform = createPlatformDb(logins.platformUrl, {
  poolMax: config.databases.poolMax,
  timeouts: config.databases.workerTimeouts,
});
const userdata = createUserdataDb(logins.userdataUrl, {
  poolMax: config.databases.poolMax,
  timeouts: config.databases.workerTimeouts,
});
const llm = await createWorkerLlm(config, { logger, platform });
// Filled in as startup proceeds; the shutdown handler closes whatever exists. The runtime is held as a promise from
// the moment its creation begins: its BullMQ workers take jobs before it resolves (schedulers and the task restore
// are still being awaited), and a SIGTERM in that window must wait for it and drain it, not close the pools under a
// running job ("Cannot use a pool after calling end on the pool", then exit 0 with the job lost to a retry).
const started: {
  runtime?: Promise<WorkerRuntime>;
  usageIngester?: UsageIngester;
  health?: FastifyInstance;
} = {};
let shuttingDown = false;

// Installed before any worker starts, so a SIGTERM that lands mid-startup still drains instead of killing a job.
// Shutdown: readiness fails at once, dispatching stops, active jobs get the grace period, then Redis and pools close.
// The delay covers the grace period, the aborted jobs' hand-back (runtime.close's 5 s), the usage ingester's
// last read and batch, and closing the pools.
closeWithGrace(
  { delay: Math.max(config.worker.shutdownGraceMs, config.usageStream.blockMs + 5_000) + 10_000 },
  async ({ signal, err }) => {
    shuttingDown = true;
    if (err) logger.error({ error: err.message }, 'shutting down after an uncaught error');
    else logger.info({ signal }, 'shutting down');
    // The usage ingester finishes the batch in hand (or leaves it pending for another consumer) meanwhile.
    await Promise.all([
      started.runtime?.then((runtime) => runtime.close(config.worker.shutdownGraceMs)).catch(() => undefined),
      started.usageIngester?.close(),
    ]);
    await started.health?.close();
    await Promise.all([platform.close(), userdata.close(), llm.close()]);
  },
);

started.runtime = createWorkerRuntime(config, { platform, userdata, llm: llm.client, logger });
const runtime = await started.runtime;
const usageIngester = createUsageIngester({
  redisUrl: config.redis.url,
  namespace: config.redis.spendNamespace,
  settings: config.usageStream,
  platform,
  logger,
  onBatch: (batch) => runtime.metrics.observeUsageBatch(batch),
});
started.usageIngester = usageIngester;
runtime.metrics.observeUsageBacklog(() => usageIngester.backlog());
await usageIngester.start();
const health = createHealthServer({
  registry: runtime.metrics.registry,
  isShuttingDown: () => shuttingDown,
  checks: {
    ...runtime.checks,
    schema: async () => {
      const report = await verifyDatabases(config.databases).catch(() => undefined);
      return report?.status === 'ok'
        ? { ok: true }
        : { ok: false, code: report ? 'schema_drift' : 'unreachable', detail: report?.status };
    },
  },
});
started.health = health;
await health.listen({ port: config.worker.healthPort, host: config.worker.healthHost });
logger.info({ port: config.worker.healthPort, host: config.worker.healthHost }, 'monitoring worker started');
