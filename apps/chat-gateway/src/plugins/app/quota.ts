import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { QuotaExceededError, RateLimitExceededError } from '../../errors.js';
import { createQuotaService, type QuotaService } from '../../services/quota.js';

declare module 'fastify' {
  interface FastifyInstance {
    quota: QuotaService;
    /** preHandler (after `authenticate`): 429 over the key's per-minute rate limit or the user's monthly plan. */
    enforceQuota: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

/** Per-key rate limits and monthly plan quotas, counted in Redis in one round trip per request. */
export default fp(
  function quota(app: FastifyInstance, options: { rateLimitPerMinute: number }) {
    const service = createQuotaService({
      platform: app.platform,
      redis: app.redis,
      keyPrefix: app.redisKeyPrefix,
      rateLimitPerMinute: options.rateLimitPerMinute,
    });
    app.decorate('quota', service);
    app.decorate('enforceQuota', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!request.principal) return;
      const admission = await service.admit(request.principal.userId, request.principal.keyId);
      if (admission.verdict === 'allowed') return;
      if (admission.verdict === 'rate_limited') {
        const seconds = Math.ceil(admission.retryAfterMs / 1000);
        reply.header('retry-after', String(seconds));
        reply.header('x-ratelimit-limit-requests', String(admission.limitPerMinute));
        reply.header('x-ratelimit-remaining-requests', '0');
        reply.header('x-ratelimit-reset-requests', `${seconds}s`);
        throw new RateLimitExceededError(
          `Rate limit reached for this API key: ${admission.limitPerMinute} requests per minute. Retry after ${seconds} s.`,
        );
      }
      throw new QuotaExceededError(
        `You used all ${admission.limits.monthlyRequestLimit} requests of the ${admission.limits.planName} plan this month. Upgrade the plan or wait for the next month.`,
      );
    });
    return Promise.resolve();
  },
  { name: 'quota', dependencies: ['databases', 'redis', 'auth'] },
);
