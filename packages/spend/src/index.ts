export { writeCrossedAlerts } from './alerts.js';
export { createSpendMetering, type SpendMetering, type SpendMeteringOptions } from './metering.js';
export { meteredCall, RequestMeter, usageIdFor, type MeteredCall } from './request-meter.js';
export { fromNanoUsd, toNanoUsd } from './money.js';
export { periodBounds, periodOf, recentPeriods, secondsToPeriodEnd } from './period.js';
export { createPlanCatalog, type PlanCatalog, type PlanCatalogOptions, type SpendPlan } from './plans.js';
export {
  costOf,
  createPriceBook,
  type ModelPrice,
  type PriceBook,
  type PriceBookOptions,
  type PriceQuote,
  type TokenUsage,
} from './prices.js';
export {
  createQuotaEngine,
  type AttemptUsage,
  type QuotaEngine,
  type QuotaEngineOptions,
  type Remaining,
  type Reservation,
  type ReserveInput,
} from './quota-engine.js';
export { SpendLimitError, type SpendLimit } from './spend-limit-error.js';
