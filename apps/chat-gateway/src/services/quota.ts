import { eq } from '@switchyard/db';
import { subscriptionPlans, userSubscriptions } from '@switchyard/db/platform';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { PlatformClient } from '../plugins/external/databases.js';

/** The plan limits a quota check needs; 0 means unlimited. */
export interface PlanLimits {
  planName: string;
  monthlyRequestLimit: number;
}

const unlimited: PlanLimits = { planName: 'unlimited', monthlyRequestLimit: 0 };

/**
 * Per-key rate limit and monthly quota in ONE atomic script, so a request costs one Redis round trip.
 * (@fastify/rate-limit would add a second round trip per request for the same counter logic.)
 * KEYS: rate counter, quota counter. ARGV: rate max (0 = off), rate window ms, quota limit (0 = unlimited), quota ttl ms.
 * Returns {verdict, rate count, window ms left, quota used}; verdict 0 = rate limited (quota not counted),
 * 1 = quota used up, 2 = allowed.
 */
const admitScript = `
local rate = 0
local windowLeft = 0
local rateMax = tonumber(ARGV[1])
if rateMax > 0 then
  rate = redis.call('INCR', KEYS[1])
  if rate == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
  if rate > rateMax then return {0, rate, redis.call('PTTL', KEYS[1]), 0} end
end
local used = 0
if tonumber(ARGV[3]) > 0 then
  used = redis.call('INCR', KEYS[2])
  if used == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
  if used > tonumber(ARGV[3]) then return {1, rate, windowLeft, used} end
end
return {2, rate, windowLeft, used}`;

/** What `admit` decided for one request. */
export type Admission =
  | { verdict: 'allowed' }
  | { verdict: 'rate_limited'; limitPerMinute: number; retryAfterMs: number }
  | { verdict: 'quota_exceeded'; used: number; limits: PlanLimits };

const allowed: Admission = { verdict: 'allowed' };
const rateWindowMs = 60_000;
const quotaTtlMs = 40 * 24 * 3_600_000;

/** The current UTC month, `YYYY-MM`, the period quotas and usage summaries count in. */
export function currentPeriod(now = new Date()): string {
  return now.toISOString().slice(0, 7);
}

/**
 * Per-API-key rate limits (a fixed one-minute window) and monthly request quotas per user, counted atomically in
 * Redis (shared by every replica). A user without a subscription is on the plan named `Free` when it exists,
 * otherwise unlimited. Plan limits are cached in process, so the check is one Redis round trip.
 */
export function createQuotaService(options: {
  platform: PlatformClient;
  redis: Redis;
  keyPrefix: string;
  rateLimitPerMinute: number;
}) {
  const { db } = options.platform;
  // A defined command runs by EVALSHA: the script body is not resent on every request.
  options.redis.defineCommand('switchyardAdmit', { numberOfKeys: 2, lua: admitScript });
  const runAdmit = (
    options.redis as unknown as Record<
      'switchyardAdmit',
      (...args: Array<string | number>) => Promise<[number, number, number, number]>
    >
  ).switchyardAdmit.bind(options.redis);
  const plans = new LRUCache<string, PlanLimits>({ max: 50_000, ttl: 60_000 });

  async function limitsFor(userId: string): Promise<PlanLimits> {
    const cached = plans.get(userId);
    if (cached) return cached;
    const [subscribed] = await db
      .select({
        planName: subscriptionPlans.name,
        monthlyRequestLimit: subscriptionPlans.monthlyRequestLimit,
      })
      .from(userSubscriptions)
      .innerJoin(subscriptionPlans, eq(subscriptionPlans.id, userSubscriptions.planId))
      .where(eq(userSubscriptions.userId, userId))
      .limit(1);
    const [free] = subscribed
      ? [subscribed]
      : await db
          .select({
            planName: subscriptionPlans.name,
            monthlyRequestLimit: subscriptionPlans.monthlyRequestLimit,
          })
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
    /** Counts one request against the key's rate limit and the user's monthly plan, in one round trip. */
    async admit(userId: string, keyId: string): Promise<Admission> {
      const limits = await limitsFor(userId);
      if (limits.monthlyRequestLimit === 0 && options.rateLimitPerMinute === 0) return allowed;
      const [verdict, , windowLeft, used] = await runAdmit(
        `${options.keyPrefix}:rate:${keyId}`,
        counterKey(userId, currentPeriod()),
        options.rateLimitPerMinute,
        rateWindowMs,
        limits.monthlyRequestLimit,
        quotaTtlMs,
      );
      if (verdict === 0)
        return {
          verdict: 'rate_limited',
          limitPerMinute: options.rateLimitPerMinute,
          retryAfterMs: Math.max(windowLeft, 1),
        };
      if (verdict === 1) return { verdict: 'quota_exceeded', used, limits };
      return allowed;
    },
    /** Requests counted this month (0 when the plan is unlimited and nothing was counted). */
    async used(userId: string): Promise<number> {
      return Number((await options.redis.get(counterKey(userId, currentPeriod()))) ?? 0);
    },
  };
}

/** The quota decorator. */
export type QuotaService = ReturnType<typeof createQuotaService>;
