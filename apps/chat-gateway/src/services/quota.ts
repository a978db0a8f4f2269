import { readFileSync } from 'node:fs';
import { eq } from '@switchyard/db';
import { subscriptionPlans, userSubscriptions } from '@switchyard/db/platform';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { PlatformClient } from '../plugins/external/databases.js';
import { DependencyUnavailableError } from '../errors.js';
import { isOutage, orUnavailable } from './dependency-outage.js';

/** The plan limits a quota check needs; 0 means unlimited. */
export interface PlanLimits {
  planName: string;
  monthlyRequestLimit: number;
}

const unlimited: PlanLimits = { planName: 'unlimited', monthlyRequestLimit: 0 };

export type AdmitCommand = (
  rateKey: string,
  quotaKey: string,
  ...argv: number[]
) => Promise<[verdict: number, rate: number, windowLeft: number, used: number]>;

/**
 * Per-key rate limit and monthly quota in ONE atomic script, so a request costs one Redis round trip.
 * (@fastify/rate-limit would add a second round trip per request for the same counter logic.)
 * Read when the module loads: a build that forgot to copy it fails at import, not at the first request.
 */
const admitScript = readFileSync(new URL('./quota-admit.lua', import.meta.url), 'utf8');

const admitCommands = new WeakMap<Redis, AdmitCommand>();

/**
 * `quota-admit.lua` on `redis` (arguments as named in its header), defined once per client with `defineCommand`:
 * ioredis sends it by EVALSHA, so the script body is not resent on every request.
 */
export function admitCommand(redis: Redis): AdmitCommand {
  let command = admitCommands.get(redis);
  if (command) return command;
  redis.defineCommand('switchyardAdmit', { numberOfKeys: 2, lua: admitScript });
  command = (redis as unknown as { switchyardAdmit: AdmitCommand }).switchyardAdmit.bind(redis);
  admitCommands.set(redis, command);
  return command;
}

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
  /** Redis unreachable: admit uncounted (true) or answer 503 dependency_unavailable (false, the default). */
  failOpen?: boolean;
  /** Called for each request admitted uncounted because Redis did not answer (fail-open). */
  onFailOpen?: () => void;
}) {
  const { db } = options.platform;
  const runAdmit = admitCommand(options.redis);
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
      const limits = await orUnavailable('PostgreSQL', () => limitsFor(userId));
      if (limits.monthlyRequestLimit === 0 && options.rateLimitPerMinute === 0) return allowed;
      let answer: Awaited<ReturnType<AdmitCommand>>;
      try {
        answer = await runAdmit(
          `${options.keyPrefix}:rate:${keyId}`,
          counterKey(userId, currentPeriod()),
          options.rateLimitPerMinute,
          rateWindowMs,
          limits.monthlyRequestLimit,
          quotaTtlMs,
        );
      } catch (error) {
        if (!isOutage(error, 'Redis')) throw error;
        if (!options.failOpen) throw new DependencyUnavailableError('Redis');
        options.onFailOpen?.();
        return allowed;
      }
      const [verdict, , windowLeft, used] = answer;
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
