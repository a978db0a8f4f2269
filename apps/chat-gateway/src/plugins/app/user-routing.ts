import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { LRUCache } from 'lru-cache';
import type { Preferences } from '../../services/preferences.js';

/**
 * Per-user routing settings cached in process, so the chat hot path skips the userdata database.
 * A change is published on Redis and every replica drops its copy; the TTL bounds staleness if a message is lost.
 */
export function createUserRoutingCache(app: FastifyInstance) {
  const channel = `${app.redisKeyPrefix}:user-routing:changed`;
  const cache = new LRUCache<string, Preferences>({ max: 50_000, ttl: 30_000 });
  const onMessage = (receivedChannel: string, userId: string) => {
    if (receivedChannel === channel) cache.delete(userId);
  };
  return {
    channel,
    onMessage,
    clear: () => cache.clear(),
    async preferences(userId: string, load: () => Promise<Preferences>): Promise<Preferences> {
      const cached = cache.get(userId);
      if (cached) return cached;
      const loaded = await load();
      cache.set(userId, loaded);
      return loaded;
    },
    /** Drops a user's cached settings here and on every replica. */
    async invalidate(userId: string): Promise<void> {
      cache.delete(userId);
      await app.redis.publish(channel, userId);
    },
  };
}

/** The user routing cache decorator. */
export type UserRoutingCache = ReturnType<typeof createUserRoutingCache>;

declare module 'fastify' {
  interface FastifyInstance {
    userRouting: UserRoutingCache;
  }
}

/** Cached per-user routing preferences with cross-replica invalidation. */
export default fp(
  async function userRouting(app: FastifyInstance) {
    const cache = createUserRoutingCache(app);
    app.redisSubscriber.on('message', cache.onMessage);
    app.redisSubscriber.on('ready', cache.clear);
    await app.redisSubscriber.subscribe(cache.channel);
    app.decorate('userRouting', cache);
    app.addHook('onClose', () => {
      app.redisSubscriber.off('message', cache.onMessage);
      app.redisSubscriber.off('ready', cache.clear);
    });
  },
  { name: 'user-routing', dependencies: ['redis'] },
);
