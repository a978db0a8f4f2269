import { randomUUID } from 'node:crypto';
import { gatewayAppConfig, parseConfig } from '@switchyard/config';
import { createTestDatabases, type TestDatabases } from '@switchyard/db/testing';
import { Redis } from 'ioredis';
import { buildApp } from '../src/app.js';

/** The admin key every test gateway accepts. */
export const adminKey = 'test-admin-key-0123456789';

/** Builds a gateway on fresh databases and its own Redis key prefix; `env` adds or overrides variables. */
export async function createTestGateway(env: Record<string, string> = {}, shared?: { databases: TestDatabases; keyPrefix: string }) {
  const databases = shared?.databases ?? (await createTestDatabases());
  const keyPrefix = shared?.keyPrefix ?? `{sy-test-${randomUUID().slice(0, 8)}}`;
  const config = parseConfig(gatewayAppConfig, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PLATFORM_DATABASE_URL: databases.config.platformUrl,
    USERDATA_DATABASE_URL: databases.config.userdataUrl,
    DATABASE_POOL_MAX: '5',
    REDIS_KEY_PREFIX: keyPrefix,
    GATEWAY_ADMIN_KEY: adminKey,
    LLM_DEADLINE_MS: '10000',
    LLM_FIRST_TOKEN_TIMEOUT_MS: '3000',
    LLM_IDLE_TIMEOUT_MS: '2000',
    ...env,
  });
  const app = await buildApp(config);
  await app.ready();

  async function close(): Promise<void> {
    await app.close();
    if (shared) return;
    const redis = new Redis(config.redis.url);
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await databases.drop();
  }

  /** Creates a user through the admin API and issues a key for it. */
  async function createUser(email = `user-${randomUUID()}@example.com`): Promise<{ id: string; key: string; keyId: string }> {
    const user = await app.inject({ method: 'POST', url: '/api/admin/users', headers: { authorization: `Bearer ${adminKey}` }, payload: { email } });
    if (user.statusCode !== 201) throw new Error(`create user: ${user.statusCode} ${user.body}`);
    const { id } = user.json<{ id: string }>();
    const key = await app.inject({ method: 'POST', url: `/api/admin/users/${id}/api-keys`, headers: { authorization: `Bearer ${adminKey}` }, payload: {} });
    if (key.statusCode !== 201) throw new Error(`issue key: ${key.statusCode} ${key.body}`);
    const issued = key.json<{ id: string; key: string }>();
    return { id, key: issued.key, keyId: issued.id };
  }

  return { app, config, databases, keyPrefix, close, createUser };
}

/** A test gateway. */
export type TestGateway = Awaited<ReturnType<typeof createTestGateway>>;
