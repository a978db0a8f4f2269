import { eq, type PlatformDatabase } from '@switchyard/db';
import { subscriptionPlans, userSubscriptions, users } from '@switchyard/db/platform';
import type { PlanCatalog } from '@switchyard/spend';
import { InvalidValueError, NotFoundError, withParam } from '../errors.js';
import type { CreatePlan } from '../schemas/subscription.js';

type PlanRow = typeof subscriptionPlans.$inferSelect;

/** A plan as the API shows it (`monthlyCostCapUsd`: the column is `monthly_cost_cap`, in USD). */
export function planView(row: PlanRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    monthlyPrice: row.monthlyPrice,
    yearlyPrice: row.yearlyPrice,
    monthlyRequestLimit: row.monthlyRequestLimit,
    monthlyTokenLimit: row.monthlyTokenLimit,
    monthlyCostCapUsd: row.monthlyCostCap,
    providerLimits: row.providerLimits,
    maxTokensPerRequest: row.maxTokensPerRequest,
    rateLimitPerMinute: row.rateLimitPerMinute,
    monitoringIncluded: row.monitoringIncluded,
    features: row.features,
    sortOrder: row.sortOrder,
    active: row.active,
  };
}

/** Plan fields of a request body as columns; absent fields stay absent (an update leaves them as they are). */
function planColumns(body: Partial<CreatePlan>) {
  const { monthlyCostCapUsd, ...rest } = body;
  return { ...rest, ...(monthlyCostCapUsd === undefined ? {} : { monthlyCostCap: monthlyCostCapUsd }) };
}

/**
 * Plans and subscriptions as data: create and change plans, put users on them. Every change is announced to the
 * plan catalog, so every replica enforces the new limits at once (not after its cache expires).
 */
export function createPlanAdmin(options: { db: PlatformDatabase; plans: PlanCatalog }) {
  const { db, plans } = options;
  return {
    /** Creates a plan; undefined when the name is taken. */
    async create(body: CreatePlan) {
      const [row] = await db
        .insert(subscriptionPlans)
        .values(planColumns(body) as typeof subscriptionPlans.$inferInsert)
        .onConflictDoNothing({ target: subscriptionPlans.name })
        .returning();
      return row && planView(row);
    },

    /** Changes a plan by name; undefined when there is none. */
    async update(name: string, body: Partial<CreatePlan>) {
      const [row] = await db
        .update(subscriptionPlans)
        .set({ ...planColumns(body), updatedAt: new Date() })
        .where(eq(subscriptionPlans.name, name))
        .returning();
      if (row) await plans.planChanged();
      return row && planView(row);
    },

    /** Puts a user on a plan; the period starts now. 404 for an unknown user, 400 naming `plan` for an unknown plan. */
    async assign(userId: string, planName: string, billingCycle: 'monthly' | 'yearly' = 'monthly') {
      const [[user], [plan]] = await Promise.all([
        db.select({ id: users.id }).from(users).where(eq(users.id, userId)).limit(1),
        db
          .select({
            id: subscriptionPlans.id,
            name: subscriptionPlans.name,
            active: subscriptionPlans.active,
          })
          .from(subscriptionPlans)
          .where(eq(subscriptionPlans.name, planName))
          .limit(1),
      ]);
      if (!user) throw new NotFoundError('User');
      if (!plan?.active)
        throw withParam(
          new InvalidValueError(`There is no active plan named \`${planName.slice(0, 100)}\`.`),
          'plan',
        );
      const start = new Date();
      const end = new Date(start);
      if (billingCycle === 'yearly') end.setUTCFullYear(end.getUTCFullYear() + 1);
      else end.setUTCMonth(end.getUTCMonth() + 1);
      const values = {
        planId: plan.id,
        status: 'active' as const,
        billingCycle,
        currentPeriodStart: start,
        currentPeriodEnd: end,
        cancelledAt: null,
      };
      const [row] = await db
        .insert(userSubscriptions)
        .values({ userId, ...values })
        .onConflictDoUpdate({ target: userSubscriptions.userId, set: { ...values, updatedAt: start } })
        .returning();
      await plans.userChanged(userId);
      return {
        userId,
        plan: plan.name,
        billingCycle: row!.billingCycle,
        status: row!.status,
        currentPeriodStart: row!.currentPeriodStart.toISOString(),
        currentPeriodEnd: row!.currentPeriodEnd?.toISOString() ?? null,
      };
    },
  };
}
