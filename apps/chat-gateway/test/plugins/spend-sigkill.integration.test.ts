import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseConfig, readProcessEnv, redisConfigSchema, usageStreamConfigSchema } from '@switchyard/config';
import { createTestDatabases, type TestDatabases } from '@switchyard/db/testing';
import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, readUsageEvents } from '../helper.js';

const entry = fileURLToPath(new URL('../../src/server.ts', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Lossless usage (issue 13): a gateway process killed with SIGKILL under load loses no usage of the requests it
 * answered, because an answer is sent only after its settlement and usage event reached Redis in one round trip.
 */
describe('SIGKILL a gateway under load', () => {
  let databases: TestDatabases;
  let simulator: Simulator;
  let gateway: ChildProcess | undefined;
  const keyPrefix = `{sy-test-${randomUUID().slice(0, 8)}}`;
  const redisUrl = parseConfig({ redis: redisConfigSchema }, {}).redis.url;
  const redisConfig = parseConfig({ redis: redisConfigSchema }, { REDIS_KEY_PREFIX: keyPrefix }).redis;

  beforeAll(async () => {
    databases = await createTestDatabases();
    // A few ms per token keeps many requests in flight when the kill lands.
    simulator = await startOpenAISimulator({ tokenDelayMs: 5 });
  });
  afterAll(async () => {
    if (gateway && gateway.exitCode === null && gateway.signalCode === null) gateway.kill('SIGKILL');
    const redis = new Redis(redisUrl);
    const keys = [
      ...(await redis.keys(`${keyPrefix}*`)),
      ...(await redis.keys(`${redisConfig.spendNamespace}:*`)),
    ];
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await simulator.close();
    await databases.drop();
  });

  it('every request answered before the kill has its final usage event in the stream', async () => {
    const port = await freePort();
    gateway = spawn(process.execPath, ['--conditions=@switchyard/source', '--import', 'tsx', entry], {
      env: {
        PATH: readProcessEnv().PATH ?? '',
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        HOST: '127.0.0.1',
        PORT: String(port),
        GATEWAY_ADMIN_KEY: adminKey,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: keyPrefix,
        PLATFORM_DATABASE_URL: databases.config.platformUrl,
        USERDATA_DATABASE_URL: databases.config.userdataUrl,
        OPENAI_API_KEY: 'sk-test-sigkill',
        OPENAI_BASE_URL: `${simulator.url}/v1`,
        LLM_FALLBACK_ORDER: 'openai',
        RATE_LIMIT_PER_MINUTE: '0',
      },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const base = `http://127.0.0.1:${port}`;
    for (let ready = false; !ready;) {
      ready = await fetch(`${base}/health`).then(
        (response) => response.ok,
        () => false,
      );
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
    const user = (await (
      await fetch(`${base}/api/admin/users`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ email: `sigkill-${randomUUID()}@example.com` }),
      })
    ).json()) as { id: string };
    // An unlimited plan: the Free plan's 100 requests would end the load before the kill.
    await databases.platform.pool.query(`insert into subscription_plans (name) values ('Unlimited')`);
    await databases.platform.pool.query(
      `insert into user_subscriptions (user_id, plan_id) select $1, id from subscription_plans where name = 'Unlimited'`,
      [user.id],
    );
    const { key } = (await (
      await fetch(`${base}/api/admin/users/${user.id}/api-keys`, {
        method: 'POST',
        headers: admin,
        body: '{}',
      })
    ).json()) as { key: string };

    const answered: string[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const response = await fetch(`${base}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'count me' }] }),
          });
          const body = await response.text();
          // Answered: the whole 200 body arrived.
          if (response.status === 200 && body.includes('"choices"'))
            answered.push(response.headers.get('x-request-id')!);
        } catch {
          // The kill cut this one: not answered.
        }
      }
    };
    const workers = Array.from({ length: 16 }, () => worker());
    while (answered.length < 60) await new Promise((resolve) => setTimeout(resolve, 20));
    gateway.kill('SIGKILL');
    await once(gateway, 'exit');
    stop = true;
    await Promise.all(workers);

    const events = await readUsageEvents(
      redisUrl,
      redisConfig.spendNamespace,
      parseConfig({ usageStream: usageStreamConfigSchema }, {}).usageStream.partitions,
    );
    const finals = new Set(
      events
        .filter((event) => event.userId === user.id && event.final && event.status === 'success')
        .map((event) => event.requestId),
    );
    expect(answered.length).toBeGreaterThanOrEqual(60);
    expect(answered.filter((requestId) => !finals.has(requestId))).toEqual([]);
  }, 120_000);
});
