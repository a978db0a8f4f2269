import { createInvalidatedCache } from '@switchyard/cache';
import { eq, type PlatformDatabase } from '@switchyard/db';
import { subscriptionPlans, userSubscriptions, type ProviderLimits } from '@switchyard/db/platform';
import type { Redis } from 'ioredis';

/** The limits of a user's plan that the quota engine enforces; 0 = unlimited, costs in USD. */
export interface SpendPlan {
  name: string;
  monthlyRequestLimit: number;
  monthlyTokenLimit: number;
  monthlyCostCapUsd: number;
  providerLimits: ProviderLimits;
  maxTokensPerRequest: number;
  rateLimitPerMinute: number;
  monitoringIncluded: boolean;
}

/** A user without a subscription and no `Free` plan in the table: nothing is limited. */
const unlimitedPlan: SpendPlan = {
  name: 'unlimited',
  monthlyRequestLimit: 0,
  monthlyTokenLimit: 0,
  monthlyCostCapUsd: 0,
  providerLimits: {},
  maxTokensPerRequest: 0,
  rateLimitPerMinute: 0,
  monitoringIncluded: false,
};

const planColumns = {
  name: subscriptionPlans.name,
  monthlyRequestLimit: subscriptionPlans.monthlyRequestLimit,
  monthlyTokenLimit: subscriptionPlans.monthlyTokenLimit,
  monthlyCostCapUsd: subscriptionPlans.monthlyCostCap,
  providerLimits: subscriptionPlans.providerLimits,
  maxTokensPerRequest: subscriptionPlans.maxTokensPerRequest,
  rateLimitPerMinute: subscriptionPlans.rateLimitPerMinute,
  monitoringIncluded: subscriptionPlans.monitoringIncluded,
};

/** The message that drops every user's entry (a plan changed, so every subscriber of it may have). */
const everyone = '*';

/** Options of `createPlanCatalog`. */
export interface PlanCatalogOptions {
  db: PlatformDatabase;
  redis: Redis;
  /** A connection in subscriber mode (shared with other caches); the caller owns it. */
  subscriber: Redis;
  /** Keeps deployments and tests apart (the channel is `<namespace>:spend:plans`). */
  namespace: string;
  /** How long an entry may outlive a lost invalidation (default 60 s). */
  ttlMs?: number;
}

/**
 * Each user's plan, read from `user_subscriptions` + `subscription_plans` (no subscription = the `Free` plan) and
 * cached in process; a subscription or plan change invalidates it in every process through Redis pub/sub.
 */
export function createPlanCatalog(options: PlanCatalogOptions) {
  const { db } = options;
  const cache = createInvalidatedCache<SpendPlan>({
    redis: options.redis,
    subscriber: options.subscriber,
    channel: `${options.namespace}:spend:plans`,
    max: 50_000,
    ttlMs: options.ttlMs ?? 60_000,
    applyMessage: (message, entries) => {
      if (message === everyone) entries.clear();
      else entries.delete(message);
    },
  });

  async function load(userId: string): Promise<SpendPlan> {
    const [subscribed] = await db
      .select(planColumns)
      .from(userSubscriptions)
      .innerJoin(subscriptionPlans, eq(subscriptionPlans.id, userSubscriptions.planId))
      .where(eq(userSubscriptions.userId, userId))
      .limit(1);
    if (subscribed) return subscribed;
    const [free] = await db
      .select(planColumns)
      .from(subscriptionPlans)
      .where(eq(subscriptionPlans.name, 'Free'))
      .limit(1);
    return free ?? unlimitedPlan;
  }

  return {
    /** Settles once the invalidation channel is subscribed. */
    ready: cache.subscribed,
    /** The plan `userId` is on now. */
    async planFor(userId: string): Promise<SpendPlan> {
      const cached = cache.entries.get(userId);
      if (cached) return cached;
      const plan = await load(userId);
      cache.entries.set(userId, plan);
      return plan;
    },
    /** A user's subscription changed: drop their entry here and in every other process. */
    userChanged: (userId: string) => cache.invalidate(userId),
    /** A plan changed: drop every entry (any user may be on it). */
    planChanged: () => cache.invalidate(everyone),
    close: () => cache.close(),
  };
}

/** The plan catalog. */
export type PlanCatalog = ReturnType<typeof createPlanCatalog>;
