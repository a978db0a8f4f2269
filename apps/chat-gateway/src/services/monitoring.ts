import { and, desc, eq, lt, sql, type SQL } from '@switchyard/db';
import {
  competitorAnalyses,
  oauthTokenExecutionLogs,
  oauthTokenMonitoringTasks,
  onboardingSessions,
  performanceAnomalies,
  platformInsights,
  platformInsightsExecutionLogs,
  platformInsightsTasks,
  schedulerEventLogs,
  usageAlerts,
  websiteAnalyses,
  websiteAnalysisExecutionLogs,
  websiteAnalysisTasks,
} from '@switchyard/db/platform';
import { ensureWebsiteTasks } from '@switchyard/db/provisioning';
import { QueueUnavailableError, queueNames, type MonitoringTaskType, type Queues } from '@switchyard/jobs';
import {
  CompetitorLimitError,
  DependencyUnavailableError,
  InvalidValueError,
  NotFoundError,
  withParam,
} from '../errors.js';
import type { PlatformClient } from '../plugins/external/databases.js';
import { maxCompetitors } from '../schemas/onboarding.js';
import { iso, type FoundTask } from './monitoring-task-view.js';
import { canonicalUrl, type FetchableUrlCheck } from './onboarding.js';

/** The task and log tables of each task type. */
const tables = {
  website_analysis: { tasks: websiteAnalysisTasks, logs: websiteAnalysisExecutionLogs },
  oauth_token: { tasks: oauthTokenMonitoringTasks, logs: oauthTokenExecutionLogs },
  platform_insights: { tasks: platformInsightsTasks, logs: platformInsightsExecutionLogs },
} as const;

/** Dependencies of the monitoring service. */
export interface MonitoringServiceOptions {
  platform: PlatformClient;
  queues: Queues;
  assertFetchableUrl: FetchableUrlCheck;
}

/**
 * Reads and steers a user's monitoring tasks. Every method takes the owner (`userId`); `undefined` is the admin
 * key reading any user's task by id. A task of someone else is not found, never forbidden, so ids reveal nothing.
 */
