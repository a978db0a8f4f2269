import { randomUUID } from 'node:crypto';
import { eq } from '@switchyard/db';
import {
  competitorAnalyses,
  oauthTokenMonitoringTasks,
  onboardingSessions,
  performanceAnomalies,
  platformInsights,
  platformInsightsTasks,
  usageAlerts,
  websiteAnalyses,
  websiteAnalysisExecutionLogs,
  websiteAnalysisTasks,
} from '@switchyard/db/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, createTestGateway, type TestGateway } from '../helper.js';

const site = 'http://127.0.0.1:9/';
const rival = 'http://127.0.0.1:9/rival';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await createTestGateway();
});
afterAll(async () => {
  await gateway?.close();
});

const as = (key: string) => ({ authorization: `Bearer ${key}` });
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const call = (key: string, method: Method, url: string, payload?: Record<string, unknown>) =>
  gateway.app.inject({ method, url, headers: as(key), ...(payload ? { payload } : {}) });

interface TaskView {
  id: string;
  type: string;
  target: string;
  status: string;
  consecutiveFailures: number;
  needsIntervention: boolean;
  hint: string | null;
}

/** A user who completed onboarding (site + one competitor), with one of every kind of row the API reads. */
async function onboardedUser() {
  const user = await gateway.createUser();
  for (const [step, body] of [
    [2, { websiteUrl: site }],
    [3, { competitors: [rival] }],
    [6, { confirmed: true }],
  ] as const) {
    expect((await call(user.key, 'PUT', `/api/onboarding/steps/${step}`, body)).statusCode).toBe(200);
  }
  expect((await call(user.key, 'POST', '/api/onboarding/complete')).statusCode).toBe(200);
  const { db } = gateway.databases.platform;
  const ownTasks = await db
    .select()
    .from(websiteAnalysisTasks)
    .where(eq(websiteAnalysisTasks.userId, user.id));
  const siteTask = ownTasks.find((task) => task.taskType === 'user_website');
  const rivalTask = ownTasks.find((task) => task.websiteUrl === rival);
  await db.insert(websiteAnalysisExecutionLogs).values(
    ['success', 'failed', 'success'].map((status, index) => ({
      taskId: siteTask!.id,
      status: status as 'success' | 'failed',
      executionDate: new Date(Date.now() - (3 - index) * 60_000),
      resultData: { run: index },
    })),
  );
  await db.insert(websiteAnalyses).values([
    {
      taskId: siteTask!.id,
      userId: user.id,
      url: site,
      analysedAt: new Date(Date.now() - 60_000),
      changes: null,
    },
    { taskId: siteTask!.id, userId: user.id, url: site, changes: { title: { from: 'Old', to: 'New' } } },
  ]);
  const [oauthTask] = await db
    .insert(oauthTokenMonitoringTasks)
    .values({ userId: user.id, platform: 'gsc', connectionId: randomUUID() })
    .returning();
  const [insightsTask] = await db
    .insert(platformInsightsTasks)
    .values({ userId: user.id, platform: 'gsc', siteUrl: site })
    .returning();
  await db.insert(platformInsights).values({
    taskId: insightsTask!.id,
    userId: user.id,
    platform: 'gsc',
    siteUrl: site,
    dataSource: 'api',
    snapshot: { clicks: 42 },
  });
  await db.insert(usageAlerts).values({
    userId: user.id,
    alertType: 'monitoring_needs_intervention',
    severity: 'critical',
    message: `alert of ${user.id}`,
  });
  await db.insert(performanceAnomalies).values({
    metricName: 'request_latency_ms',
    tagsKey: `provider=openai,userId=${user.id}`,
    anomalyType: 'spike',
    severity: 'high',
    observed: 900,
    expected: 100,
  });
  return {
    ...user,
    siteTask: siteTask!,
    rivalTask: rivalTask!,
    oauthTask: oauthTask!,
    insightsTask: insightsTask!,
  };
}

