import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { and, asc, eq } from '@switchyard/db';
import { subscriptionPlans, usageSummaries } from '@switchyard/db/platform';
import { NotFoundError } from '../errors.js';
import { errorResponses } from '../schemas/common.js';
import { currentPeriod } from '../services/quota.js';

const PlanSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  monthlyPrice: Type.Number(),
  yearlyPrice: Type.Number(),
  monthlyRequestLimit: Type.Integer({ description: '0 = unlimited' }),
  monthlyTokenLimit: Type.Integer({ description: '0 = unlimited' }),
  monthlyCostCap: Type.Number({ description: 'USD; 0 = unlimited' }),
  features: Type.Array(Type.String()),
});

const UsageSchema = Type.Object({
  userId: Type.String(),
  period: Type.String({ description: 'YYYY-MM (UTC)' }),
  plan: Type.Object({ name: Type.String(), monthlyRequestLimit: Type.Integer() }),
  requestsCounted: Type.Integer({
    description: 'Requests counted against the quota this month (live, from Redis).',
  }),
  summary: Type.Object({
    requestCount: Type.Integer(),
    errorCount: Type.Integer(),
    fallbackCount: Type.Integer(),
    totalTokens: Type.Integer(),
    totalCost: Type.Number(),
  }),
});

/** Seed endpoints kept by name: the plan catalog and a user's usage this month. */
const subscriptionRoutes: FastifyPluginAsyncTypebox = (app) => {
  const { db } = app.platform;
  app.get(
    '/api/subscription/plans',
    {
      schema: {
        tags: ['subscription'],
        summary: 'Active plans',
        response: { 200: Type.Object({ plans: Type.Array(PlanSchema) }) },
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
      preHandler: app.authenticate,
      schema: {
        tags: ['subscription'],
        summary: "A user's usage this month (your own user id only)",
        security: [{ apiKey: [] }],
        params: Type.Object({ userId: Type.String({ format: 'uuid' }) }),
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
