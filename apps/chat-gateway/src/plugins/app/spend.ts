import {
  createPlanCatalog,
  createPriceBook,
  createQuotaEngine,
  createSpendMetering,
  type PlanCatalog,
  type PriceBook,
  type QuotaEngine,
  type SpendMetering,
} from '@switchyard/spend';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { isOutage } from '../../services/dependency-outage.js';
import { createSpendErrors } from '../../services/spend-errors.js';
import { createUsageReports, type UsageReports } from '../../services/usage-reports.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Plans, prices, the quota engine, the per-request meter of LLM calls and usage reports. */
    spend: {
      plans: PlanCatalog;
      prices: PriceBook;
      engine: QuotaEngine;
      metering: SpendMetering;
      reports: UsageReports;
    };
  }
}

interface SpendPluginOptions {
  namespace: string;
  partitions: number;
  keyRateLimitPerMinute: number;
  failOpen: boolean;
  /** SPEND_METERING: false = no limits enforced, no usage recorded. */
  enabled: boolean;
}

/** Spend control: every chat request reserves against its user's plan and settles with its usage events. */
export default fp(
  async function spend(app: FastifyInstance, options: SpendPluginOptions) {
    const { db } = app.platform;
    const shared = { db, redis: app.redis, subscriber: app.redisSubscriber, namespace: options.namespace };
    const plans = createPlanCatalog(shared);
    const prices = createPriceBook({
      ...shared,
      onGapError: (error) => app.log.warn({ reason: String(error) }, 'missing price not recorded'),
    });
    const engine = createQuotaEngine({
      redis: app.redis,
      db,
      plans,
      prices,
      namespace: options.namespace,
      partitions: options.partitions,
      keyRateLimitPerMinute: options.keyRateLimitPerMinute,
      onAlertError: (error) => app.log.warn({ reason: String(error) }, 'usage alert not recorded'),
    });
    const metering = createSpendMetering({
      engine,
      failOpen: options.failOpen,
      enabled: options.enabled,
      isOutage,
      errors: createSpendErrors(options.keyRateLimitPerMinute),
      onFailOpen: () => app.log.warn('redis not answering: request served without quota (QUOTA_FAIL_OPEN)'),
      logger: app.log,
    });
    if (!options.enabled)
      app.log.warn('SPEND_METERING=off: plan limits are not enforced and usage is not recorded');
    await Promise.all([plans.ready, prices.ready]);
    const reports = createUsageReports({ db, engine, plans });
    app.decorate('spend', { plans, prices, engine, metering, reports });
    app.addHook('onClose', async () => {
      await Promise.all([plans.close(), prices.close()]);
    });
  },
  { name: 'spend', dependencies: ['databases', 'redis'] },
);
