import type { SpendLimitError } from '@switchyard/spend';
import {
  DependencyUnavailableError,
  QuotaExceededError,
  RateLimitExceededError,
  withHeaders,
} from '../errors.js';

/**
 * How the gateway answers what the spend meter reports: a plan limit is 429 `quota_exceeded` with `retry-after` (the
 * seconds to the period's end, or to the minute's end for the plan's rate); the deployment's per-key rate
 * (RATE_LIMIT_PER_MINUTE) stays 429 `rate_limit_exceeded` with its `x-ratelimit-*` headers; a dependency that does
 * not answer is 503 `dependency_unavailable`.
 */
export function createSpendErrors(keyRateLimitPerMinute: number) {
  return {
    limit(error: SpendLimitError): Error {
      const seconds = String(error.retryAfterSeconds);
      if (error.limit !== 'key_rate')
        return withHeaders(new QuotaExceededError(error.message), { 'retry-after': seconds });
      return withHeaders(
        new RateLimitExceededError(
          `Rate limit reached for this API key: ${keyRateLimitPerMinute} requests per minute. Retry after ${seconds} s.`,
        ),
        {
          'retry-after': seconds,
          'x-ratelimit-limit-requests': String(keyRateLimitPerMinute),
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-reset-requests': `${seconds}s`,
        },
      );
    },
    unavailable: (dependency: 'Redis' | 'PostgreSQL') => new DependencyUnavailableError(dependency),
  };
}
