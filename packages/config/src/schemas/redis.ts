import { z } from 'zod';
import { emptyAsUndefined, integer, url } from './shared.js';

/** Redis connection and the key prefix; the `{...}` hash tag keeps every key of ours on one Redis Cluster slot. */
export const redisConfigSchema = z
  .object({
    REDIS_URL: emptyAsUndefined(url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379')),
    REDIS_KEY_PREFIX: emptyAsUndefined(
      z
        .string()
        .regex(/^\{[\w:-]+\}$/, 'must be a Redis Cluster hash tag such as {switchyard}')
        .default('{switchyard}'),
    ),
    REDIS_COMMAND_TIMEOUT_MS: integer({ default: 500, min: 10, max: 60_000 }),
  })
  .transform((env) => ({
    url: env.REDIS_URL,
    keyPrefix: env.REDIS_KEY_PREFIX,
    /** A request-path command that gets no answer within this fails (the request answers 503), never queues. */
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
    /**
     * Prefix of the LLM client's shared breaker and rate-limit state. Gateway and worker both use this one, so a
     * provider outage one of them sees opens the breaker for the other too.
     */
    llmKeyPrefix: `${env.REDIS_KEY_PREFIX}:`,
    /**
     * Namespace of per-user spend keys (`<ns>:spend:{u:<userId>}:...`) and usage streams (`<ns>:usage:{p<n>}`): the
     * key prefix without its braces, so each user and each partition gets its own hash tag (Redis Cluster shards
     * them) instead of all sharing the prefix's one slot.
     */
    spendNamespace: env.REDIS_KEY_PREFIX.slice(1, -1),
  }));

export type RedisConfig = z.output<typeof redisConfigSchema>;
