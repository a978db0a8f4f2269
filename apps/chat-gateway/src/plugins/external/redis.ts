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
    // Request path: a command fails after `commandTimeoutMs` whether Redis hangs or is gone (then it waits in the
    // offline queue for a reconnect, bounded by the same timeout), so the request answers 503 dependency_unavailable
    // instead of waiting. Concurrent requests' commands (reserve, settle + XADD) leave in one write per event-loop
    // tick (auto-pipelining): socket writes were a tenth of the gateway's CPU per request (`pnpm bench:profile`).
    // Auto-pipelining without the offline queue never served again after a refused connection (every later command
    // failed "Stream isn't writeable"; test/drills/redis-outage caught it).
    const client = new Redis(options.url, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: true,
      commandTimeout: options.commandTimeoutMs,
      enableAutoPipelining: true,
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
