import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { oneOf, timestamps, timestamptz } from '../columns.js';
import { users } from './users.js';

/** Per-provider monthly limits of a plan, keyed by provider id (`openai`); 0 or absent = unlimited. Cost in USD. */
export type ProviderLimits = Record<string, { monthlyCostCapUsd?: number; monthlyRequestLimit?: number }>;

/** Plans. For every limit and the cost cap, 0 means unlimited. Prices and caps are in USD. */
export const subscriptionPlans = pgTable(
  'subscription_plans',
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    description: text(),
    monthlyPrice: numeric({ precision: 10, scale: 2, mode: 'number' }).notNull().default(0),
    yearlyPrice: numeric({ precision: 10, scale: 2, mode: 'number' }).notNull().default(0),
    monthlyRequestLimit: integer().notNull().default(0),
    monthlyTokenLimit: bigint({ mode: 'number' }).notNull().default(0),
    monthlyCostCap: numeric({ precision: 10, scale: 2, mode: 'number' }).notNull().default(0),
    providerLimits: jsonb().$type<ProviderLimits>().notNull().default({}),
    /** Most completion tokens one request may ask for (and is reserved for when it asks for none); 0 = no cap. */
    maxTokensPerRequest: integer().notNull().default(0),
    /** Requests per minute per user, across all their keys; 0 = no plan rate limit. */
    rateLimitPerMinute: integer().notNull().default(0),
    /** The monitoring worker's LLM calls for this user are recorded but do not count against the plan. */
    monitoringIncluded: boolean().notNull().default(false),
    features: jsonb().$type<string[]>().notNull().default([]),
    sortOrder: integer().notNull().default(0),
    active: boolean().notNull().default(true),
    ...timestamps(),
  },
  (table) => [
    uniqueIndex('subscription_plans_name_unique').on(table.name),
    check(
      'subscription_plans_limits_check',
      sql`"monthly_price" >= 0 and "yearly_price" >= 0 and "monthly_request_limit" >= 0 and "monthly_token_limit" >= 0 and "monthly_cost_cap" >= 0 and "max_tokens_per_request" >= 0 and "rate_limit_per_minute" >= 0`,
    ),
  ],
);

/** Values of `user_subscriptions.status`. */
export const subscriptionStatuses = ['active', 'trialing', 'past_due', 'cancelled'] as const;
/** Values of `user_subscriptions.billing_cycle`. */
export const billingCycles = ['monthly', 'yearly'] as const;

/** The one subscription of a user (unique `user_id`); a user without a row is on the Free plan. */
export const userSubscriptions = pgTable(
  'user_subscriptions',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    planId: uuid()
      .notNull()
      .references(() => subscriptionPlans.id),
    status: text({ enum: subscriptionStatuses }).notNull().default('active'),
    billingCycle: text({ enum: billingCycles }).notNull().default('monthly'),
    currentPeriodStart: timestamptz().notNull().defaultNow(),
    currentPeriodEnd: timestamptz(),
    cancelledAt: timestamptz(),
    ...timestamps(),
  },
  (table) => [
    uniqueIndex('user_subscriptions_user_id_unique').on(table.userId),
    index('user_subscriptions_plan_id_idx').on(table.planId),
    check('user_subscriptions_status_check', oneOf('status', subscriptionStatuses)),
    check('user_subscriptions_billing_cycle_check', oneOf('billing_cycle', billingCycles)),
  ],
);

/**
 * Prices in USD per 1M tokens. A price applies from `effective_from`; the current price of a model is its row
 * with the latest `effective_from` not in the future. Rows are versioned, never updated in place.
 */
export const apiProviderPricing = pgTable(
  'api_provider_pricing',
  {
    id: uuid().primaryKey().defaultRandom(),
    provider: text().notNull(),
    model: text().notNull(),
    inputPricePerMillion: numeric({ precision: 12, scale: 6, mode: 'number' }).notNull(),
    outputPricePerMillion: numeric({ precision: 12, scale: 6, mode: 'number' }).notNull(),
    cachedInputPricePerMillion: numeric({ precision: 12, scale: 6, mode: 'number' }),
    currency: text().notNull().default('USD'),
    effectiveFrom: timestamptz().notNull().defaultNow(),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('api_provider_pricing_model_effective_unique').on(
      table.provider,
      table.model,
      table.effectiveFrom,
    ),
  ],
);

/** Values of `api_usage_logs.status`. */
export const usageLogStatuses = ['success', 'error'] as const;

/**
 * One row per provider call (every attempt, including failed ones and fallbacks), written in batches by the
 * worker's usage ingester from the usage stream. `(request_id, attempt)` is unique: a redelivered event inserts
 * nothing. `cost` is USD; `attempt` starts at 1; `fallback_from` names the provider that failed before this one;
 * `error_class` holds the event's error kind (`rate_limit`, `timeout`, ...; the column keeps its name so readers
 * and rows written before the stream keep working). `user_id` and `api_key_id` are null only for calls made with
 * the bootstrap admin key.
 */
