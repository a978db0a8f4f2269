import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { QuotaExceededError } from '../../errors.js';
import { createQuotaService, type QuotaService } from '../../services/quota.js';

declare module 'fastify' {
  interface FastifyInstance {
    quota: QuotaService;
    /** preHandler (after `authenticate`): 429 once the user's monthly plan allowance is used up. */
    enforceQuota: (request: FastifyRequest) => Promise<void>;
  }
}

/** Monthly plan quotas, counted in Redis. */
export default fp(
  function quota(app: FastifyInstance) {
    const service = createQuotaService({ platform: app.platform, redis: app.redis, keyPrefix: app.redisKeyPrefix });
    app.decorate('quota', service);
    app.decorate('enforceQuota', async (request: FastifyRequest) => {
      if (!request.principal) return;
      const result = await service.consume(request.principal.userId);
      if (!result.allowed) {
        throw new QuotaExceededError(
          `You used all ${result.limits.monthlyRequestLimit} requests of the ${result.limits.planName} plan this month. Upgrade the plan or wait for the next month.`,
        );
      }
    });
    return Promise.resolve();
  },
  { name: 'quota', dependencies: ['databases', 'redis', 'auth'] },
);
