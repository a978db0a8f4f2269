import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminKey, createTestGateway, subscribeToNewPlan, type TestGateway } from '../helper.js';

/**
 * Spend control end to end (issue 13): two gateway replicas on one Redis and one database, OpenAI and Groq
 * simulators, plans put on users through the admin API, and usage read back from the usage stream.
 */
describe('spend control across two gateway replicas', () => {
  let primary: Simulator;
  let secondary: Simulator;
  let first: TestGateway;
  let second: TestGateway;

  beforeAll(async () => {
    [primary, secondary] = await Promise.all([startOpenAISimulator(), startOpenAISimulator()]);
    const env = {
      OPENAI_API_KEY: 'sk-test-primary',
      OPENAI_BASE_URL: `${primary.url}/v1`,
      GROQ_API_KEY: 'gsk-test-secondary',
      GROQ_BASE_URL: `${secondary.url}/v1`,
      LLM_FALLBACK_ORDER: 'openai,groq',
      RATE_LIMIT_PER_MINUTE: '0',
    };
    first = await createTestGateway(env);
    // The second replica shares the databases and the Redis key prefix: one set of counters and streams.
    second = await createTestGateway(env, { databases: first.databases, keyPrefix: first.keyPrefix });
    // gpt-4o-mini at $50 / 1M tokens from a minute ago (after the seed's price), so a few calls reach the cap.
    await first.databases.platform.pool.query(
      `insert into api_provider_pricing (provider, model, input_price_per_million, output_price_per_million, effective_from)
       values ('openai', 'gpt-4o-mini', 50, 50, now() - interval '1 minute')`,
    );
    await first.app.spend.prices.pricesChanged();
  });
  afterAll(async () => {
    await second.close();
    await first.close();
    await Promise.all([primary.close(), secondary.close()]);
  });
  beforeEach(() => {
    primary.reset();
    secondary.reset();
  });

  const chat = (gateway: TestGateway, key: string, payload: Record<string, unknown> = {}) =>
    gateway.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization: `Bearer ${key}` },
      payload: { model: 'auto', max_tokens: 60, messages: [{ role: 'user', content: 'spend' }], ...payload },
    });

  it('never spends past a $0.05 cap when both replicas hammer one user; the last answers are 429 quota_exceeded', async () => {
    const user = await first.createUser();
    await subscribeToNewPlan(first, user.id, { monthlyCostCapUsd: 0.05 });
    const answers = [];
    // Waves of concurrent requests on both replicas until the cap refuses every one of a wave.
    for (let wave = 0; wave < 20; wave += 1) {
      const batch = await Promise.all(
        Array.from({ length: 8 }, (_, index) => chat(index % 2 === 0 ? first : second, user.key)),
      );
      answers.push(...batch);
      if (batch.every((response) => response.statusCode === 429)) break;
    }
    const succeeded = answers.filter((response) => response.statusCode === 200);
    expect(succeeded.length).toBeGreaterThan(5);
    const last = answers.at(-1)!;
    expect(last.statusCode).toBe(429);
    expect(last.json()).toEqual({
      error: {
        type: 'insufficient_quota',
        code: 'quota_exceeded',
        param: null,
        message: expect.stringContaining('monthly cost cap') as string,
      },
    });
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);

    const events = (await first.usageEvents()).filter((event) => event.userId === user.id);
    expect(events).toHaveLength(succeeded.length);
    const total = events.reduce((sum, event) => sum + event.costUsd, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(0.05);
  });

  it('admits exactly 100 requests of a 100-request plan across both replicas', async () => {
    const user = await first.createUser();
    await subscribeToNewPlan(first, user.id, { monthlyRequestLimit: 100 });
    // Six waves of 20 concurrent requests, split over both replicas (bounded so a loaded CI machine's Redis
    // command timeout does not turn requests into 503s, which would not be counted either).
    const answers = [];
    for (let wave = 0; wave < 6; wave += 1)
      answers.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, (_, index) => chat(index % 2 === 0 ? first : second, user.key)),
        )),
      );
    expect(answers.filter((response) => response.statusCode === 200)).toHaveLength(100);
    const refused = answers.filter((response) => response.statusCode === 429);
    expect(refused).toHaveLength(20);
    expect(refused[0]!.json()).toMatchObject({ error: { code: 'quota_exceeded' } });
    expect(refused[0]!.json<{ error: { message: string } }>().error.message).toContain(
      'monthly request limit',
    );
    const events = (await first.usageEvents()).filter((event) => event.userId === user.id);
    expect(events.filter((event) => event.final)).toHaveLength(100);
  });

  it('writes one usage event per provider attempt: N requests with k failed attempts give N + k events', async () => {
    const user = await first.createUser();
    primary.setFaults([{ type: 'server_error', times: 3 }]);
    const requests = 6;
    for (let index = 0; index < requests; index += 1)
      expect((await chat(index % 2 === 0 ? first : second, user.key)).statusCode).toBe(200);
    const failedAttempts = primary.faultsServed('server_error');
    const events = (await first.usageEvents()).filter((event) => event.userId === user.id);
    expect(failedAttempts).toBeGreaterThan(0);
    expect(events).toHaveLength(requests + Math.min(failedAttempts, 3));
    expect(events.filter((event) => event.final && event.status === 'success')).toHaveLength(requests);
    const failed = events.filter((event) => event.status === 'error');
    expect(
      failed.every((event) => !event.final && event.provider === 'openai' && event.errorKind === 'server'),
    ).toBe(true);
    // The answer after a failure names what it fell back from.
    const fallbacks = events.filter((event) => event.fallbackFrom === 'openai');
    expect(fallbacks.length).toBeGreaterThan(0);
    expect(fallbacks.every((event) => event.provider === 'groq' && event.status === 'success')).toBe(true);
  });

  it('counts a request every provider failed as one request, with a final error event', async () => {
    const user = await first.createUser();
    primary.setFaults([{ type: 'bad_request' }]);
    const response = await chat(first, user.key);
    expect(response.statusCode).toBe(400);
    const events = (await first.usageEvents()).filter((event) => event.userId === user.id);
    expect(events).toMatchObject([{ status: 'error', final: true, errorKind: 'bad_request' }]);
    const usage = await first.app.inject({
      url: '/api/users/me/usage',
      headers: { authorization: `Bearer ${user.key}` },
    });
    expect(usage.json()).toMatchObject({ success: true, data: { requests: 1 } });
  });

  it('sends x-quota-remaining-requests and x-quota-remaining-cost-usd with JSON and streamed answers', async () => {
    const user = await first.createUser();
    await subscribeToNewPlan(first, user.id, { monthlyRequestLimit: 10, monthlyCostCapUsd: 5 });
    const json = await chat(first, user.key);
    expect(json.headers['x-quota-remaining-requests']).toBe('9');
    const remainingCost = Number(json.headers['x-quota-remaining-cost-usd']);
    expect(remainingCost).toBeGreaterThan(4.9);
    expect(remainingCost).toBeLessThan(5);
    const stream = await chat(second, user.key, { stream: true });
    expect(stream.statusCode).toBe(200);
    expect(stream.headers['x-quota-remaining-requests']).toBe('8');
    expect(Number(stream.headers['x-quota-remaining-cost-usd'])).toBeLessThan(remainingCost);

    const unlimited = await first.createUser();
    await subscribeToNewPlan(first, unlimited.id, {});
    const free = await chat(first, unlimited.key);
    expect(free.headers['x-quota-remaining-requests']).toBe('unlimited');
    expect(free.headers['x-quota-remaining-cost-usd']).toBe('unlimited');
  });

  it('raises the 80, 90 and 100 % alerts of a limit once each, readable and acknowledgeable by the user', async () => {
    const user = await first.createUser();
    await subscribeToNewPlan(first, user.id, { monthlyRequestLimit: 10 });
    await Promise.all(Array.from({ length: 14 }, (_, index) => chat(index % 2 ? first : second, user.key)));
    const read = () =>
      first.app.inject({ url: '/api/users/me/alerts', headers: { authorization: `Bearer ${user.key}` } });
    await expect
      .poll(async () => read().then((response) => response.json<{ data: { type: string }[] }>().data.length))
      .toBe(3);
    const alerts = (await read()).json<{
      data: { id: string; type: string; details: { percent: number } }[];
    }>().data;
    expect(alerts.map((alert) => alert.details.percent).sort((a, b) => a - b)).toEqual([80, 90, 100]);
    expect(alerts.find((alert) => alert.details.percent === 100)?.type).toBe('request_limit_reached');

    const acknowledged = await first.app.inject({
      method: 'POST',
      url: `/api/users/me/alerts/${alerts[0]!.id}/ack`,
      headers: { authorization: `Bearer ${user.key}` },
    });
    expect(acknowledged.json()).toMatchObject({
      success: true,
      data: { acknowledgedAt: expect.any(String) },
    });
    // Unacknowledged first.
    expect((await read()).json<{ data: { id: string }[] }>().data.at(-1)?.id).toBe(alerts[0]!.id);
    // More refused requests do not raise them again.
    await chat(first, user.key);
    expect((await read()).json<{ data: unknown[] }>().data).toHaveLength(3);
  });

  it('reports usage to the user and the admin, and answers 403 to another user', async () => {
    const user = await first.createUser();
    const other = await first.createUser();
    const plan = await subscribeToNewPlan(first, user.id, { monthlyRequestLimit: 4 });
    for (let index = 0; index < 3; index += 1) expect((await chat(first, user.key)).statusCode).toBe(200);
    const read = (key: string) =>
      first.app.inject({
        url: `/api/subscription/usage/${user.id}`,
        headers: { authorization: `Bearer ${key}` },
      });
    const own = await read(user.key);
    expect(own.json()).toMatchObject({
      success: true,
      data: {
        userId: user.id,
        plan,
        requests: 3,
        limits: { monthlyRequestLimit: 4 },
        percent: { requests: 75, costUsd: null },
        status: 'ok',
      },
    });
    expect((await read(adminKey)).statusCode).toBe(200);
    const refused = await read(other.key);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'forbidden' } });
    const history = await first.app.inject({
      url: `/api/subscription/usage/${user.id}/history?months=3`,
      headers: { authorization: `Bearer ${user.key}` },
    });
    expect(history.json<{ data: { period: string }[] }>().data.map((entry) => entry.period)).toHaveLength(3);
  });

  it('changes a plan through the admin API and every replica enforces the new limit at once', async () => {
    const user = await first.createUser();
    const plan = await subscribeToNewPlan(first, user.id, { monthlyRequestLimit: 100 });
    expect((await chat(second, user.key)).statusCode).toBe(200);
    const changed = await first.app.inject({
      method: 'PUT',
      url: `/api/admin/plans/${plan}`,
      headers: { authorization: `Bearer ${adminKey}` },
      payload: { monthlyRequestLimit: 1 },
    });
    expect(changed.json()).toMatchObject({ success: true, data: { name: plan, monthlyRequestLimit: 1 } });
    await expect.poll(async () => (await chat(second, user.key)).statusCode).toBe(429);

    const invalid = await first.app.inject({
      method: 'PUT',
      url: `/api/admin/users/${user.id}/subscription`,
      headers: { authorization: `Bearer ${adminKey}` },
      payload: { plan: 'no such plan' },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ error: { param: 'plan' } });
  });

  it('strips NUL bytes at the edge, so a model name with one is served and recorded', async () => {
    const user = await first.createUser();
    const response = await chat(first, user.key, { model: 'openai/gpt-4o-mini\u0000' });
    expect(response.statusCode).toBe(200);
    const events = (await first.usageEvents()).filter((event) => event.userId === user.id);
    expect(events).toMatchObject([{ model: 'gpt-4o-mini', status: 'success' }]);
  });
});