describe('the monitoring API', () => {
  it('lists the user’s tasks of all three types with their state', async () => {
    const user = await onboardedUser();
    const response = await call(user.key, 'GET', '/api/monitoring/tasks');
    expect(response.statusCode).toBe(200);
    const tasks = response.json<{ tasks: TaskView[] }>().tasks;
    expect(tasks.map((task) => [task.type, task.target]).sort()).toEqual(
      [
        ['website_analysis', site],
        ['website_analysis', rival],
        ['oauth_token', 'gsc'],
        ['platform_insights', site],
      ].sort(),
    );
    expect(tasks[0]).toMatchObject({
      status: 'active',
      consecutiveFailures: 0,
      needsIntervention: false,
      hint: null,
    });
  });

  it('pauses and resumes a task; resuming one that needs intervention clears its failures', async () => {
    const user = await onboardedUser();
    const url = `/api/monitoring/tasks/${user.siteTask.id}`;
    const paused = await call(user.key, 'PATCH', url, { status: 'paused' });
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({ status: 'paused', hint: expect.stringContaining('active') });
    const refused = await call(user.key, 'POST', `${url}/run`);
    expect(refused.statusCode).toBe(409);

    await gateway.databases.platform.db
      .update(websiteAnalysisTasks)
      .set({
        status: 'needs_intervention',
        consecutiveFailures: 3,
        failureReason: 'network_error: connection refused',
        failurePattern: { lastClass: 'network_error' },
      })
      .where(eq(websiteAnalysisTasks.id, user.siteTask.id));
    const stuck = (await call(user.key, 'GET', '/api/monitoring/tasks')).json<{ tasks: TaskView[] }>();
    expect(stuck.tasks.find((task) => task.id === user.siteTask.id)).toMatchObject({
      needsIntervention: true,
      hint: expect.stringContaining('failed 3 times in a row'),
    });
    const resumed = await call(user.key, 'PATCH', url, { status: 'active' });
    expect(resumed.json()).toMatchObject({
      status: 'active',
      consecutiveFailures: 0,
      needsIntervention: false,
    });

    const invalid = await call(user.key, 'PATCH', url, { status: 'needs_intervention' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.param).toBe('status');
  });

  it('answers the same job for a second run while the first is queued', async () => {
    const user = await onboardedUser();
    const url = `/api/monitoring/tasks/${user.insightsTask.id}/run`;
    const first = await call(user.key, 'POST', url);
    const second = await call(user.key, 'POST', url);
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ queued: true });
    expect(second.json()).toEqual({ jobId: first.json().jobId, queued: false });
    const job = await gateway.app.queues
      .queue('platform-insights')
      .getJob(first.json<{ jobId: string }>().jobId);
    expect(job?.data).toMatchObject({ taskId: user.insightsTask.id, reason: 'manual' });
  });

  it('pages execution logs newest first with a cursor', async () => {
    const user = await onboardedUser();
    const url = `/api/monitoring/tasks/${user.siteTask.id}/logs`;
    const first = (await call(user.key, 'GET', `${url}?limit=2`)).json<{
      logs: Array<{ id: string; status: string; resultData: { run: number } }>;
      nextCursor: string;
    }>();
    expect(first.logs.map((log) => log.resultData.run)).toEqual([2, 1]);
    expect(first.nextCursor).toBe(first.logs[1]!.id);
    const second = (await call(user.key, 'GET', `${url}?limit=2&cursor=${first.nextCursor}`)).json<{
      logs: Array<{ resultData: { run: number } }>;
      nextCursor: string | null;
    }>();
    expect(second.logs.map((log) => log.resultData.run)).toEqual([0]);
    expect(second.nextCursor).toBeNull();
    expect((await call(user.key, 'GET', `${url}?cursor=abc`)).json().error.param).toBe('cursor');
  });

  it('shows analyses with what changed, and insights snapshots', async () => {
    const user = await onboardedUser();
    const analyses = await call(user.key, 'GET', `/api/monitoring/tasks/${user.siteTask.id}/results`);
    expect(analyses.json()).toMatchObject({
      type: 'website_analysis',
      results: [
        { kind: 'website_analysis', url: site, changes: { title: { from: 'Old', to: 'New' } } },
        { kind: 'website_analysis', changes: null },
      ],
    });
    const insights = await call(user.key, 'GET', `/api/monitoring/tasks/${user.insightsTask.id}/results`);
    expect(insights.json()).toMatchObject({
      type: 'platform_insights',
      results: [{ kind: 'insights_snapshot', data: { snapshot: { clicks: 42 }, dataSource: 'api' } }],
    });
  });

  it('adds a competitor once, refuses the 11th, and removes one for good (its analyses kept)', async () => {
    const user = await onboardedUser();
    const added = await call(user.key, 'POST', '/api/monitoring/competitors', { url: `${site}new-rival` });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ created: true, task: { target: `${site}new-rival` } });
    expect(added.json().jobId).toEqual(expect.any(String));
    const again = await call(user.key, 'POST', '/api/monitoring/competitors', { url: `${site}new-rival` });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ created: false, task: { id: added.json().task.id } });

    const badUrl = await call(user.key, 'POST', '/api/monitoring/competitors', {
      url: 'http://192.168.0.1/',
    });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.json().error.param).toBe('url');
    for (let index = 0; index < 8; index += 1)
      expect(
        (await call(user.key, 'POST', '/api/monitoring/competitors', { url: `${site}r${index}` })).statusCode,
      ).toBe(201);
    const tooMany = await call(user.key, 'POST', '/api/monitoring/competitors', {
      url: `${site}one-too-many`,
    });
    expect(tooMany.statusCode).toBe(409);
    expect(tooMany.json().error.code).toBe('competitor_limit_reached');

    const { db } = gateway.databases.platform;
    await db.insert(competitorAnalyses).values({ taskId: user.rivalTask.id, userId: user.id, url: rival });
    const removed = await call(
      user.key,
      'DELETE',
      `/api/monitoring/competitors?url=${encodeURIComponent(rival)}`,
    );
    expect(removed.statusCode).toBe(204);
    const tasks = (await call(user.key, 'GET', '/api/monitoring/tasks')).json<{ tasks: TaskView[] }>().tasks;
    expect(tasks.map((task) => task.target)).not.toContain(rival);
    const [session] = await db
      .select()
      .from(onboardingSessions)
      .where(eq(onboardingSessions.userId, user.id));
    expect(session!.competitors).not.toContain(rival);
    expect(session!.competitors).toContain(`${site}new-rival`);
    const kept = await db.select().from(competitorAnalyses).where(eq(competitorAnalyses.userId, user.id));
    expect(kept).toHaveLength(1);
    const missing = await call(
      user.key,
      'DELETE',
      `/api/monitoring/competitors?url=${encodeURIComponent(rival)}`,
    );
    expect(missing.statusCode).toBe(404);
  });

  it('shows the user’s alerts and the anomalies service-wide or tagged with the user', async () => {
    const user = await onboardedUser();
    await gateway.databases.platform.db.insert(performanceAnomalies).values({
      metricName: 'provider_latency_ms',
      tagsKey: 'provider=gemini',
      anomalyType: 'drop',
      severity: 'medium',
      observed: 1,
    });
    const alerts = (await call(user.key, 'GET', '/api/monitoring/alerts')).json<{
      alerts: Array<{ message: string }>;
    }>();
    expect(alerts.alerts.map((alert) => alert.message)).toEqual([`alert of ${user.id}`]);
    const anomalies = (await call(user.key, 'GET', '/api/monitoring/anomalies')).json<{
      anomalies: Array<{ tags: string }>;
    }>();
    expect(anomalies.anomalies.map((anomaly) => anomaly.tags)).toContain(`provider=openai,userId=${user.id}`);
    expect(anomalies.anomalies.map((anomaly) => anomaly.tags)).toContain('provider=gemini');
  });
});

