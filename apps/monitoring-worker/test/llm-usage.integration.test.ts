import {
  parseConfig,
  providersConfigSchema,
  redisConfigSchema,
  usageStreamConfigSchema,
} from '@switchyard/config';
import { createTestDatabases, type TestDatabases } from '@switchyard/db/testing';
import { decodeUsageEvent, usageStreamKeys } from '@switchyard/jobs';
import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerLlm, MonitoringSpendLimitError, type WorkerLlm } from '../src/llm-client.js';
import { deleteRedisPrefix, redisUrl, uniquePrefix } from './helper.js';

describe("the worker's LLM calls are priced and recorded as the task owner's usage", () => {
  let simulator: Simulator;
  let databases: TestDatabases;
  let llm: WorkerLlm;
  let redis: Redis;
  const prefix = uniquePrefix();
  const config = () =>
    parseConfig(
      { providers: providersConfigSchema, redis: redisConfigSchema, usageStream: usageStreamConfigSchema },
      {
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: prefix,
        OPENAI_API_KEY: 'sk-simulator-key',
        OPENAI_BASE_URL: `${simulator.url}/v1`,
        LLM_FALLBACK_ORDER: 'openai',
      },
    );

  beforeAll(async () => {
    simulator = await startOpenAISimulator();
    databases = await createTestDatabases();
    llm = await createWorkerLlm(config(), {
      logger: pino({ level: 'silent' }),
      platform: databases.platform,
    });
    redis = new Redis(redisUrl);
  });
  afterAll(async () => {
    await llm?.close();
    const { spendNamespace } = config().redis;
    const keys = await redis.keys(`${spendNamespace}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await deleteRedisPrefix(prefix);
    await databases?.drop();
    await simulator?.close();
  });

  async function userOnPlan(plan: { requests: number; monitoringIncluded: boolean }): Promise<string> {
    const { pool } = databases.platform;
    const userId = (
      await pool.query<{ id: string }>(
        `insert into users (email) values (gen_random_uuid() || '@example.com') returning id`,
      )
    ).rows[0]!.id;
    const planId = (
      await pool.query<{ id: string }>(
        `insert into subscription_plans (name, monthly_request_limit, monitoring_included) values ($1, $2, $3) returning id`,
        [`plan-${userId}`, plan.requests, plan.monitoringIncluded],
      )
    ).rows[0]!.id;
    await pool.query(`insert into user_subscriptions (user_id, plan_id) values ($1, $2)`, [userId, planId]);
    return userId;
  }

  async function eventsOf(userId: string) {
    const { redis: redisConfig, usageStream } = config();
    const events = [];
    for (const key of usageStreamKeys(redisConfig.spendNamespace, usageStream.partitions))
      for (const [, fields] of await redis.xrange(key, '-', '+')) events.push(decodeUsageEvent(fields));
    return events.filter((event) => event.userId === userId);
  }

  const analyse = (userId: string) =>
    llm.client.chat(
      { model: 'auto', messages: [{ role: 'user', content: 'analyse this site' }], max_tokens: 200 },
      { signal: new AbortController().signal, userId },
    );

  it('counts the calls against a plan without monitoring, and refuses past its limit', async () => {
    const userId = await userOnPlan({ requests: 1, monitoringIncluded: false });
    await analyse(userId);
    const events = await eventsOf(userId);
    expect(events).toMatchObject([
      { endpoint: 'monitoring', provider: 'openai', status: 'success', final: true, priceEstimated: false },
    ]);
    expect(events[0]!.costUsd).toBeGreaterThan(0);
    await expect(analyse(userId)).rejects.toBeInstanceOf(MonitoringSpendLimitError);
    expect(await eventsOf(userId)).toHaveLength(1);
  });

  it('records but does not count the calls of a plan that includes monitoring', async () => {
    const userId = await userOnPlan({ requests: 1, monitoringIncluded: true });
    await analyse(userId);
    await analyse(userId);
    const events = await eventsOf(userId);
    expect(events).toHaveLength(2);
    expect(events.every((event) => event.endpoint === 'monitoring' && event.costUsd > 0)).toBe(true);
  });
});
