import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';

declare module 'fastify' {
  interface FastifyInstance {
    /** Command connection; fails fast so a Redis outage never stalls a request. */
    redis: Redis;
    /** Dedicated subscriber connection (a subscribed connection can run no other commands). */
    redisSubscriber: Redis;
    /** Prefix of every key and channel of this gateway (a Redis Cluster hash tag). */
    redisKeyPrefix: string;
  }
}

/** Redis connections: one for commands, one for pub/sub; both closed with the app. */
export default fp(
  async function redis(
    app: FastifyInstance,
    options: { url: string; keyPrefix: string; commandTimeoutMs: number },
  ) {
    // Request path: a command fails after `commandTimeoutMs` (a Redis that accepts but does not answer), and at once
    // while disconnected (no offline queue), so the request answers 503 dependency_unavailable instead of waiting.
    const client = new Redis(options.url, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      commandTimeout: options.commandTimeoutMs,
      // No enableAutoPipelining: it raised quota+usage on/off throughput from 0.83 to 0.93 in `pnpm bench`, but after
      // a refused connection the client never served again (test/drills/redis-outage caught it, every run).
      lazyConnect: true,
      connectionName: 'chat-gateway',
    });
    const subscriber = new Redis(options.url, {
      maxRetriesPerRequest: null,
      lazyConnect: true,
      connectionName: 'chat-gateway-subscriber',
    });
    for (const connection of [client, subscriber]) {
      connection.on('error', (error: Error) =>
        app.log.warn({ reason: error.message }, 'redis connection error'),
      );
    }
    await Promise.all([client.connect(), subscriber.connect()]);
    app.decorate('redis', client);
    app.decorate('redisSubscriber', subscriber);
    app.decorate('redisKeyPrefix', options.keyPrefix);
    app.addHook('onClose', async () => {
      await Promise.allSettled([client.quit(), subscriber.quit()]);
    });
  },
  { name: 'redis' },
);
