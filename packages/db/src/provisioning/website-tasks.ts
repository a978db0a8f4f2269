import { and, eq, inArray, sql } from 'drizzle-orm';
import type { PlatformDatabase } from '../client.js';
import { websiteAnalysisTasks, type websiteTaskTypes } from '../platform/monitoring.js';
import { onboardingSessions } from '../platform/onboarding.js';

/** A platform database handle or one of its transactions: provisioning joins the caller's transaction. */
export type PlatformExecutor =
  PlatformDatabase | Parameters<Parameters<PlatformDatabase['transaction']>[0]>[0];

/** The sites one user's website analysis should cover: their own site and their competitors'. */
export interface WebsiteTargets {
  userId: string;
  websiteUrl: string | null | undefined;
  competitors: readonly string[];
}

/** A website-analysis task as provisioning reports it. */
export interface ProvisionedWebsiteTask {
  id: string;
  userId: string;
  websiteUrl: string;
  taskType: (typeof websiteTaskTypes)[number];
  createdAt: Date;
}

/** What `ensureWebsiteTasks` found: every task of the targets, and which of them it created now. */
export interface EnsuredWebsiteTasks {
  tasks: ProvisionedWebsiteTask[];
  created: ProvisionedWebsiteTask[];
}

const taskColumns = {
  id: websiteAnalysisTasks.id,
  userId: websiteAnalysisTasks.userId,
  websiteUrl: websiteAnalysisTasks.websiteUrl,
  taskType: websiteAnalysisTasks.taskType,
  createdAt: websiteAnalysisTasks.createdAt,
};

function rowsOf(targets: WebsiteTargets) {
  const rows: Array<{ websiteUrl: string; taskType: ProvisionedWebsiteTask['taskType'] }> = [];
  if (targets.websiteUrl) rows.push({ websiteUrl: targets.websiteUrl, taskType: 'user_website' });
  for (const competitor of new Set(targets.competitors))
    rows.push({ websiteUrl: competitor, taskType: 'competitor' });
  return rows;
}

/**
 * Creates the website-analysis tasks of `targets` that do not exist yet and returns all of them. The unique key
 * (user, url, type) makes it safe to run twice or concurrently: an existing task is left as it is (a paused task
 * stays paused). New tasks are due now, so the dispatcher runs them even if no first job was enqueued.
 */
export async function ensureWebsiteTasks(
  db: PlatformExecutor,
  targets: WebsiteTargets,
): Promise<EnsuredWebsiteTasks> {
  const rows = rowsOf(targets);
  if (rows.length === 0) return { tasks: [], created: [] };
  const created = await db
    .insert(websiteAnalysisTasks)
    .values(rows.map((row) => ({ ...row, userId: targets.userId, nextCheck: sql`now()` })))
    .onConflictDoNothing({
      target: [websiteAnalysisTasks.userId, websiteAnalysisTasks.websiteUrl, websiteAnalysisTasks.taskType],
    })
    .returning(taskColumns);
  const tasks = await db
    .select(taskColumns)
    .from(websiteAnalysisTasks)
    .where(
      and(
        eq(websiteAnalysisTasks.userId, targets.userId),
        inArray(
          websiteAnalysisTasks.websiteUrl,
          rows.map((row) => row.websiteUrl),
        ),
      ),
    );
  const wanted = new Set(rows.map((row) => `${row.taskType} ${row.websiteUrl}`));
  return {
    tasks: tasks.filter((task) => wanted.has(`${task.taskType} ${task.websiteUrl}`)),
    created,
  };
}

/**
 * Creates the website-analysis tasks that each user's latest completed onboarding asks for and that are missing
 * (deleted by hand, lost in a restore), in one statement; returns what it created. Competitors removed through the
 * monitoring API are removed from the session too, so they are not brought back.
 */
export async function restoreWebsiteTasks(db: PlatformExecutor): Promise<ProvisionedWebsiteTask[]> {
  const session = onboardingSessions;
  const task = websiteAnalysisTasks;
  // Plain column names: an INSERT column list takes no table-qualified names, and the schema uses snake_case.
  const column = Object.fromEntries(
    (['id', 'userId', 'websiteUrl', 'taskType', 'nextCheck', 'createdAt'] as const).map((key) => [
      key,
      sql.identifier(key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)),
    ]),
  ) as Record<
    'id' | 'userId' | 'websiteUrl' | 'taskType' | 'nextCheck' | 'createdAt',
    ReturnType<typeof sql.identifier>
  >;
  const result = await db.execute<{
    id: string;
    user_id: string;
    website_url: string;
    task_type: ProvisionedWebsiteTask['taskType'];
    created_at: string | Date;
  }>(sql`
    with completed as (
      select distinct on (${session.userId}) ${session.userId} as user_id, ${session.websiteUrl} as website_url,
        ${session.competitors} as competitors
      from ${session} where ${session.status} = 'completed'
      order by ${session.userId}, ${session.completedAt} desc nulls last, ${session.createdAt} desc
    ),
    wanted as (
      select user_id, website_url, 'user_website' as task_type from completed where website_url is not null
      union
      select user_id, competitor.url, 'competitor' from completed,
        jsonb_array_elements_text(completed.competitors) as competitor(url)
    )
    insert into ${task} (${column.userId}, ${column.websiteUrl},
      ${column.taskType}, ${column.nextCheck})
    select user_id, website_url, task_type, now() from wanted
    on conflict do nothing
    returning ${column.id} as id, ${column.userId} as user_id,
      ${column.websiteUrl} as website_url, ${column.taskType} as task_type,
      ${column.createdAt} as created_at`);
  return result.rows.map((row) => ({
    id: row.id,
    userId: row.user_id,
    websiteUrl: row.website_url,
    taskType: row.task_type,
    createdAt: new Date(row.created_at),
  }));
}
