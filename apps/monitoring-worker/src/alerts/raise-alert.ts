import { sql } from '@switchyard/db';
import type { PlatformDatabase } from '@switchyard/db';
import { usageAlerts } from '@switchyard/db/platform';

/** An alert for a user that stands for one condition (`conditionKey`), e.g. one connection about to expire. */
export type ConditionAlert = Omit<typeof usageAlerts.$inferInsert, 'id' | 'createdAt' | 'acknowledgedAt'> & {
  conditionKey: string;
};

/**
 * Raises an alert once per condition: while an alert with the same user, type and `conditionKey` is open
 * (unacknowledged), raising it again (the next weekly run, a retry) inserts nothing. True when it was new.
 */
export async function raiseAlertOnce(platform: PlatformDatabase, alert: ConditionAlert): Promise<boolean> {
  const inserted = await platform
    .insert(usageAlerts)
    .values(alert)
    .onConflictDoNothing({
      target: [usageAlerts.userId, usageAlerts.alertType, usageAlerts.conditionKey],
      // The predicate of the partial unique index `usage_alerts_open_condition_unique`, which ON CONFLICT must match.
      where: sql`"acknowledged_at" is null and "condition_key" is not null`,
    })
    .returning({ id: usageAlerts.id });
  return inserted.length > 0;
}
