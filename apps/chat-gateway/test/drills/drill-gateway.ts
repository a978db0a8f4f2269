import { performance } from 'node:perf_hooks';
import { parseConfig, redisConfigSchema } from '@switchyard/config';
import { createTestDatabases } from '@switchyard/db/testing';
import { createTestGateway } from '../helper.js';
import { startFaultProxy } from '@switchyard/net/testing';

/**
 * A gateway whose Redis and PostgreSQL connections all pass through fault proxies (one in front of Redis, one
 * in front of the PostgreSQL server holding both databases). `env` adds or overrides variables.
 */
export async function createDrillGateway(env: Record<string, string> = {}) {
  const databases = await createTestDatabases();
  const redisUrl = new URL(parseConfig({ redis: redisConfigSchema }, {}).redis.url);
  const postgresUrl = new URL(databases.config.platformUrl);
  const redis = await startFaultProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
  const postgres = await startFaultProxy({
    host: postgresUrl.hostname,
    port: Number(postgresUrl.port || 5432),
  });
  const gateway = await createTestGateway(
    {
      REDIS_URL: redis.via(redisUrl.toString()),
      PLATFORM_DATABASE_URL: postgres.via(databases.config.platformUrl),
      USERDATA_DATABASE_URL: postgres.via(databases.config.userdataUrl),
      ...env,
    },
    { databases },
  );

  /** One chat completion with `key`, and how long the answer took (ms). */
  async function chat(key: string) {
    const started = performance.now();
    const response = await gateway.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization: `Bearer ${key}` },
      payload: { model: 'auto', messages: [{ role: 'user', content: 'drill' }] },
    });
    return { response, elapsedMs: performance.now() - started };
  }

  /** Redis is back and the gateway's command connection reconnected (ioredis retries on its own). */
  async function redisReconnected(): Promise<void> {
    await redis.setMode('pass');
    if (gateway.app.redis.status === 'ready') return;
    await new Promise<void>((resolve) => gateway.app.redis.once('ready', resolve));
  }

  async function close(): Promise<void> {
    await Promise.all([redis.setMode('pass'), postgres.setMode('pass')]);
    await gateway.close();
    await Promise.all([redis.close(), postgres.close()]);
    await databases.drop();
  }

  return { ...gateway, proxies: { redis, postgres }, chat, redisReconnected, close };
}

/** A drill gateway. */
export type DrillGateway = Awaited<ReturnType<typeof createDrillGateway>>;
