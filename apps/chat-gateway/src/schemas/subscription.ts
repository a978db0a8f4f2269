import { Type } from '@sinclair/typebox';

/** A subscription plan. */
export const PlanSchema = Type.Object({
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

/** `GET /api/subscription/plans` answer. */
export const PlanListSchema = Type.Object({ plans: Type.Array(PlanSchema) });

/** `GET /api/subscription/usage/:userId` path parameters. */
export const UsageParamsSchema = Type.Object({ userId: Type.String({ format: 'uuid' }) });

/** A user's usage this month. */
export const UsageSchema = Type.Object({
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
