import { readFileSync } from 'node:fs';
import type { PlatformDatabase } from '@switchyard/db';
import { encodeUsageEvent, usagePartition, usageStreamKey, type UsageEvent } from '@switchyard/jobs';
import type { Redis } from 'ioredis';
import { writeCrossedAlerts } from './alerts.js';
import { fromNanoUsd, toNanoUsd } from './money.js';
import { periodOf, secondsToPeriodEnd } from './period.js';
import type { PlanCatalog, SpendPlan } from './plans.js';
import { costOf, type PriceBook, type PriceQuote } from './prices.js';
import { SpendLimitError, type SpendLimit } from './spend-limit-error.js';

/**
 * Scripts as files, read when the module loads (a build that forgot to copy them fails at import) and defined once
 * per client with `defineCommand`, so ioredis sends them by EVALSHA.
 */
const reserveScript = readFileSync(new URL('./lua/reserve.lua', import.meta.url), 'utf8');
const settleScript = readFileSync(new URL('./lua/settle.lua', import.meta.url), 'utf8');

type ReserveReply = [1, number, number, number, number, number] | [0, string, number, string];
type SettleReply = [number, number, number, ...string[]];
interface SpendCommands {
  spendReserve(...args: (string | number)[]): Promise<ReserveReply>;
  spendSettle(...args: (string | number)[]): Promise<SettleReply>;
}

const defined = new WeakSet<Redis>();
function commands(redis: Redis): Redis & SpendCommands {
  if (!defined.has(redis)) {
    redis.defineCommand('spendReserve', { numberOfKeys: 3, lua: reserveScript });
    redis.defineCommand('spendSettle', { numberOfKeys: 1, lua: settleScript });
    defined.add(redis);
  }
  return redis as Redis & SpendCommands;
}

const rateWindowMs = 60_000;
// Counters outlive their month by long enough for late settlements and the usage API's "fresher than Postgres".
const periodTtlMs = 40 * 24 * 3_600_000;

/** What is left of the plan after an attempt; null = unlimited. */
export interface Remaining {
  requests: number | null;
  costUsd: number | null;
}

/** One attempt's hold on the user's limits, to be settled (or released) exactly once. */
export interface Reservation {
  userId: string;
  /** The provider as the client names it (`openai`, `openai:own-<agent>`). */
  provider: string;
  /** Its provider id (`openai`): prices and per-provider limits are keyed by it. */
  providerId: string;
  model: string;
  plan: SpendPlan;
  period: string;
  /** False when nothing was reserved (monitoring included in the plan, or Redis skipped by fail-open). */
  counted: boolean;
  tokens: number;
  costNano: number;
  quote: PriceQuote;
  /** The completion tokens reserved for; the request sent upstream must not ask for more. */
  completionBound: number;
  remaining: Remaining;
}

/** An attempt to reserve for. */
export interface ReserveInput {
  userId: string;
  apiKeyId: string | null;
  provider: string;
  model: string;
  /** Counted (tokenizer) prompt tokens of what will be sent. */
  promptTokens: number;
  /** `max_tokens` (or `max_completion_tokens`) of the request, when it set one. */
  maxTokens?: number | undefined;
  /** True for a request's first attempt (it counts as one request); false for a fallback's re-reservation. */
  countRequest: boolean;
  /** Counted as usage but not against the plan (the monitoring worker on a plan that includes it). */
  uncounted?: boolean;
  at?: Date;
}

/** A usage event as the caller knows it; the engine adds the price. */
export type AttemptUsage = Omit<UsageEvent, 'costUsd' | 'priceEstimated' | 'userId' | 'provider' | 'model'>;

/** Options of `createQuotaEngine`. */
export interface QuotaEngineOptions {
  redis: Redis;
  db: PlatformDatabase;
  plans: PlanCatalog;
  prices: PriceBook;
  /** Prefix of every key (`<namespace>:spend:{u:<userId>}:...`) and of the usage streams. */
  namespace: string;
  /** Number of usage stream partitions. */
  partitions: number;
  /** Requests per minute per API key on top of the plan's per-user rate (RATE_LIMIT_PER_MINUTE); 0 = off. */
  keyRateLimitPerMinute?: number;
  /** Completion bound reserved when neither the request nor the plan sets one (default 4096). */
  defaultCompletionBound?: number;
  /** An alert row could not be written (the crossing is not reported again; it is logged). */
  onAlertError?: (error: unknown) => void;
}

