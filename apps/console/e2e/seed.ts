import { setTimeout as sleep } from 'node:timers/promises';

/** Calls the gateway's JSON API with a bearer key; any status other than `expected` is an error naming the call. */
async function call<T>(
  gatewayUrl: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
  expected = 200,
): Promise<T> {
  const response = await fetch(`${gatewayUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expected)
    throw new Error(`seeding: ${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** The person the browser suite signs in as, with everything the user pages show. */
export interface SeededUser {
  id: string;
  email: string;
  key: string;
  plan: string;
  websiteTaskId: string;
  websiteUrl: string;
}

/** Chats made before the browser opens, so Overview and Usage have bars, charts and rows. */
export const seededChats = 10;

/** The seeded plan's monthly requests: the seeded chats are 83 % of it, past the 80 % alert. */
export const planRequestLimit = 12;

/**
 * Seeds through the public APIs, as an operator and a user would: a plan with limits the seeded chats reach past
 * 80 % of (so an alert shows), a user on it with an API key, chats (the first one falls over from openai to groq:
 * `failFirstChat` makes the primary fail once), and completed onboarding, whose website analysis the worker runs
 * at once. Resolves when that first analysis succeeded.
 */
export async function seedStack(options: {
  gatewayUrl: string;
  adminKey: string;
  websiteUrl: string;
  runId: string;
  failFirstChat: () => void;
}): Promise<SeededUser> {
  const { gatewayUrl, adminKey, runId } = options;
  const plan = `E2E Team ${runId}`;
  await call(
    gatewayUrl,
    adminKey,
    'POST',
    '/api/admin/plans',
    {
      name: plan,
      description: 'Plan of the browser suite',
      monthlyPrice: 29,
      // The playground's chat makes it 92 %: still served.
      monthlyRequestLimit: planRequestLimit,
      monthlyTokenLimit: 2_000,
      monthlyCostCapUsd: 0.01,
      // Keeps each request's worst-case token reservation well inside the token limit.
      maxTokensPerRequest: 256,
      // The worker's website analyses are recorded but not counted against the limits.
      monitoringIncluded: true,
    },
    201,
  );
  const email = `e2e-${runId}@example.com`;
  const user = await createUserWithKey(gatewayUrl, adminKey, email, 'Ada Console');
  await call(gatewayUrl, adminKey, 'PUT', `/api/admin/users/${user.id}/subscription`, { plan });

  options.failFirstChat();
  for (let chat = 1; chat <= seededChats; chat += 1)
    await call(gatewayUrl, user.key, 'POST', '/v1/chat/completions', {
      model: 'auto',
      messages: [{ role: 'user', content: `Seeded question number ${chat}` }],
    });

  await call(gatewayUrl, user.key, 'PUT', '/api/onboarding/steps/2', { websiteUrl: options.websiteUrl });
  await call(gatewayUrl, user.key, 'PUT', '/api/onboarding/steps/6', { confirmed: true });
  await call(gatewayUrl, user.key, 'POST', '/api/onboarding/complete');
  const { tasks } = await call<{ tasks: { id: string; type: string }[] }>(
    gatewayUrl,
    user.key,
    'GET',
    '/api/monitoring/tasks',
  );
  const websiteTask = tasks.find((task) => task.type === 'website_analysis');
  if (!websiteTask) throw new Error('seeding: onboarding created no website-analysis task');
  await waitForSuccessfulRuns(gatewayUrl, user.key, websiteTask.id, 1);

  return {
    id: user.id,
    email,
    key: user.key,
    plan,
    websiteTaskId: websiteTask.id,
    websiteUrl: options.websiteUrl,
  };
}

/** Creates a user through the admin API and issues it a key, as an operator would. */
export async function createUserWithKey(
  gatewayUrl: string,
  adminKey: string,
  email: string,
  name: string,
): Promise<{ id: string; key: string }> {
  const user = await call<{ id: string }>(
    gatewayUrl,
    adminKey,
    'POST',
    '/api/admin/users',
    { email, name },
    201,
  );
  const issued = await call<{ key: string }>(
    gatewayUrl,
    adminKey,
    'POST',
    `/api/admin/users/${user.id}/api-keys`,
    { name: 'browser suite' },
    201,
  );
  return { id: user.id, key: issued.key };
}

/**
 * Waits until a task has `count` successful runs; a failed run stops the wait with its error message (a seeding
 * problem shows as itself, not as a timeout later in a browser test).
 */
export async function waitForSuccessfulRuns(
  gatewayUrl: string,
  key: string,
  taskId: string,
  count: number,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { logs } = await call<{ logs: { status: string; errorMessage: string | null }[] }>(
      gatewayUrl,
      key,
      'GET',
      `/api/monitoring/tasks/${taskId}/logs`,
    );
    const failed = logs.find((log) => log.status === 'failed');
    if (failed) throw new Error(`task ${taskId} failed a run: ${failed.errorMessage}`);
    if (logs.filter((log) => log.status === 'success').length >= count) return;
    if (Date.now() > deadline)
      throw new Error(`task ${taskId} did not have ${count} successful runs within ${timeoutMs} ms`);
    await sleep(500);
  }
}
