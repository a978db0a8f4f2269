import { count, eq, withUser } from '@switchyard/db';
import { onboardingSessions, websiteAnalysisTasks } from '@switchyard/db/platform';
import { userProfiles } from '@switchyard/db/userdata';
import { queueNames } from '@switchyard/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestGateway } from '../helper.js';

// Loopback is on the test gateway's USER_BASE_URL_ALLOWLIST; nothing is fetched by these tests.
const site = 'http://127.0.0.1:9/';
const competitorA = 'http://127.0.0.1:9/rival-a';
const competitorB = 'http://127.0.0.1:9/rival-b';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await createTestGateway();
});
afterAll(async () => {
  await gateway?.close();
});

const as = (key: string) => ({ authorization: `Bearer ${key}` });
const putStep = (key: string, step: number | string, payload: unknown) =>
  gateway.app.inject({
    method: 'PUT',
    url: `/api/onboarding/steps/${step}`,
    headers: as(key),
    payload: payload as Record<string, unknown>,
  });
const complete = (key: string) =>
  gateway.app.inject({ method: 'POST', url: '/api/onboarding/complete', headers: as(key) });

async function doAllSteps(key: string) {
  const bodies: Array<[number, unknown]> = [
    [1, { preferredProvider: 'openai', preferredModel: 'gpt-4o-mini' }],
    [2, { websiteUrl: site }],
    [3, { competitors: [competitorA, competitorB, competitorA] }],
    [4, { tone: 'friendly', topics: ['gardening'], language: 'en-GB', postingFrequency: 'weekly' }],
    [5, { platforms: ['gsc', 'wordpress'] }],
    [6, { confirmed: true }],
  ];
  for (const [step, body] of bodies) {
    const response = await putStep(key, step, body);
    expect(response.statusCode, `step ${step}: ${response.body}`).toBe(200);
  }
}

async function websiteTasksOf(userId: string) {
  return gateway.databases.platform.db
    .select()
    .from(websiteAnalysisTasks)
    .where(eq(websiteAnalysisTasks.userId, userId));
}

describe('onboarding steps', () => {
  it('starts empty, then shows each saved step, the next one and the progress', async () => {
    const user = await gateway.createUser();
    const empty = await gateway.app.inject({ method: 'GET', url: '/api/onboarding', headers: as(user.key) });
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toMatchObject({ status: 'not_started', currentStep: 1, progressPercent: 0 });

    expect((await putStep(user.key, 2, { websiteUrl: 'HTTP://127.0.0.1:9' })).statusCode).toBe(200);
    const after = await putStep(user.key, 1, { preferredProvider: 'auto' });
    expect(after.json()).toMatchObject({
      status: 'in_progress',
      currentStep: 3,
      progressPercent: 33,
      steps: [
        { step: 1, name: 'provider_keys', completed: true, data: { preferredProvider: 'auto' } },
        // Stored in the canonical form, so the same site typed twice is one task.
        { step: 2, name: 'website', completed: true, data: { websiteUrl: site } },
        { step: 3, name: 'competitors', completed: false, data: null },
        { step: 4, completed: false },
        { step: 5, completed: false },
        { step: 6, completed: false },
      ],
    });
  });

  it.each([
    ['a step that does not exist', 7, {}, 'step'],
    ['a missing website', 2, {}, 'websiteUrl'],
    ['a website that is not http(s)', 2, { websiteUrl: 'ftp://files.example.com/' }, 'websiteUrl'],
    ['a website on a private address', 2, { websiteUrl: 'http://10.1.2.3/' }, 'websiteUrl'],
    ['a website with credentials', 2, { websiteUrl: 'http://user:pw@127.0.0.1:9/' }, 'websiteUrl'],
    ['an unknown field', 2, { websiteUrl: site, extra: 1 }, 'extra'],
    [
      'a competitor on a metadata address',
      3,
      { competitors: [competitorA, 'http://169.254.169.254/'] },
      'competitors[1]',
    ],
    [
      'more than 10 competitors',
      3,
      { competitors: Array.from({ length: 11 }, (_, i) => `${site}c${i}`) },
      'competitors',
    ],
    ['an unknown provider', 1, { preferredProvider: 'skynet' }, 'preferredProvider'],
    ['an unknown posting frequency', 4, { postingFrequency: 'hourly' }, 'postingFrequency'],
    ['an unknown platform', 5, { platforms: ['gsc', 'myspace'] }, 'platforms[1]'],
    ['a confirmation that is not true', 6, { confirmed: false }, 'confirmed'],
  ])('refuses %s with a 400 naming the field', async (_name, step, body, param) => {
    const user = await gateway.createUser();
    const response = await putStep(user.key, step, body);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.param).toBe(param);
    // Nothing was half-saved.
    const view = await gateway.app.inject({ method: 'GET', url: '/api/onboarding', headers: as(user.key) });
    expect(view.json().progressPercent).toBe(0);
  });

  it('refuses a competitor that is the user’s own website', async () => {
    const user = await gateway.createUser();
    await putStep(user.key, 2, { websiteUrl: site });
    const response = await putStep(user.key, 3, { competitors: [competitorA, site] });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.param).toBe('competitors[1]');
  });

  it('needs the user’s key', async () => {
    const response = await gateway.app.inject({ method: 'GET', url: '/api/onboarding' });
    expect(response.statusCode).toBe(401);
  });
});

