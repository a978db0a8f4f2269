import { eq } from '@switchyard/db';
import { subscriptionPlans, userSubscriptions } from '@switchyard/db/platform';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { PlatformDatabase } from '../plugins/external/databases.js';

/** The plan limits a quota check needs; 0 means unlimited. */
export interface PlanLimits {
  planName: string;
  monthlyRequestLimit: number;
}

const unlimited: PlanLimits = { planName: 'unlimited', monthlyRequestLimit: 0 };

// INCR and first-use EXPIRE in one round trip, atomic across replicas.
const incrementScript = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count`;

/** The current UTC month, `YYYY-MM`, the period quotas and usage summaries count in. */
export function currentPeriod(now = new Date()): string {
  return now.toISOString().slice(0, 7);
}

/**
 * Monthly request quotas counted atomically in Redis (shared by every replica). A user without a
 * subscription is on the plan named `Free` when it exists, otherwise unlimited.
 */
export function createQuotaService(options: { platform: PlatformDatabase; redis: Redis; keyPrefix: string }) {
  const { db } = options.platform;
  const plans = new LRUCache<string, PlanLimits>({ max: 50_000, ttl: 60_000 });

  async function limitsFor(userId: string): Promise<PlanLimits> {
    const cached = plans.get(userId);
    if (cached) return cached;
    const [subscribed] = await db
      .select({ planName: subscriptionPlans.name, monthlyRequestLimit: subscriptionPlans.monthlyRequestLimit })
      .from(userSubscriptions)
      .innerJoin(subscriptionPlans, eq(subscriptionPlans.id, userSubscriptions.planId))
      .where(eq(userSubscriptions.userId, userId))
      .limit(1);
    const [free] = subscribed
      ? [subscribed]
      : await db
          .select({ planName: subscriptionPlans.name, monthlyRequestLimit: subscriptionPlans.monthlyRequestLimit })
          .from(subscriptionPlans)
          .where(eq(subscriptionPlans.name, 'Free'))
          .limit(1);
    const limits = free ?? unlimited;
    plans.set(userId, limits);
    return limits;
  }

  function counterKey(userId: string, period: string): string {
    return `${options.keyPrefix}:quota:${userId}:${period}`;
  }

  return {
    limitsFor,
    /** Counts one request; resolves `{ allowed: false }` once the plan's monthly requests are used up. */
    async consume(userId: string): Promise<{ allowed: boolean; used: number; limits: PlanLimits }> {
      const limits = await limitsFor(userId);
      if (limits.monthlyRequestLimit === 0) return { allowed: true, used: 0, limits };
      const used = Number(await options.redis.eval(incrementScript, 1, counterKey(userId, currentPeriod()), 40 * 24 * 3_600_000));
      return { allowed: used <= limits.monthlyRequestLimit, used, limits };
    },
    /** Requests counted this month (0 when the plan is unlimited and nothing was counted). */
    async used(userId: string): Promise<number> {
      return Number((await options.redis.get(counterKey(userId, currentPeriod()))) ?? 0);
    },
  };
}

/** The quota decorator. */
export type QuotaService = ReturnType<typeof createQuotaService>;
