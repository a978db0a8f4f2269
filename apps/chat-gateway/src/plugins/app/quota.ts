import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createQuotaService, type QuotaService } from '../../services/quota.js';
import { createQuotaGuard } from '../../services/quota-guard.js';

declare module 'fastify' {
  interface FastifyInstance {
    quota: QuotaService;
    /** preHandler (after `authenticate`): 429 over the key's per-minute rate limit or the user's monthly plan. */
    enforceQuota: ReturnType<typeof createQuotaGuard>;
  }
}

/** Per-key rate limits and monthly plan quotas, counted in Redis in one round trip per request. */
export default fp(
  function quota(app: FastifyInstance, options: { rateLimitPerMinute: number; failOpen: boolean }) {
    const service = createQuotaService({
      platform: app.platform,
      redis: app.redis,
      keyPrefix: app.redisKeyPrefix,
      rateLimitPerMinute: options.rateLimitPerMinute,
      failOpen: options.failOpen,
      onFailOpen: () => app.log.warn('redis not answering: request admitted without quota (QUOTA_FAIL_OPEN)'),
    });
    app.decorate('quota', service);
    app.decorate('enforceQuota', createQuotaGuard(service));
    return Promise.resolve();
  },
  { name: 'quota', dependencies: ['databases', 'redis', 'auth'] },
);