export const apiUsageLogs = pgTable(
  'api_usage_logs',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    requestId: text().notNull(),
    userId: uuid(),
    apiKeyId: uuid(),
    provider: text().notNull(),
    model: text().notNull(),
    endpoint: text().notNull(),
    promptTokens: integer().notNull().default(0),
    completionTokens: integer().notNull().default(0),
    cachedTokens: integer().notNull().default(0),
    /** The token counts are a tokenizer's estimate, not the provider's usage. */
    tokensEstimated: boolean().notNull().default(false),
    cost: numeric({ precision: 14, scale: 8, mode: 'number' }).notNull().default(0),
    /** The model had no price; `cost` uses its provider's most expensive known price. */
    priceEstimated: boolean().notNull().default(false),
    latencyMs: integer(),
    status: text({ enum: usageLogStatuses }).notNull(),
    errorClass: text(),
    attempt: integer().notNull().default(1),
    fallbackFrom: text(),
    streaming: boolean().notNull().default(false),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (table) => [
    index('api_usage_logs_user_created_idx').on(table.userId, table.createdAt),
    index('api_usage_logs_created_idx').on(table.createdAt),
    // Also serves lookups by request id (its leading column), so no second index on request_id.
    uniqueIndex('api_usage_logs_request_attempt_unique').on(table.requestId, table.attempt),
    check('api_usage_logs_status_check', oneOf('status', usageLogStatuses)),
  ],
);

/**
 * Per-provider counters inside `usage_summaries.per_provider`, keyed by provider name: `requests` counts the
 * attempts sent to that provider, `errors` the failed ones.
 */
export type ProviderUsage = Record<
  string,
  { requests: number; tokens: number; cost: number; errors?: number }
>;

/**
 * Monthly counters per user; `period` is `YYYY-MM` (UTC). Unique (user_id, period): writers upsert and add.
 * `request_count` counts requests (a request with fallbacks is one), `error_count` the requests that failed on
 * every provider, `fallback_count` the attempts that were fallbacks. `total_cost` is USD; `cached_tokens` is the
 * part of `prompt_tokens` the provider served from its cache.
 */
export const usageSummaries = pgTable(
  'usage_summaries',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid().notNull(),
    period: text().notNull(),
    requestCount: integer().notNull().default(0),
    errorCount: integer().notNull().default(0),
    fallbackCount: integer().notNull().default(0),
    promptTokens: bigint({ mode: 'number' }).notNull().default(0),
    completionTokens: bigint({ mode: 'number' }).notNull().default(0),
    cachedTokens: bigint({ mode: 'number' }).notNull().default(0),
    totalTokens: bigint({ mode: 'number' }).notNull().default(0),
    totalCost: numeric({ precision: 14, scale: 6, mode: 'number' }).notNull().default(0),
    perProvider: jsonb().$type<ProviderUsage>().notNull().default({}),
    ...timestamps(),
  },
  (table) => [
    uniqueIndex('usage_summaries_user_period_unique').on(table.userId, table.period),
    check('usage_summaries_period_check', sql`"period" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
  ],
);

/**
 * Usage stream entries the ingester could not store: malformed ones, and events Postgres rejected (found by
 * bisecting the batch). Acknowledged on the stream once here; `(stream_key, stream_id)` is unique, so a redelivered
 * entry is recorded once, with the time it was first seen. `error` is the decoder's or Postgres's message, never
 * row values; `raw_event` is the entry as read (NUL characters written as `\u0000`, which text cannot hold).
 */
export const usageDeadLetters = pgTable(
  'usage_dead_letters',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    streamKey: text().notNull(),
    streamId: text().notNull(),
    /** Null when the entry could not be decoded. */
    requestId: text(),
    attempt: integer(),
    rawEvent: text().notNull(),
    error: text().notNull(),
    firstSeenAt: timestamptz().notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('usage_dead_letters_stream_entry_unique').on(table.streamKey, table.streamId),
    index('usage_dead_letters_first_seen_idx').on(table.firstSeenAt),
  ],
);

/** Values of `usage_alerts.alert_type`. */
export const usageAlertTypes = [
  'request_limit_warning',
  'request_limit_reached',
  'token_limit_warning',
  'token_limit_reached',
  'cost_cap_warning',
  'cost_cap_reached',
  'provider_limit_warning',
  'provider_limit_reached',
  'monitoring_needs_intervention',
  'oauth_token_expiring',
] as const;
/** Values of `usage_alerts.severity`. */
export const alertSeverities = ['info', 'warning', 'critical'] as const;

/**
 * Alerts raised for a user (usage limits, monitoring tasks, connections); open while `acknowledged_at` is null.
 * Two keys keep an alert from repeating: a limit alert carries `period_key` (`<YYYY-MM>:<limit>:<percent>`, e.g.
 * `2026-12:cost:80`), unique per user and type, so it is raised once a period; a condition alert (a task needing
 * intervention, a token expiring) carries `condition_key`, unique among the user's open alerts of its type.
 */
export const usageAlerts = pgTable(
  'usage_alerts',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid().notNull(),
    alertType: text({ enum: usageAlertTypes }).notNull(),
    severity: text({ enum: alertSeverities }).notNull(),
    message: text().notNull(),
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamptz().notNull().defaultNow(),
    acknowledgedAt: timestamptz(),
    /** The condition an alert stands for (e.g. one task needing intervention); null = not deduplicated. */
    conditionKey: text(),
    periodKey: text(),
  },
  (table) => [
    index('usage_alerts_user_created_idx').on(table.userId, table.createdAt),
    // One open alert per condition: raising it again while unacknowledged does nothing.
    uniqueIndex('usage_alerts_open_condition_unique')
      .on(table.userId, table.alertType, table.conditionKey)
      .where(sql`"acknowledged_at" is null and "condition_key" is not null`),
    uniqueIndex('usage_alerts_user_type_period_unique').on(table.userId, table.alertType, table.periodKey),
    check('usage_alerts_alert_type_check', oneOf('alert_type', usageAlertTypes)),
    check('usage_alerts_severity_check', oneOf('severity', alertSeverities)),
  ],
);
