import type { FastifyReply, FastifyRequest } from 'fastify';
import { QuotaExceededError, RateLimitExceededError } from '../errors.js';
import type { QuotaService } from './quota.js';

/**
 * The preHandler (after `authenticate`) that admits a request or answers 429: over the key's per-minute rate
 * limit (with `retry-after` and `x-ratelimit-*`), or over the user's monthly plan.
 */
export function createQuotaGuard(quota: Pick<QuotaService, 'admit'>) {
  return async function enforceQuota(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!request.principal) return;
    const admission = await quota.admit(request.principal.userId, request.principal.keyId);
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
  };
}
