import { randomUUID } from 'node:crypto';
import { readProcessEnv } from '@switchyard/config';
import { createTestDatabases, type TestDatabases } from '@switchyard/db/testing';
import { decodeUsageEvent, usageStreamKeys } from '@switchyard/jobs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPlanCatalog,
  createPriceBook,
  createQuotaEngine,
  SpendLimitError,
  type AttemptUsage,
  type QuotaEngine,
} from '../src/index.js';

const redisUrl = readProcessEnv().REDIS_URL ?? 'redis://127.0.0.1:6379';
const partitions = 4;

/** One simulated gateway process: its own connections, caches and engine over the shared Redis and database. */
function startProcess(databases: TestDatabases, namespace: string) {
  const redis = new Redis(redisUrl);
  const subscriber = new Redis(redisUrl);
  const plans = createPlanCatalog({ db: databases.platform.db, redis, subscriber, namespace });
  const prices = createPriceBook({ db: databases.platform.db, redis, subscriber, namespace });
  const engine = createQuotaEngine({
    redis,
    db: databases.platform.db,
    plans,
    prices,
    namespace,
    partitions,
  });
  return {
    engine,
    plans,
    prices,
    async close() {
      await plans.close();
      await prices.close();
      await Promise.all([redis.quit(), subscriber.quit()]);
    },
  };
}

