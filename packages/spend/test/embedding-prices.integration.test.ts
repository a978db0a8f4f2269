import { randomUUID } from 'node:crypto';
import { embeddingModelCatalog, readProcessEnv } from '@switchyard/config';
import { createTestDatabases, type TestDatabases } from '@switchyard/db/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costOf, createPriceBook, type PriceBook } from '../src/index.js';

const redisUrl = readProcessEnv().REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('embedding prices seeded by the migrations', () => {
  let databases: TestDatabases;
  let redis: Redis;
  let subscriber: Redis;
  let prices: PriceBook;

  beforeAll(async () => {
    databases = await createTestDatabases();
    redis = new Redis(redisUrl);
    subscriber = new Redis(redisUrl);
    const namespace = `sy-embedding-prices-${randomUUID().slice(0, 8)}`;
    prices = createPriceBook({ db: databases.platform.db, redis, subscriber, namespace });
  });
  afterAll(async () => {
    await prices.close();
    await Promise.all([redis.quit(), subscriber.quit()]);
    await databases.drop();
  });

  it('prices every embedding model config serves by default, so none is charged an estimate', async () => {
    for (const [provider, models] of Object.entries(embeddingModelCatalog))
      for (const model of models)
        expect(
          (await prices.quote(provider, model)).estimated,
          `${provider}/${model} has no row in api_provider_pricing`,
        ).toBe(false);
  });

  it('charges embedding input tokens at the list price', async () => {
    const { price } = await prices.quote('openai', 'text-embedding-3-small');
    expect(costOf(price, { prompt: 1_000_000, completion: 0, cached: 0 })).toBeCloseTo(0.02);
  });
});