describe('completing onboarding', () => {
  it('is refused until the website and the confirmation are given', async () => {
    const user = await gateway.createUser();
    await putStep(user.key, 1, { preferredProvider: 'auto' });
    const response = await complete(user.key);
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toMatchObject({ code: 'onboarding_incomplete' });
    expect(response.json().error.message).toContain('2 and 6');
    expect(await websiteTasksOf(user.id)).toEqual([]);
  });

  it('creates the profile, a task for the site and each competitor, and queues their first runs', async () => {
    const user = await gateway.createUser();
    await doAllSteps(user.key);
    const response = await complete(user.key);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json<{
      profileCreated: boolean;
      firstRunsQueued: boolean;
      tasks: Array<{ id: string; target: string; created: boolean; jobId: string }>;
    }>();
    expect(body.profileCreated).toBe(true);
    expect(body.firstRunsQueued).toBe(true);
    expect(body.tasks.map((task) => [task.target, task.created]).sort()).toEqual(
      [
        [site, true],
        [competitorA, true],
        [competitorB, true],
      ].sort(),
    );

    const tasks = await websiteTasksOf(user.id);
    expect(tasks.map((task) => [task.websiteUrl, task.taskType, task.status]).sort()).toEqual(
      [
        [site, 'user_website', 'active'],
        [competitorA, 'competitor', 'active'],
        [competitorB, 'competitor', 'active'],
      ].sort(),
    );
    const profile = await withUser(gateway.databases.userdata, user.id, (transaction) =>
      transaction.select().from(userProfiles),
    );
    expect(profile).toEqual([
      expect.objectContaining({
        userId: user.id,
        preferredProvider: 'openai',
        preferredModel: 'gpt-4o-mini',
        preferences: {
          content: { tone: 'friendly', topics: ['gardening'], language: 'en-GB', postingFrequency: 'weekly' },
          platforms: ['gsc', 'wordpress'],
        },
      }),
    ]);
    const queue = gateway.app.queues.queue(queueNames.websiteAnalysis);
    for (const task of body.tasks) {
      const job = await queue.getJob(task.jobId);
      expect(job?.data).toMatchObject({ taskId: task.id, userId: user.id, reason: 'onboarding' });
    }
    const view = await gateway.app.inject({ method: 'GET', url: '/api/onboarding', headers: as(user.key) });
    expect(view.json()).toMatchObject({ status: 'completed', currentStep: null, progressPercent: 100 });
  });

  it('creates nothing twice when completed again (or twice at once)', async () => {
    const user = await gateway.createUser();
    await doAllSteps(user.key);
    const [first, concurrent] = await Promise.all([complete(user.key), complete(user.key)]);
    expect([first.statusCode, concurrent.statusCode]).toEqual([200, 200]);
    const queue = gateway.app.queues.queue(queueNames.websiteAnalysis);
    const jobsBefore = await queue.getJobCountByTypes('waiting', 'delayed', 'prioritized');

    const again = await complete(user.key);
    expect(again.statusCode).toBe(200);
    const body = again.json<{
      profileCreated: boolean;
      tasks: Array<{ id: string; created: boolean; jobId: string }>;
    }>();
    expect(body.profileCreated).toBe(false);
    expect(body.tasks.every((task) => !task.created)).toBe(true);
    const firstJobs = first.json<{ tasks: Array<{ id: string; jobId: string }> }>().tasks;
    expect(body.tasks.map((task) => task.jobId).sort()).toEqual(firstJobs.map((task) => task.jobId).sort());

    expect(await websiteTasksOf(user.id)).toHaveLength(3);
    const profiles = await withUser(gateway.databases.userdata, user.id, (transaction) =>
      transaction.select({ n: count() }).from(userProfiles),
    );
    expect(profiles[0]?.n).toBe(1);
    const sessions = await gateway.databases.platform.db
      .select()
      .from(onboardingSessions)
      .where(eq(onboardingSessions.userId, user.id));
    expect(sessions).toHaveLength(1);
    expect(await queue.getJobCountByTypes('waiting', 'delayed', 'prioritized')).toBe(jobsBefore);
  });

  it('refuses step changes after completion, pointing at the monitoring API', async () => {
    const user = await gateway.createUser();
    await doAllSteps(user.key);
    expect((await complete(user.key)).statusCode).toBe(200);
    const response = await putStep(user.key, 3, { competitors: [] });
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toMatchObject({ code: 'onboarding_completed' });
    expect(response.json().error.message).toContain('/api/monitoring/competitors');
  });
});
