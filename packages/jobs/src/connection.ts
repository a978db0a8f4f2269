import { Redis, type RedisOptions } from 'ioredis';

/** Who uses a Redis connection: producers must fail fast, workers must wait out Redis restarts. */
export type RedisRole = 'producer' | 'worker';

/** Options for `createRedisConnection`. */
export interface RedisConnectionOptions {
  role: RedisRole;
  /** Shown by `CLIENT LIST`, to tell processes apart. */
  connectionName?: string;
}

/**
 * Opens an ioredis connection tuned for its BullMQ role.
 * Producers (the gateway's HTTP handlers) must not hang a request while Redis is away, so commands fail
 * at once instead of queueing offline. Workers block on Redis and must retry forever (`maxRetriesPerRequest: null`),
 * as BullMQ requires.
 */
export function createRedisConnection(url: string, options: RedisConnectionOptions): Redis {
  const common: RedisOptions = {
    connectionName: options.connectionName,
    // Exponential reconnect delay, capped, so a Redis restart is not hammered.
    retryStrategy: (times) => Math.min(2 ** times * 50, 5_000),
  };
  if (options.role === 'producer') {
    return new Redis(url, {
      ...common,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 5_000,
    });
  }
  return new Redis(url, { ...common, maxRetriesPerRequest: null, enableReadyCheck: false });
}

/** Builds the BullMQ prefix for a key prefix, making sure it carries a Redis Cluster hash tag. */
export function queuePrefix(keyPrefix: string): string {
  if (!/^\{[^}]+\}/.test(keyPrefix)) {
    throw new Error(
      `queue prefix "${keyPrefix}" must start with a Redis Cluster hash tag such as {switchyard}`,
    );
  }
  return keyPrefix;
}
