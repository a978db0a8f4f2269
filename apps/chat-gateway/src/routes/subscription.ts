import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { and, asc, eq } from '@switchyard/db';
import { subscriptionPlans, usageSummaries } from '@switchyard/db/platform';
import { NotFoundError } from '../errors.js';
import { errorResponses } from '../schemas/common.js';
import { PlanListSchema, UsageParamsSchema, UsageSchema } from '../schemas/subscription.js';
import { currentPeriod } from '../services/quota.js';

/** Seed endpoints kept by name: the plan catalog and a user's usage this month. */
const subscriptionRoutes: FastifyPluginAsyncTypebox = (app) => {
  const { db } = app.platform;
  app.get(
    '/api/subscription/plans',
    {
      schema: {
        tags: ['subscription'],
        summary: 'Active plans',
        response: { 200: PlanListSchema },
      },
    },
    async () => {
      const rows = await db
        .select()
        .from(subscriptionPlans)
        .where(eq(subscriptionPlans.active, true))
        .orderBy(asc(subscriptionPlans.sortOrder));
      return { plans: rows };
    },
  );

  app.get(
    '/api/subscription/usage/:userId',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['subscription'],
        summary: "A user's usage this month (your own user id only)",
        security: [{ apiKey: [] }],
        params: UsageParamsSchema,
        response: { 200: UsageSchema, ...errorResponses },
      },
    },
    async (request) => {
      // Someone else's usage is reported as missing, like other users' conversations.
      if (request.params.userId !== request.principal!.userId) throw new NotFoundError('User');
      const userId = request.params.userId;
      const period = currentPeriod();
      const [[summary], limits, requestsCounted] = await Promise.all([
        db
          .select()
          .from(usageSummaries)
          .where(and(eq(usageSummaries.userId, userId), eq(usageSummaries.period, period)))
          .limit(1),
        app.quota.limitsFor(userId),
        app.quota.used(userId),
      ]);
      return {
        userId,
        period,
        plan: { name: limits.planName, monthlyRequestLimit: limits.monthlyRequestLimit },
        requestsCounted,
        summary: {
          requestCount: summary?.requestCount ?? 0,
          errorCount: summary?.errorCount ?? 0,
          fallbackCount: summary?.fallbackCount ?? 0,
          totalTokens: summary?.totalTokens ?? 0,
          totalCost: summary?.totalCost ?? 0,
        },
      };
    },
  );
  return Promise.resolve();
};

export default subscriptionRoutes;
