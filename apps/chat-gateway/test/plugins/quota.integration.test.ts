import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, createTestGateway, type TestGateway } from '../helper.js';

describe('per-key rate limit and monthly quota: 429 in the OpenAI envelope', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    // The built-in local provider answers; no upstream is needed to count requests.
    gateway = await createTestGateway({ RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => gateway.close());

  const chat = (key: string) =>
    gateway.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization: `Bearer ${key}` },
      payload: { model: 'auto', messages: [{ role: 'user', content: 'count me' }] },
    });

  it('answers 429 insufficient_quota once the monthly plan allowance is used up', async () => {
    const user = await gateway.createUser();
    const { platform } = gateway.databases;
    const plan = await platform.pool.query<{ id: string }>(
      `insert into subscription_plans (name, monthly_request_limit) values ($1, 2) returning id`,
      [`Tiny ${user.id}`],
    );
    await platform.pool.query(`insert into user_subscriptions (user_id, plan_id) values ($1, $2)`, [
      user.id,
      plan.rows[0]!.id,
    ]);

    expect((await chat(user.key)).statusCode).toBe(200);
    expect((await chat(user.key)).statusCode).toBe(200);
    const refused = await chat(user.key);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual({
      error: {
        type: 'insufficient_quota',
        code: 'insufficient_quota',
        param: null,
        message: expect.stringContaining(`all 2 requests of the Tiny ${user.id} plan`) as string,
      },
    });
  });

  it('answers 429 rate_limit_exceeded with Retry-After past RATE_LIMIT_PER_MINUTE, per API key', async () => {
    const user = await gateway.createUser();
    for (let index = 0; index < 3; index += 1) expect((await chat(user.key)).statusCode).toBe(200);
    const limited = await chat(user.key);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({
      error: { type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null },
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['x-ratelimit-remaining-requests']).toBe('0');

    // The limit is per key: the same user's second key still gets answers.
    const second = await gateway.app.inject({
      method: 'POST',
      url: `/api/admin/users/${user.id}/api-keys`,
      headers: { authorization: `Bearer ${adminKey}` },
      payload: {},
    });
    expect((await chat(second.json<{ key: string }>().key)).statusCode).toBe(200);

    // Refused requests do not use up the monthly plan.
    const usage = await gateway.app.inject({
      url: `/api/subscription/usage/${user.id}`,
      headers: { authorization: `Bearer ${user.key}` },
    });
    expect(usage.json()).toMatchObject({ requestsCounted: 4 });
  });
});
