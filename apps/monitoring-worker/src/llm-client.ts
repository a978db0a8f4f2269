import type { WorkerAppConfig } from '@switchyard/config';
import { createLlmClient, createProvidersFromConfig, type BreakerOptions } from '@switchyard/llm';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Options of `createWorkerLlm`. */
export interface WorkerLlmOptions {
  logger: Pick<Logger, 'warn'>;
  /** Breaker settings (tests shorten the cooldown); the library's defaults otherwise. */
  breaker?: BreakerOptions;
}

/**
 * The worker's LLM client over the configured providers. Its breakers live in Redis under the gateway's prefix
 * (`config.redis.llmKeyPrefix`), so an outage either process sees is one breaker for both, and a half-open
 * probe is one probe across them. `close()` ends the provider pools and the Redis connection.
 */
export async function createWorkerLlm(
  config: Pick<WorkerAppConfig, 'providers' | 'redis'>,
  options: WorkerLlmOptions,
) {
  // Its own connection, not BullMQ's blocking worker connection (which waits: `maxRetriesPerRequest: null`). Breaker
  // state and probe locks sit in front of every LLM call, so a command gets REDIS_COMMAND_TIMEOUT_MS to answer, even
  // while queued offline: a Redis that accepts but does not answer cannot stall jobs (breaker state fails open).
  const redis = new Redis(config.redis.url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    commandTimeout: config.redis.commandTimeoutMs,
    lazyConnect: true,
    connectionName: 'monitoring-worker:llm',
  });
  redis.on('error', (error: Error) =>
    options.logger.warn({ error: error.message }, 'llm redis connection error'),
  );
  await redis.connect();
  const configured = createProvidersFromConfig(config.providers);
  const client = createLlmClient({
    providers: configured.providers,
    defaultChain: configured.defaultChain,
    deadlineMs: config.providers.deadlineMs,
    timeouts: config.providers.timeouts,
    fallbackOnRefusal: config.providers.fallbackOnRefusal,
    redis,
    keyPrefix: config.redis.llmKeyPrefix,
    ...(options.breaker ? { breaker: options.breaker } : {}),
  });
  return {
    client,
    async close(): Promise<void> {
      await configured.close();
      await redis.quit().catch(() => undefined);
    },
  };
}

/** The worker's LLM client and its resources. */
export type WorkerLlm = Awaited<ReturnType<typeof createWorkerLlm>>;