describe('quota engine on real Redis and Postgres', () => {
  let databases: TestDatabases;
  let namespace: string;
  let processes: ReturnType<typeof startProcess>[];
  let redis: Redis;

  beforeAll(async () => {
    databases = await createTestDatabases();
    namespace = `sy-spend-${randomUUID().slice(0, 8)}`;
    processes = [startProcess(databases, namespace), startProcess(databases, namespace)];
    redis = new Redis(redisUrl);
  });
  afterAll(async () => {
    await Promise.all(processes.map((process) => process.close()));
    const keys = await redis.keys(`${namespace}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await databases.drop();
  });

  async function userOnPlan(plan: Record<string, unknown>): Promise<string> {
    const { pool } = databases.platform;
    const userId = (
      await pool.query<{ id: string }>(`insert into users (email) values ($1) returning id`, [
        `spend-${randomUUID()}@example.com`,
      ])
    ).rows[0]!.id;
    const columns = ['name', ...Object.keys(plan)];
    const values = [`plan-${userId}`, ...Object.values(plan)];
    const planId = (
      await pool.query<{ id: string }>(
        `insert into subscription_plans (${columns.join(', ')}) values (${columns.map((_, index) => `$${index + 1}`).join(', ')}) returning id`,
        values,
      )
    ).rows[0]!.id;
    await pool.query(`insert into user_subscriptions (user_id, plan_id) values ($1, $2)`, [userId, planId]);
    return userId;
  }

  const usage = (overrides: Partial<AttemptUsage> = {}): AttemptUsage => ({
    requestId: randomUUID(),
    attempt: 1,
    apiKeyId: null,
    endpoint: 'chat.completions',
    promptTokens: 100,
    completionTokens: 200,
    cachedTokens: 0,
    tokensEstimated: false,
    latencyMs: 5,
    status: 'success',
    errorKind: null,
    fallbackFrom: null,
    streaming: false,
    final: true,
    occurredAt: Date.now(),
    ...overrides,
  });

  async function streamEvents(userId: string) {
    const events = [];
    for (const key of usageStreamKeys(namespace, partitions)) {
      for (const [, fields] of await redis.xrange(key, '-', '+')) {
        const event = decodeUsageEvent(fields);
        if (event.userId === userId) events.push(event);
      }
    }
    return events;
  }

  /** One request through `engine`: reserve, then settle to 100 prompt + `completion` tokens; null when refused. */
  async function request(engine: QuotaEngine, userId: string, completion = 200) {
    try {
      const reservation = await engine.reserve({
        userId,
        apiKeyId: null,
        provider: 'openai',
        model: 'gpt-4o',
        promptTokens: 100,
        maxTokens: 1000,
        countRequest: true,
      });
      return await engine.settle(reservation, usage({ completionTokens: completion }));
    } catch (error) {
      if (error instanceof SpendLimitError) return error;
      throw error;
    }
  }

  it('two processes racing one user on a $0.05 cap never settle more than $0.05 together', async () => {
    // gpt-4o: $2.50 in / $10 out per 1M. Worst case of a request: 100 in + 1000 out = $0.01025; real: $0.00225.
    const userId = await userOnPlan({ monthly_cost_cap: 0.05 });
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, index) => request(processes[index % 2]!.engine, userId)),
    );
    const refused = results.filter((result) => result instanceof SpendLimitError);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({ code: 'quota_exceeded', limit: 'cost' });
    expect(refused[0]!.message).toContain('monthly cost cap');
    const events = await streamEvents(userId);
    const total = events.reduce((sum, event) => sum + event.costUsd, 0);
    expect(total).toBeLessThanOrEqual(0.05);
    expect(events).toHaveLength(results.length - refused.length);
    // How many the race admitted depends on how reservations and settlements interleaved. One at a time after it,
    // requests are admitted exactly until the cap cannot hold another worst case.
    let after = await request(processes[0]!.engine, userId);
    for (let extra = 0; extra < 30 && !(after instanceof SpendLimitError); extra += 1)
      after = await request(processes[0]!.engine, userId);
    expect(after).toBeInstanceOf(SpendLimitError);
    expect((after as SpendLimitError).retryAfterSeconds).toBeGreaterThan(0);
    const settled = (await streamEvents(userId)).reduce((sum, event) => sum + event.costUsd, 0);
    expect(settled).toBeLessThanOrEqual(0.05);
    expect(settled + 0.01025).toBeGreaterThan(0.05);
  });

  it('a 100-request plan admits exactly 100 of 130 concurrent requests across two processes', async () => {
    const userId = await userOnPlan({ monthly_request_limit: 100 });
    const results = await Promise.all(
      Array.from({ length: 130 }, (_, index) => request(processes[index % 2]!.engine, userId)),
    );
    expect(results.filter((result) => !(result instanceof SpendLimitError))).toHaveLength(100);
    expect(await streamEvents(userId)).toHaveLength(100);
  });

  it('raises each 80/90/100 % alert once per period, however many processes cross it', async () => {
    const userId = await userOnPlan({ monthly_request_limit: 10 });
    await Promise.all(
      Array.from({ length: 14 }, (_, index) => request(processes[index % 2]!.engine, userId)),
    );
    await expect
      .poll(async () =>
        (
          await databases.platform.pool.query<{ alert_type: string; period_key: string }>(
            `select alert_type, period_key from usage_alerts where user_id = $1 order by period_key`,
            [userId],
          )
        ).rows.map((row) => [row.alert_type, row.period_key.slice(8)]),
      )
      .toEqual([
        ['request_limit_reached', 'requests:100'],
        ['request_limit_warning', 'requests:80'],
        ['request_limit_warning', 'requests:90'],
      ]);
  });

  it('prices cached prompt tokens at the cached-input price', async () => {
    const userId = await userOnPlan({});
    const reservation = await processes[0]!.engine.reserve({
      userId,
      apiKeyId: null,
      provider: 'openai',
      model: 'gpt-4o-mini',
      promptTokens: 1_000_000,
      countRequest: true,
    });
    // gpt-4o-mini: $0.15 in, $0.075 cached in, $0.60 out per 1M.
    const settled = await processes[0]!.engine.settle(
      reservation,
      usage({ promptTokens: 1_000_000, cachedTokens: 400_000, completionTokens: 1_000_000 }),
    );
    expect(settled.costUsd).toBeCloseTo(0.6 * 0.15 + 0.4 * 0.075 + 0.6, 9);
    expect(settled.event).toMatchObject({ priceEstimated: false, cachedTokens: 400_000 });
  });

  it('applies a price row from its effective_from on, after the price change is announced', async () => {
    const from = new Date(Date.now() + 3_600_000);
    await databases.platform.pool.query(
      `insert into api_provider_pricing (provider, model, input_price_per_million, output_price_per_million, effective_from)
       values ('groq', 'llama-3.1-8b-instant', 1, 2, $1)`,
      [from],
    );
    await processes[1]!.prices.pricesChanged();
    const quote = (at: Date) => processes[0]!.prices.quote('groq', 'llama-3.1-8b-instant', at);
    await expect.poll(async () => (await quote(new Date(from.getTime() + 1))).price.input).toBe(1);
    expect((await quote(new Date())).price).toMatchObject({ input: 0.05, output: 0.08 });
  });

  it("prices a model without a price at its provider's dearest price, marked estimated, with one capability gap", async () => {
    const userId = await userOnPlan({});
    const model = `mystery-${randomUUID().slice(0, 6)}`;
    for (let index = 0; index < 3; index += 1) {
      const reservation = await processes[index % 2]!.engine.reserve({
        userId,
        apiKeyId: null,
        provider: 'anthropic',
        model,
        promptTokens: 10,
        countRequest: true,
      });
      const settled = await processes[index % 2]!.engine.settle(
        reservation,
        usage({ promptTokens: 1_000_000, completionTokens: 0 }),
      );
      // claude-sonnet-4-5 is anthropic's dearest seeded price: $3 per 1M input.
      expect(settled.costUsd).toBeCloseTo(3, 9);
      expect(settled.event.priceEstimated).toBe(true);
    }
    await expect
      .poll(
        async () =>
          (
            await databases.platform.pool.query<{ occurrence_count: number }>(
              `select occurrence_count from capability_gaps where capability = $1`,
              [`price:anthropic/${model}`],
            )
          ).rows,
      )
      .toEqual([{ occurrence_count: 1 }]);
  });
});