describe('isolation between users', () => {
  it('shows user A none of user B’s tasks, logs, results, competitors, anomalies or alerts', async () => {
    const a = await onboardedUser();
    const b = await onboardedUser();
    const tasks = (await call(a.key, 'GET', '/api/monitoring/tasks')).json<{ tasks: TaskView[] }>().tasks;
    const bTaskIds = [b.siteTask.id, b.rivalTask.id, b.oauthTask.id, b.insightsTask.id];
    expect(tasks).toHaveLength(4);
    expect(tasks.filter((task) => bTaskIds.includes(task.id))).toEqual([]);

    for (const id of bTaskIds) {
      for (const [method, url, payload] of [
        ['PATCH', `/api/monitoring/tasks/${id}`, { status: 'paused' }],
        ['POST', `/api/monitoring/tasks/${id}/run`, undefined],
        ['GET', `/api/monitoring/tasks/${id}/logs`, undefined],
        ['GET', `/api/monitoring/tasks/${id}/results`, undefined],
      ] as const) {
        const response = await call(a.key, method, url, payload);
        expect(response.statusCode, `${method} ${url}`).toBe(404);
      }
    }
    const deleted = await call(
      a.key,
      'DELETE',
      `/api/monitoring/competitors?url=${encodeURIComponent(rival)}`,
    );
    expect(deleted.statusCode).toBe(204); // A's own competitor of the same URL, not B's
    const bTasks = (await call(b.key, 'GET', '/api/monitoring/tasks')).json<{ tasks: TaskView[] }>().tasks;
    expect(bTasks.map((task) => task.target)).toContain(rival);
    expect(bTasks.every((task) => task.status === 'active')).toBe(true);

    const alerts = (await call(a.key, 'GET', '/api/monitoring/alerts')).json<{
      alerts: Array<{ message: string }>;
    }>();
    expect(alerts.alerts.map((alert) => alert.message)).toEqual([`alert of ${a.id}`]);
    const anomalies = (await call(a.key, 'GET', '/api/monitoring/anomalies')).json<{
      anomalies: Array<{ tags: string }>;
    }>();
    expect(anomalies.anomalies.map((anomaly) => anomaly.tags)).not.toContain(
      `provider=openai,userId=${b.id}`,
    );

    for (const url of ['/api/monitoring/tasks', '/api/monitoring/alerts', '/api/monitoring/anomalies']) {
      const response = await call(a.key, 'GET', `${url}?userId=${b.id}`);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.param).toBe('userId');
    }
  });

  it('lets the admin key read any user by `userId`, plus scheduler events and queue counts', async () => {
    const b = await onboardedUser();
    const withoutUser = await call(adminKey, 'GET', '/api/monitoring/tasks');
    expect(withoutUser.statusCode).toBe(400);
    expect(withoutUser.json().error.param).toBe('userId');
    const tasks = (await call(adminKey, 'GET', `/api/monitoring/tasks?userId=${b.id}`)).json<{
      tasks: TaskView[];
    }>();
    expect(tasks.tasks).toHaveLength(4);
    const logs = await call(adminKey, 'GET', `/api/monitoring/tasks/${b.siteTask.id}/logs`);
    expect(logs.json().logs).toHaveLength(3);
    const alerts = await call(adminKey, 'GET', `/api/monitoring/alerts?userId=${b.id}`);
    expect(alerts.json().alerts).toHaveLength(1);

    const events = await call(adminKey, 'GET', '/api/admin/monitoring/scheduler-events');
    expect(events.statusCode).toBe(200);
    expect(events.json()).toMatchObject({ events: expect.any(Array) });
    const queues = await call(adminKey, 'GET', '/api/admin/monitoring/queues');
    expect(queues.statusCode).toBe(200);
    expect(queues.json().queues['website-analysis']).toMatchObject({ waiting: expect.any(Number) });
    expect((await call(b.key, 'GET', '/api/admin/monitoring/queues')).statusCode).toBe(401);
  });
});