const providerIdOf = (provider: string) => provider.split(':', 1)[0] ?? provider;

/**
 * The quota engine: one atomic script reserves an attempt's worst case against every limit of the user's plan
 * (monthly requests, tokens, cost cap, per-provider requests and cost, requests per minute), and one pipeline
 * settles it to the real usage together with the attempt's usage event on the usage stream.
 */
export function createQuotaEngine(options: QuotaEngineOptions) {
  const redis = commands(options.redis);
  const { namespace } = options;
  const defaultBound = options.defaultCompletionBound ?? 4096;

  const periodKey = (userId: string, period: string) => `${namespace}:spend:{u:${userId}}:${period}`;

  function remainingOf(plan: SpendPlan, requests: number, costNano: number): Remaining {
    return {
      requests: plan.monthlyRequestLimit > 0 ? Math.max(0, plan.monthlyRequestLimit - requests) : null,
      costUsd:
        plan.monthlyCostCapUsd > 0
          ? Math.max(0, fromNanoUsd(toNanoUsd(plan.monthlyCostCapUsd) - costNano))
          : null,
    };
  }

  function providerLimitArgs(plan: SpendPlan, providerId: string): [number, number] {
    const limits = plan.providerLimits[providerId];
    return [limits?.monthlyRequestLimit ?? 0, toNanoUsd(limits?.monthlyCostCapUsd ?? 0)];
  }

  function raiseAlerts(userId: string, period: string, plan: SpendPlan, crossed: string[]): void {
    const real = crossed.filter((entry) => entry !== '');
    if (real.length === 0) return;
    writeCrossedAlerts(options.db, { userId, period, planName: plan.name, crossed: real }).catch(
      (error: unknown) => options.onAlertError?.(error),
    );
  }

  /** The completion tokens an attempt may produce: the request's `max_tokens` capped by the plan. */
  function completionBound(plan: SpendPlan, maxTokens: number | undefined): number {
    const cap = plan.maxTokensPerRequest;
    if (maxTokens !== undefined && maxTokens > 0) return cap > 0 ? Math.min(maxTokens, cap) : maxTokens;
    return cap > 0 ? cap : defaultBound;
  }

  /** Moves a counted reservation's worst case to the attempt's real tokens and cost; the counters after it. */
  function settleCounters(reservation: Reservation, usage: AttemptUsage, cost: number): Promise<SettleReply> {
    const { plan } = reservation;
    const [providerRequests, providerCost] = providerLimitArgs(plan, reservation.providerId);
    return redis.spendSettle(
      periodKey(reservation.userId, reservation.period),
      reservation.tokens,
      reservation.costNano,
      usage.promptTokens + usage.completionTokens,
      toNanoUsd(cost),
      reservation.providerId,
      plan.monthlyRequestLimit,
      plan.monthlyTokenLimit,
      toNanoUsd(plan.monthlyCostCapUsd),
      providerRequests,
      providerCost,
      periodTtlMs,
    );
  }

  return {
    periodKey,

    /** The user's plan (cached). */
    planFor: (userId: string) => options.plans.planFor(userId),

    completionBound,

    /**
     * Reserves one attempt's worst case (counted prompt + completion bound, at the model's price now) against every
     * limit of the user's plan, atomically. Throws `SpendLimitError` naming the first limit it would pass.
     * Redis errors propagate: the caller decides between 503 and fail-open.
     */
    async reserve(input: ReserveInput): Promise<Reservation> {
      const at = input.at ?? new Date();
      const providerId = providerIdOf(input.provider);
      const [plan, quote] = await Promise.all([
        options.plans.planFor(input.userId),
        options.prices.quote(providerId, input.model, at),
      ]);
      const bound = completionBound(plan, input.maxTokens);
      const tokens = input.promptTokens + bound;
      const costNano = toNanoUsd(
        costOf(quote.price, { prompt: input.promptTokens, completion: bound, cached: 0 }),
      );
      const period = periodOf(at);
      const base = {
        userId: input.userId,
        provider: input.provider,
        providerId,
        model: input.model,
        plan,
        period,
        tokens,
        costNano,
        quote,
        completionBound: bound,
      };
      if (input.uncounted) return { ...base, counted: false, remaining: remainingOf(plan, 0, 0) };
      const [providerRequests, providerCost] = providerLimitArgs(plan, providerId);
      const reply = await redis.spendReserve(
        periodKey(input.userId, period),
        `${namespace}:spend:{u:${input.userId}}:rate`,
        `${namespace}:spend:{u:${input.userId}}:key:${input.apiKeyId ?? 'none'}`,
        input.countRequest ? 1 : 0,
        tokens,
        costNano,
        providerId,
        plan.monthlyRequestLimit,
        plan.monthlyTokenLimit,
        toNanoUsd(plan.monthlyCostCapUsd),
        providerRequests,
        providerCost,
        plan.rateLimitPerMinute,
        options.keyRateLimitPerMinute ?? 0,
        rateWindowMs,
        periodTtlMs,
      );
      if (reply[0] === 0) {
        const [, limit, windowLeftMs, crossed] = reply;
        raiseAlerts(input.userId, period, plan, [crossed]);
        const rate = limit === 'rate' || limit === 'key_rate';
        throw new SpendLimitError(
          limit as SpendLimit,
          plan.name,
          rate ? Math.max(1, Math.ceil(windowLeftMs / 1000)) : secondsToPeriodEnd(at),
        );
      }
      const [, requests, , cost] = reply;
      return { ...base, counted: true, remaining: remainingOf(plan, requests, cost) };
    },

    /**
     * Settles `reservation` to the attempt's real usage (a failed attempt: what it used, usually nothing) and
     * appends its usage event to the user's usage stream, in ONE pipeline: when this resolves, the event is in
     * Redis. Returns the attempt's cost and what is left of the plan.
     */
    async settle(
      reservation: Reservation,
      usage: AttemptUsage,
    ): Promise<{ costUsd: number; remaining: Remaining; event: UsageEvent }> {
      const cost = costOf(reservation.quote.price, {
        prompt: usage.promptTokens,
        completion: usage.completionTokens,
        cached: usage.cachedTokens,
      });
      const event: UsageEvent = {
        ...usage,
        userId: reservation.userId,
        provider: reservation.provider,
        model: reservation.model,
        costUsd: cost,
        priceEstimated: reservation.quote.estimated,
      };
      const streamKey = usageStreamKey(namespace, usagePartition(reservation.userId, options.partitions));
      const { plan } = reservation;
      // Issued together: on an auto-pipelining connection (the gateway's) both leave in one write, batched with
      // other requests' commands; either way, when both resolve the event is in Redis.
      const [settled] = await Promise.all([
        reservation.counted ? settleCounters(reservation, usage, cost) : undefined,
        options.redis.xadd(streamKey, '*', ...encodeUsageEvent(event)),
      ]);
      if (!settled) return { costUsd: cost, remaining: reservation.remaining, event };
      const [requests, , costNano, ...crossed] = settled;
      raiseAlerts(reservation.userId, reservation.period, plan, crossed);
      return { costUsd: cost, remaining: remainingOf(plan, requests, costNano), event };
    },

    /** Gives a reservation back unused (an attempt that was never made): no usage event. */
    async release(reservation: Reservation): Promise<void> {
      if (!reservation.counted) return;
      const { plan } = reservation;
      const [providerRequests, providerCost] = providerLimitArgs(plan, reservation.providerId);
      await redis.spendSettle(
        periodKey(reservation.userId, reservation.period),
        reservation.tokens,
        reservation.costNano,
        0,
        0,
        reservation.providerId,
        plan.monthlyRequestLimit,
        plan.monthlyTokenLimit,
        toNanoUsd(plan.monthlyCostCapUsd),
        providerRequests,
        providerCost,
        periodTtlMs,
      );
    },

    /** The live counters of a user's period (requests, tokens, cost and per provider), straight from Redis. */
    async liveCounters(userId: string, period: string) {
      const fields = await options.redis.hgetall(periodKey(userId, period));
      const providers: Record<string, { requests: number; costUsd: number }> = {};
      for (const [field, value] of Object.entries(fields)) {
        const match = /^p:(.+):(requests|cost)$/.exec(field);
        if (!match) continue;
        const entry = (providers[match[1]!] ??= { requests: 0, costUsd: 0 });
        if (match[2] === 'requests') entry.requests = Number(value);
        else entry.costUsd = fromNanoUsd(Number(value));
      }
      return {
        requests: Number(fields.requests ?? 0),
        tokens: Number(fields.tokens ?? 0),
        costUsd: fromNanoUsd(Number(fields.cost ?? 0)),
        providers,
      };
    },
  };
}

/** The quota engine. */
export type QuotaEngine = ReturnType<typeof createQuotaEngine>;
