import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { asc, eq } from '@switchyard/db';
import { subscriptionPlans } from '@switchyard/db/platform';
import { ForbiddenError } from '../errors.js';
import { errorResponses, ErrorEnvelopeRefSchema } from '../schemas/common.js';
import {
  PlanListSchema,
  UsageHistoryQuerySchema,
  UsageHistorySchema,
  UsageParamsSchema,
  UsageSchema,
} from '../schemas/subscription.js';
import { planView } from '../services/plan-admin.js';

/** The plan catalog and users' usage against their plans (`{ success, data }` envelopes). */
const subscriptionRoutes: FastifyPluginAsyncTypebox = (app) => {
  const { db } = app.platform;
  const { reports } = app.spend;
  const security: Record<string, string[]>[] = [{ apiKey: [] }, { adminKey: [] }];

  /** A user's key may read only its own usage; the admin key reads anyone's. */
  function assertMayRead(principal: { userId: string } | undefined, userId: string): void {
    if (principal && principal.userId !== userId)
      throw new ForbiddenError("An API key may read only its own user's usage.");
  }

  app.get(
    '/api/subscription/plans',
    {
      schema: {
        tags: ['subscription'],
        summary: 'Active plans and their limits',
        response: { 200: PlanListSchema },
      },
    },
    async () => {
      const rows = await db
        .select()
        .from(subscriptionPlans)
        .where(eq(subscriptionPlans.active, true))
        .orderBy(asc(subscriptionPlans.sortOrder), asc(subscriptionPlans.name));
      return { success: true as const, data: rows.map(planView) };
    },
  );

  app.get(
    '/api/subscription/usage/:userId',
    {
      preHandler: app.requireUserOrAdmin,
      schema: {
        tags: ['subscription'],
        summary: "A user's usage this month against the plan's limits (own user, or any with the admin key)",
        security,
        params: UsageParamsSchema,
        response: { 200: UsageSchema, ...errorResponses, 403: ErrorEnvelopeRefSchema },
      },
    },
    async (request) => {
      assertMayRead(request.principal, request.params.userId);
      return { success: true as const, data: await reports.current(request.params.userId) };
    },
  );

  app.get(
    '/api/subscription/usage/:userId/history',
    {
      preHandler: app.requireUserOrAdmin,
      schema: {
        tags: ['subscription'],
        summary: "A user's usage of the last `months` months, oldest first",
        security,
        params: UsageParamsSchema,
        querystring: UsageHistoryQuerySchema,
        response: { 200: UsageHistorySchema, ...errorResponses, 403: ErrorEnvelopeRefSchema },
      },
    },
    async (request) => {
      assertMayRead(request.principal, request.params.userId);
      return {
        success: true as const,
        data: await reports.history(request.params.userId, request.query.months),
      };
    },
  );
  return Promise.resolve();
};

export default subscriptionRoutes;
