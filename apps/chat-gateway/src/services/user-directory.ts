import { asc, desc, eq, inArray, lt, type PlatformDatabase } from '@switchyard/db';
import { apiKeys, subscriptionPlans, userSubscriptions, users } from '@switchyard/db/platform';

/**
 * The operator's list of users, newest first: each with its plan (null = no subscription row, the Free plan)
 * and its API keys (prefix and dates only: a key's secret is never stored).
 */
export function createUserDirectory(db: PlatformDatabase) {
  return async function listUsers(limit: number, before?: Date) {
    const rows = await db
      .select({
        user: users,
        plan: subscriptionPlans.name,
        subscription: userSubscriptions,
      })
      .from(users)
      .leftJoin(userSubscriptions, eq(userSubscriptions.userId, users.id))
      .leftJoin(subscriptionPlans, eq(subscriptionPlans.id, userSubscriptions.planId))
      .where(before ? lt(users.createdAt, before) : undefined)
      .orderBy(desc(users.createdAt), desc(users.id))
      .limit(limit);
    const keys =
      rows.length === 0
        ? []
        : await db
            .select()
            .from(apiKeys)
            .where(
              inArray(
                apiKeys.userId,
                rows.map((row) => row.user.id),
              ),
            )
            .orderBy(asc(apiKeys.createdAt));
    const instant = (value: Date | null) => value?.toISOString() ?? null;
    return {
      users: rows.map(({ user, plan, subscription }) => ({
        id: user.id,
        email: user.email,
        name: user.name,
        role: user.role,
        status: user.status,
        createdAt: user.createdAt.toISOString(),
        plan:
          subscription && plan !== null
            ? {
                name: plan,
                status: subscription.status,
                billingCycle: subscription.billingCycle,
                currentPeriodStart: subscription.currentPeriodStart.toISOString(),
              }
            : null,
        apiKeys: keys
          .filter((key) => key.userId === user.id)
          .map((key) => ({
            id: key.id,
            name: key.name,
            prefix: key.keyPrefix,
            createdAt: key.createdAt.toISOString(),
            lastUsedAt: instant(key.lastUsedAt),
            revokedAt: instant(key.revokedAt),
          })),
      })),
      nextBefore: rows.length === limit ? rows.at(-1)!.user.createdAt.toISOString() : null,
    };
  };
}
