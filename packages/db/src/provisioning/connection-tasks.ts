import { and, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { PlatformDatabase } from '../client.js';
import {
  insightsPlatforms,
  oauthTokenMonitoringTasks,
  platformInsightsTasks,
  type oauthPlatforms,
} from '../platform/monitoring.js';
import { onboardingSessions } from '../platform/onboarding.js';

/** Which connection `ensureConnectionTasks` provisions, and (for insights platforms) the site it reports on. */
export interface ConnectionTasksInput {
  userId: string;
  connectionId: string;
  platform: (typeof oauthPlatforms)[number];
  /**
   * The site of the insights task; default: the site the user's insights task of this platform already has, else
   * the website of the user's latest onboarding session. Without any, no insights task is created.
   */
  siteUrl?: string | null;
}

/** The tasks of a connection after `ensureConnectionTasks`; `insightsTask` null = no insights (platform or site). */
export interface ConnectionTasks {
  oauthTask: ProvisionedTask;
  insightsTask: ProvisionedTask | null;
  siteUrl: string | null;
}

/** A provisioned task and when it is due (now): the job of its first run uses this due time. */
export interface ProvisionedTask {
  id: string;
  nextCheck: Date;
}

// Reactivation: whatever stopped the task (failures, the user's pause, needs_intervention) is over once the user
// has connected again, so the task starts clean and is due now.
const reactivated = {
  status: 'active',
  consecutiveFailures: 0,
  failureReason: null,
  failurePattern: null,
  nextCheck: sql`now()`,
  updatedAt: sql`now()`,
} as const;

function provisioned(row: { id: string; nextCheck: Date | null } | undefined): ProvisionedTask {
  return { id: row!.id, nextCheck: row!.nextCheck ?? new Date() };
}

/**
 * Creates, or reactivates, the monitoring tasks of one platform connection in one transaction: its oauth-token task
 * and, for platforms with insights (gsc, bing) and a known site, its insights task. Idempotent: the unique indexes
 * (user, connection) and (user, platform, site) make a second call update the same rows.
 */
export async function ensureConnectionTasks(
  platformDb: PlatformDatabase,
  input: ConnectionTasksInput,
): Promise<ConnectionTasks> {
  return platformDb.transaction(async (transaction) => {
    const [oauthTask] = await transaction
      .insert(oauthTokenMonitoringTasks)
      .values({
        userId: input.userId,
        connectionId: input.connectionId,
        platform: input.platform,
        nextCheck: sql`now()`,
      })
      .onConflictDoUpdate({
        target: [oauthTokenMonitoringTasks.userId, oauthTokenMonitoringTasks.connectionId],
        set: { ...reactivated, platform: input.platform },
      })
      .returning({ id: oauthTokenMonitoringTasks.id, nextCheck: oauthTokenMonitoringTasks.nextCheck });

    const insightsPlatform = insightsPlatforms.find((name) => name === input.platform);
    let siteUrl = input.siteUrl ?? null;
    if (insightsPlatform !== undefined && siteUrl === null) {
      // The site this platform already reports on for the user (a reconnect), else the one given in onboarding.
      const [existing] = await transaction
        .select({ siteUrl: platformInsightsTasks.siteUrl })
        .from(platformInsightsTasks)
        .where(
          and(
            eq(platformInsightsTasks.userId, input.userId),
            eq(platformInsightsTasks.platform, insightsPlatform),
          ),
        )
        .orderBy(desc(platformInsightsTasks.updatedAt))
        .limit(1);
      const [session] =
        existing === undefined
          ? await transaction
              .select({ websiteUrl: onboardingSessions.websiteUrl })
              .from(onboardingSessions)
              .where(
                and(eq(onboardingSessions.userId, input.userId), isNotNull(onboardingSessions.websiteUrl)),
              )
              .orderBy(desc(onboardingSessions.updatedAt))
              .limit(1)
          : [];
      siteUrl = existing?.siteUrl ?? session?.websiteUrl ?? null;
    }
    if (insightsPlatform === undefined || siteUrl === null)
      return { oauthTask: provisioned(oauthTask), insightsTask: null, siteUrl };

    const [insightsTask] = await transaction
      .insert(platformInsightsTasks)
      .values({ userId: input.userId, platform: insightsPlatform, siteUrl, nextCheck: sql`now()` })
      .onConflictDoUpdate({
        target: [platformInsightsTasks.userId, platformInsightsTasks.platform, platformInsightsTasks.siteUrl],
        set: reactivated,
      })
      .returning({ id: platformInsightsTasks.id, nextCheck: platformInsightsTasks.nextCheck });
    return { oauthTask: provisioned(oauthTask), insightsTask: provisioned(insightsTask), siteUrl };
  });
}

/**
 * Pauses the tasks of a connection the user removed: its oauth-token task, and its insights task unless another
 * active connection of the same platform still feeds it. Returns how many tasks were paused.
 */
export async function pauseConnectionTasks(
  platformDb: PlatformDatabase,
  input: Omit<ConnectionTasksInput, 'siteUrl'> & { siteUrl: string | null; keepInsights?: boolean },
): Promise<number> {
  return platformDb.transaction(async (transaction) => {
    const paused = { status: 'paused', nextCheck: null, updatedAt: sql`now()` } as const;
    const oauth = await transaction
      .update(oauthTokenMonitoringTasks)
      .set(paused)
      .where(
        and(
          eq(oauthTokenMonitoringTasks.userId, input.userId),
          eq(oauthTokenMonitoringTasks.connectionId, input.connectionId),
        ),
      )
      .returning({ id: oauthTokenMonitoringTasks.id });
    const insightsPlatform = insightsPlatforms.find((name) => name === input.platform);
    if (insightsPlatform === undefined || input.siteUrl === null || input.keepInsights === true)
      return oauth.length;
    const insights = await transaction
      .update(platformInsightsTasks)
      .set(paused)
      .where(
        and(
          eq(platformInsightsTasks.userId, input.userId),
          eq(platformInsightsTasks.platform, insightsPlatform),
          eq(platformInsightsTasks.siteUrl, input.siteUrl),
        ),
      )
      .returning({ id: platformInsightsTasks.id });
    return oauth.length + insights.length;
  });
}
