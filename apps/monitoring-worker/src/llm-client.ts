import { randomUUID } from 'node:crypto';
import type { WorkerAppConfig } from '@switchyard/config';
import type { PlatformDb } from '@switchyard/db';
import {
  createLlmClient,
  createProvidersFromConfig,
  estimateTokens,
  type BreakerOptions,
  type ChatRequest,
} from '@switchyard/llm';
import {
  createPlanCatalog,
  createPriceBook,
  createQuotaEngine,
  createSpendMetering,
  type SpendLimitError,
} from '@switchyard/spend';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Options of `createWorkerLlm`. */
export interface WorkerLlmOptions {
  logger: Pick<Logger, 'warn'>;
  /** Breaker settings (tests shorten the cooldown); the library's defaults otherwise. */
  breaker?: BreakerOptions;
  /**
   * The platform database: with it, a call made for a user (`userId`) is priced from `api_provider_pricing`,
   * recorded on the usage stream as that user's (endpoint `monitoring`) and reserved against their plan unless the
   * plan includes monitoring. Without it (tests of the breaker alone), calls are not metered.
   */
  platform?: PlatformDb;
}

/** A spend limit stopped a monitoring call: the task fails (and retries later) rather than spend past the plan. */
export class MonitoringSpendLimitError extends Error {
  constructor(readonly limit: SpendLimitError) {
    super(`monitoring LLM call refused: ${limit.message}`);
    this.name = 'MonitoringSpendLimitError';
  }
}

/**
 * The worker's LLM client over the configured providers. Its breakers live in Redis under the gateway's prefix
 * (`config.redis.llmKeyPrefix`), so an outage either process sees is one breaker for both, and a half-open
 * probe is one probe across them. Calls made for a user are metered like the gateway's (one usage event per
 * attempt, settled in the same round trip). `close()` ends the provider pools and the Redis connections.
 */
export async function createWorkerLlm(
  config: Pick<WorkerAppConfig, 'providers' | 'redis' | 'usageStream'>,
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
  const subscriber = new Redis(config.redis.url, {
    maxRetriesPerRequest: null,
    lazyConnect: true,
    connectionName: 'monitoring-worker:llm-subscriber',
  });
  for (const connection of [redis, subscriber])
    connection.on('error', (error: Error) =>
      options.logger.warn({ error: error.message }, 'llm redis connection error'),
    );
  await Promise.all([redis.connect(), options.platform ? subscriber.connect() : undefined]);

  const spend = options.platform && createSpend(options.platform);
  // Reservations count prompt tokens with the o200k tokenizer, which loads synchronously on first use (about a
  // second on a busy machine): loaded now, before any job holds a lock the blocked event loop could not renew.
  if (spend) estimateTokens('warm up');
  function createSpend(platform: PlatformDb) {
    const shared = { db: platform.db, redis, subscriber, namespace: config.redis.spendNamespace };
    const plans = createPlanCatalog(shared);
    const prices = createPriceBook({
      ...shared,
      onGapError: (error) => options.logger.warn({ error: String(error) }, 'missing price not recorded'),
    });
    const engine = createQuotaEngine({
      redis,
      db: platform.db,
      plans,
      prices,
      namespace: config.redis.spendNamespace,
      partitions: config.usageStream.partitions,
      onAlertError: (error) => options.logger.warn({ error: String(error) }, 'usage alert not recorded'),
    });
    const metering = createSpendMetering({
      engine,
      // A task whose usage cannot be counted fails as it is (its error rethrown) and BullMQ retries it: Redis is the
      // queue too, so there is no serving without it.
      failOpen: false,
      isOutage: () => false,
      errors: {
        limit: (error) => new MonitoringSpendLimitError(error),
        unavailable: (dependency) =>
          new Error(`${dependency} did not answer while metering a monitoring call`),
      },
      logger: { warn: (object, message) => options.logger.warn(object, message) },
    });
    return { plans, prices, engine, metering };
  }

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
    ...(spend ? { hooks: spend.metering.hooks } : {}),
  });

  /** A call made for `userId`: reserved against their plan (unless it includes monitoring), each attempt recorded. */
  async function meteredChat(
    request: ChatRequest,
    callOptions: { signal: AbortSignal; waitForProbe?: boolean; userId: string },
    metering: NonNullable<typeof spend>,
  ) {
    const plan = await metering.plans.planFor(callOptions.userId);
    const usageId = `monitoring-${randomUUID()}`;
    const meter = await metering.metering.begin(
      {
        usageId,
        userId: callOptions.userId,
        apiKeyId: null,
        endpoint: 'monitoring',
        streaming: false,
        uncounted: plan.monitoringIncluded,
      },
      request,
      configured.defaultChain[0],
    );
    const providers = configured.providers.map((provider) => meter.track(provider));
    let answer;
    try {
      answer = await client.chat(request, {
        signal: callOptions.signal,
        ...(callOptions.waitForProbe === undefined ? {} : { waitForProbe: callOptions.waitForProbe }),
        providers,
        requestId: usageId,
        userId: callOptions.userId,
      });
    } catch (error) {
      throw await meter.fail(error);
    }
    await meter.finish(answer.completion.usage);
    return answer;
  }

  return {
    client: {
      providerHealth: () => client.providerHealth(),
      /** `userId` set: a metered call (see `createWorkerLlm`); absent: the bare fallback client. */
      chat(
        request: ChatRequest,
        callOptions: { signal: AbortSignal; waitForProbe?: boolean; userId?: string },
      ) {
        const { userId, ...rest } = callOptions;
        if (spend && userId) return meteredChat(request, { ...rest, userId }, spend);
        return client.chat(request, rest);
      },
    },
    async close(): Promise<void> {
      await configured.close();
      if (spend) await Promise.all([spend.plans.close(), spend.prices.close()]);
      await Promise.all([redis.quit().catch(() => undefined), subscriber.quit().catch(() => undefined)]);
    },
  };
}

/** The worker's LLM client and its resources. */
export type WorkerLlm = Awaited<ReturnType<typeof createWorkerLlm>>;
