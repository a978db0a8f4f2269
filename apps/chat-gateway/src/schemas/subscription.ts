import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** The `{ success, data }` envelope of the subscription, plan and usage routes. */
export const Envelope = <T extends TSchema>(data: T) => Type.Object({ success: Type.Literal(true), data });

const Unlimited = (description: string) => ({ minimum: 0, description: `${description}; 0 = unlimited` });

/** Per-provider limits of a plan, keyed by provider id (`openai`). */
export const ProviderLimitsSchema = Type.Record(
  Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$' }),
  Type.Object(
    {
      monthlyCostCapUsd: Type.Optional(Type.Number(Unlimited('USD a month on this provider'))),
      monthlyRequestLimit: Type.Optional(Type.Integer(Unlimited('requests a month on this provider'))),
    },
    { additionalProperties: false },
  ),
  { maxProperties: 32 },
);

/** The limits of a plan, as `POST /api/admin/plans` takes them. */
const planLimitFields = {
  monthlyRequestLimit: Type.Integer({ ...Unlimited('requests a month'), maximum: 2_147_483_647 }),
  monthlyTokenLimit: Type.Integer(Unlimited('prompt + completion tokens a month')),
  monthlyCostCapUsd: Type.Number({ ...Unlimited('provider cost a month, USD'), maximum: 99_999_999 }),
  providerLimits: ProviderLimitsSchema,
  maxTokensPerRequest: Type.Integer({
    ...Unlimited('completion tokens one request may ask for (and is reserved for)'),
    maximum: 2_147_483_647,
  }),
  rateLimitPerMinute: Type.Integer({ ...Unlimited('requests a minute per user'), maximum: 2_147_483_647 }),
  monitoringIncluded: Type.Boolean({
    description: "The monitoring worker's LLM calls are recorded but not counted against the plan.",
  }),
};

/** `POST /api/admin/plans` body. */
export const CreatePlanSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[^/]+$' }),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
    monthlyPrice: Type.Optional(Type.Number({ minimum: 0, maximum: 99_999_999 })),
    yearlyPrice: Type.Optional(Type.Number({ minimum: 0, maximum: 99_999_999 })),
    features: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50 })),
    sortOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    active: Type.Optional(Type.Boolean()),
    monthlyRequestLimit: Type.Optional(planLimitFields.monthlyRequestLimit),
    monthlyTokenLimit: Type.Optional(planLimitFields.monthlyTokenLimit),
    monthlyCostCapUsd: Type.Optional(planLimitFields.monthlyCostCapUsd),
    providerLimits: Type.Optional(planLimitFields.providerLimits),
    maxTokensPerRequest: Type.Optional(planLimitFields.maxTokensPerRequest),
    rateLimitPerMinute: Type.Optional(planLimitFields.rateLimitPerMinute),
    monitoringIncluded: Type.Optional(planLimitFields.monitoringIncluded),
  },
  { additionalProperties: false },
);
export type CreatePlan = Static<typeof CreatePlanSchema>;

/** `PUT /api/admin/plans/:name` body: the fields to change. */
export const UpdatePlanSchema = Type.Partial(Type.Omit(CreatePlanSchema, ['name']), {
  additionalProperties: false,
  minProperties: 1,
});

/** `PUT /api/admin/plans/:name` path. */
export const PlanNameParamsSchema = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) });

/** A subscription plan. */
export const PlanSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  monthlyPrice: Type.Number(),
  yearlyPrice: Type.Number(),
  ...planLimitFields,
  features: Type.Array(Type.String()),
  sortOrder: Type.Integer(),
  active: Type.Boolean(),
});

/** `GET /api/subscription/plans` answer. */
export const PlanListSchema = Envelope(Type.Array(PlanSchema));

/** One plan in the envelope. */
export const PlanEnvelopeSchema = Envelope(PlanSchema);

/** `PUT /api/admin/users/:id/subscription` body. */
export const AssignSubscriptionSchema = Type.Object(
  {
    plan: Type.String({ minLength: 1, maxLength: 100, description: 'The plan name.' }),
    billingCycle: Type.Optional(Type.Union([Type.Literal('monthly'), Type.Literal('yearly')])),
  },
  { additionalProperties: false },
);

/** A user's subscription. */
export const SubscriptionSchema = Envelope(
  Type.Object({
    userId: Type.String(),
    plan: Type.String(),
    billingCycle: Type.String(),
    status: Type.String(),
    currentPeriodStart: Type.String({ format: 'date-time' }),
    currentPeriodEnd: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  }),
);

/** `GET /api/subscription/usage/:userId` path parameters. */
export const UsageParamsSchema = Type.Object({ userId: Type.String({ format: 'uuid' }) });

/** `GET /api/subscription/usage/:userId/history` query. */
export const UsageHistoryQuerySchema = Type.Object({
  months: Type.Integer({ minimum: 1, maximum: 24, default: 6 }),
});

/** A usage alert. */
export const AlertSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  severity: Type.String(),
  message: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String({ format: 'date-time' }),
  acknowledgedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const Percent = Type.Union([Type.Number(), Type.Null()], { description: 'null = unlimited' });

/** A user's usage in the current period against the plan's limits. */
export const UsageReportSchema = Type.Object({
  userId: Type.String(),
  plan: Type.String(),
  period: Type.Object({
    start: Type.String({ format: 'date-time' }),
    end: Type.String({ format: 'date-time' }),
  }),
  requests: Type.Integer(),
  errors: Type.Integer(),
  tokens: Type.Object({ prompt: Type.Integer(), completion: Type.Integer(), cached: Type.Integer() }),
  costUsd: Type.Number(),
  limits: Type.Object({
    ...planLimitFields,
  }),
  percent: Type.Object({ requests: Percent, tokens: Percent, costUsd: Percent }),
  status: Type.Union([Type.Literal('ok'), Type.Literal('warning'), Type.Literal('limit_reached')]),
  providers: Type.Array(
    Type.Object({
      provider: Type.String(),
      model: Type.String(),
      requests: Type.Integer(),
      costUsd: Type.Number(),
    }),
  ),
  alerts: Type.Array(AlertSchema),
});

/** `GET /api/subscription/usage/:userId` answer. */
export const UsageSchema = Envelope(UsageReportSchema);

/** `GET /api/subscription/usage/:userId/history` answer: one entry per month, oldest first. */
export const UsageHistorySchema = Envelope(
  Type.Array(
    Type.Object({
      period: Type.String({ description: 'YYYY-MM (UTC)' }),
      requests: Type.Integer(),
      errors: Type.Integer(),
      tokens: Type.Object({ prompt: Type.Integer(), completion: Type.Integer() }),
      costUsd: Type.Number(),
    }),
  ),
);

/** `GET /api/users/me/alerts` answer: unacknowledged first, newest first. */
export const AlertListSchema = Envelope(Type.Array(AlertSchema));

/** One alert in the envelope. */
export const AlertEnvelopeSchema = Envelope(AlertSchema);
