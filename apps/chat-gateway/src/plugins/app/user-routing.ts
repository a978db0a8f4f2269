import type { ProvidersConfig } from '@switchyard/config';
import type { HostResolver } from '@switchyard/net';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createUserRoutingCache, type UserRoutingCache } from '../../services/user-routing.js';

declare module 'fastify' {
  interface FastifyInstance {
    userRouting: UserRoutingCache;
  }
}

/** Cached per-user routing (preferences, own-key providers) with cross-replica invalidation. */
export default fp(
  async function userRouting(
    app: FastifyInstance,
    options: {
      providers: ProvidersConfig;
      secretsKey: Buffer;
      secretsPreviousKeys?: readonly Buffer[];
      baseUrlAllowlist: readonly string[];
      resolve?: HostResolver;
    },
  ) {
    const cache = await createUserRoutingCache({
      ...options,
      userdata: app.userdata,
      redis: app.redis,
      subscriber: app.redisSubscriber,
      keyPrefix: app.redisKeyPrefix,
      logger: app.log,
    });
    app.decorate('userRouting', cache);
    app.addHook('onClose', () => cache.close());
  },
  { name: 'user-routing', dependencies: ['databases', 'redis'] },
);