export function createMonitoringService(options: MonitoringServiceOptions) {
  const { queues, assertFetchableUrl } = options;
  const db = options.platform.db;

  const owned = (
    column:
      | typeof websiteAnalysisTasks.userId
      | typeof oauthTokenMonitoringTasks.userId
      | typeof platformInsightsTasks.userId,
    userId: string | undefined,
  ) => (userId === undefined ? undefined : eq(column, userId));

  async function listTasks(userId: string): Promise<FoundTask[]> {
    const [website, oauth, insights] = await Promise.all([
      db.select().from(websiteAnalysisTasks).where(eq(websiteAnalysisTasks.userId, userId)),
      db.select().from(oauthTokenMonitoringTasks).where(eq(oauthTokenMonitoringTasks.userId, userId)),
      db.select().from(platformInsightsTasks).where(eq(platformInsightsTasks.userId, userId)),
    ]);
    const found: FoundTask[] = [
      ...website.map((row) => ({ type: 'website_analysis' as const, row })),
      ...oauth.map((row) => ({ type: 'oauth_token' as const, row })),
      ...insights.map((row) => ({ type: 'platform_insights' as const, row })),
    ];
    return found.sort((a, b) => a.row.createdAt.getTime() - b.row.createdAt.getTime());
  }

  async function findTask(id: string, userId: string | undefined): Promise<FoundTask> {
    const [website, oauth, insights] = await Promise.all([
      db
        .select()
        .from(websiteAnalysisTasks)
        .where(and(eq(websiteAnalysisTasks.id, id), owned(websiteAnalysisTasks.userId, userId))),
      db
        .select()
        .from(oauthTokenMonitoringTasks)
        .where(and(eq(oauthTokenMonitoringTasks.id, id), owned(oauthTokenMonitoringTasks.userId, userId))),
      db
        .select()
        .from(platformInsightsTasks)
        .where(and(eq(platformInsightsTasks.id, id), owned(platformInsightsTasks.userId, userId))),
    ]);
    if (website[0]) return { type: 'website_analysis', row: website[0] };
    if (oauth[0]) return { type: 'oauth_token', row: oauth[0] };
    if (insights[0]) return { type: 'platform_insights', row: insights[0] };
    throw new NotFoundError('Monitoring task');
  }

  async function enqueueFirstRun(
    type: MonitoringTaskType,
    task: { id: string; userId: string; createdAt: Date },
  ) {
    try {
      const { jobId } = await queues.enqueueMonitoringTask({
        type,
        taskId: task.id,
        userId: task.userId,
        reason: 'onboarding',
        dueAt: task.createdAt.getTime(),
      });
      return jobId;
    } catch (error) {
      // The task is due now: the dispatcher runs it within a cycle even without this job.
      if (error instanceof QueueUnavailableError) return null;
      throw error;
    }
  }

  return {
    listTasks,
    findTask,

    /** Pauses or resumes a task. Resuming one that waited for a person clears its failures and runs it soon. */
    async setStatus(task: FoundTask, status: 'active' | 'paused'): Promise<FoundTask> {
      const { tasks } = tables[task.type];
      const wasStuck = task.row.status === 'needs_intervention' || task.row.status === 'failed';
      const [row] = await db
        .update(tasks)
        .set({
          status,
          updatedAt: new Date(),
          ...(status === 'active' && wasStuck ? { consecutiveFailures: 0, nextCheck: new Date() } : {}),
        })
        .where(eq(tasks.id, task.row.id))
        .returning();
      if (row === undefined) throw new NotFoundError('Monitoring task');
      return { type: task.type, row } as FoundTask;
    },

    /** Queues a `manual` run now; while one is unfinished, answers that job instead of adding a second. */
    async runNow(task: FoundTask): Promise<{ jobId: string; queued: boolean }> {
      if (task.row.status === 'paused')
        throw Object.assign(
          withParam(
            new InvalidValueError('The task is paused; set its status to `active` before running it.'),
            'status',
          ),
          { statusCode: 409 },
        );
      try {
        const { jobId, created } = await queues.enqueueMonitoringTask({
          type: task.type,
          taskId: task.row.id,
          userId: task.row.userId,
          reason: 'manual',
          reuseUnfinished: true,
        });
        return { jobId, queued: created };
      } catch (error) {
        if (error instanceof QueueUnavailableError) throw new DependencyUnavailableError('Redis');
        throw error;
      }
    },

    /** Execution logs of a task, newest first; `cursor` is the `nextCursor` of the page before. */
    async logs(task: FoundTask, cursor: string | undefined, limit: number) {
      const { logs } = tables[task.type];
      const rows = await db
        .select({
          id: logs.id,
          executionDate: logs.executionDate,
          status: logs.status,
          executionTimeMs: logs.executionTimeMs,
          errorMessage: logs.errorMessage,
          resultData: logs.resultData,
        })
        .from(logs)
        .where(
          and(eq(logs.taskId, task.row.id), cursor === undefined ? undefined : lt(logs.id, Number(cursor))),
        )
        .orderBy(desc(logs.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      return {
        logs: page.map((row) => ({
          ...row,
          id: String(row.id),
          executionDate: row.executionDate.toISOString(),
        })),
        nextCursor: rows.length > limit ? String(page.at(-1)!.id) : null,
      };
    },

    /** Results of a task, newest first: analyses with what changed, or insights snapshots. */
    async results(task: FoundTask, limit: number) {
      if (task.type === 'oauth_token') return [];
      if (task.type === 'platform_insights') {
        const rows = await db
          .select()
          .from(platformInsights)
          .where(eq(platformInsights.taskId, task.row.id))
          .orderBy(desc(platformInsights.fetchedAt))
          .limit(limit);
        return rows.map((row) => ({
          id: row.id,
          at: row.fetchedAt.toISOString(),
          url: row.siteUrl,
          kind: 'insights_snapshot',
          changes: null,
          data: {
            platform: row.platform,
            dataSource: row.dataSource,
            periodStart: row.periodStart,
            periodEnd: row.periodEnd,
            snapshot: row.snapshot,
          },
        }));
      }
      const competitor = task.row.taskType === 'competitor';
      const table = competitor ? competitorAnalyses : websiteAnalyses;
      const rows = await db
        .select()
        .from(table)
        .where(eq(table.taskId, task.row.id))
        .orderBy(desc(table.analysedAt))
        .limit(limit);
      return rows.map((row) => ({
        id: row.id,
        at: row.analysedAt.toISOString(),
        url: row.url,
        kind: competitor ? 'competitor_analysis' : 'website_analysis',
        changes: row.changes,
        data: {
          fetched: row.fetchedData,
          style: row.styleAnalysis,
          content: row.contentAnalysis,
          guidelines: row.guidelinesAnalysis,
        },
      }));
    },

    /**
     * Starts watching a competitor: its task (created once; unique per user and URL) and its first run. Also added
     * to the completed onboarding's competitors, so the worker's startup restore keeps it.
     */
    async addCompetitor(userId: string, url: string) {
      await assertFetchableUrl(url, 'url');
      const canonical = canonicalUrl(url);
      const result = await db.transaction(async (transaction) => {
        // Serialises a user's competitor changes, so two adds at once cannot pass the limit together.
        await transaction.execute(sql`select pg_advisory_xact_lock(hashtext(${`competitors:${userId}`}))`);
        const existing = await transaction
          .select({ websiteUrl: websiteAnalysisTasks.websiteUrl, taskType: websiteAnalysisTasks.taskType })
          .from(websiteAnalysisTasks)
          .where(eq(websiteAnalysisTasks.userId, userId));
        if (existing.some((task) => task.taskType === 'user_website' && task.websiteUrl === canonical))
          throw withParam(
            new InvalidValueError('`url` is your own website, which is already analysed.'),
            'url',
          );
        const competitors = existing.filter((task) => task.taskType === 'competitor');
        const known = competitors.some((task) => task.websiteUrl === canonical);
        if (!known && competitors.length >= maxCompetitors) throw new CompetitorLimitError(maxCompetitors);
        const ensured = await ensureWebsiteTasks(transaction, {
          userId,
          websiteUrl: undefined,
          competitors: [canonical],
        });
        await transaction
          .update(onboardingSessions)
          .set({
            competitors: sql`${onboardingSessions.competitors} || ${JSON.stringify([canonical])}::jsonb`,
          })
          .where(
            and(
              eq(onboardingSessions.userId, userId),
              eq(onboardingSessions.status, 'completed'),
              sql`not ${onboardingSessions.competitors} ? ${canonical}`,
            ),
          );
        return ensured;
      });
      const row = result.tasks[0]!;
      const created = result.created.length > 0;
      const [full] = await db.select().from(websiteAnalysisTasks).where(eq(websiteAnalysisTasks.id, row.id));
      return {
        task: { type: 'website_analysis', row: full! } as FoundTask,
        created,
        jobId: await enqueueFirstRun('website_analysis', row),
      };
    },

    /** Stops watching a competitor: deletes its task and logs; analyses already made are kept (task_id null). */
    async removeCompetitor(userId: string, url: string): Promise<void> {
      const canonical = canonicalUrl(url);
      await db.transaction(async (transaction) => {
        const deleted = await transaction
          .delete(websiteAnalysisTasks)
          .where(
            and(
              eq(websiteAnalysisTasks.userId, userId),
              eq(websiteAnalysisTasks.websiteUrl, canonical),
              eq(websiteAnalysisTasks.taskType, 'competitor'),
            ),
          )
          .returning({ id: websiteAnalysisTasks.id });
        if (deleted.length === 0) throw new NotFoundError('Competitor');
        // Otherwise the worker's startup restore would bring it back from the onboarding session.
        await transaction
          .update(onboardingSessions)
          .set({ competitors: sql`${onboardingSessions.competitors} - ${canonical}::text` })
          .where(eq(onboardingSessions.userId, userId));
      });
    },

    /**
     * Performance anomalies a user may see: service-wide ones (no user tag) and those tagged with the user;
     * every anomaly for the admin (`userId` undefined).
     */
    async anomalies(userId: string | undefined, limit: number) {
      const tags = sql`(',' || ${performanceAnomalies.tagsKey} || ',')`;
      const visible: SQL | undefined =
        userId === undefined
          ? undefined
          : sql`(${tags} not like '%,userId=%' or ${tags} like ${`%,userId=${userId},%`})`;
      const rows = await db
        .select()
        .from(performanceAnomalies)
        .where(visible)
        .orderBy(desc(performanceAnomalies.detectedAt))
        .limit(limit);
      return rows.map((row) => ({
        id: row.id,
        metricName: row.metricName,
        tags: row.tagsKey,
        anomalyType: row.anomalyType,
        severity: row.severity,
        observed: row.observed,
        expected: row.expected,
        detectedAt: row.detectedAt.toISOString(),
        resolvedAt: iso(row.resolvedAt),
      }));
    },

    /** The user's alerts (usage limits, tasks needing intervention, expiring connections), newest first. */
    async alerts(userId: string, limit: number) {
      const rows = await db
        .select()
        .from(usageAlerts)
        .where(eq(usageAlerts.userId, userId))
        .orderBy(desc(usageAlerts.createdAt))
        .limit(limit);
      return rows.map((row) => ({
        id: row.id,
        alertType: row.alertType,
        severity: row.severity,
        message: row.message,
        details: row.details,
        createdAt: row.createdAt.toISOString(),
        acknowledgedAt: iso(row.acknowledgedAt),
      }));
    },

    /** Dispatcher passes, newest first (admin). */
    async schedulerEvents(cursor: string | undefined, limit: number) {
      const rows = await db
        .select()
        .from(schedulerEventLogs)
        .where(cursor === undefined ? undefined : lt(schedulerEventLogs.id, Number(cursor)))
        .orderBy(desc(schedulerEventLogs.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      return {
        events: page.map((row) => ({
          id: String(row.id),
          queue: row.queue,
          found: row.found,
          enqueued: row.enqueued,
          skipped: row.skipped,
          durationMs: row.durationMs,
          createdAt: row.createdAt.toISOString(),
        })),
        nextCursor: rows.length > limit ? String(page.at(-1)!.id) : null,
      };
    },

    /** Job counts per state of every queue (admin). */
    async queueCounts() {
      try {
        const names = Object.values(queueNames);
        const counts = await Promise.all(
          names.map((name) =>
            queues
              .queue(name)
              .getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed', 'paused'),
          ),
        );
        return Object.fromEntries(names.map((name, index) => [name, counts[index]!]));
      } catch {
        throw new DependencyUnavailableError('Redis');
      }
    },
  };
}

/** The monitoring service. */
export type MonitoringService = ReturnType<typeof createMonitoringService>;
