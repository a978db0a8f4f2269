import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrillGateway, type DrillGateway } from './drill-gateway.js';

/**
 * Contract (issue 12): while Redis cannot answer, a chat answers 503 `dependency_unavailable` (OpenAI envelope,
 * Retry-After, a message naming Redis and not its error text) within REDIS_COMMAND_TIMEOUT_MS + 100 ms, and serving
 * resumes without a restart when Redis is back. The +100 ms is the bound and the only timing asserted; the
 * default 500 ms timeout is used, so the margin left for a loaded 2-core CI machine is the full 100 ms.
 */
const commandTimeoutMs = 500;
const boundMs = commandTimeoutMs + 100;

type ChatResponse = Awaited<ReturnType<DrillGateway['chat']>>['response'];

function expectDependencyUnavailable(response: ChatResponse) {
  expect(response.statusCode).toBe(503);
  expect(response.json()).toEqual({
    error: {
      type: 'api_error',
      code: 'dependency_unavailable',
      param: null,
      message: expect.stringMatching(/^Redis is not answering/) as string,
    },
  });
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
}

describe('drill: Redis away, quota fails closed (the default)', () => {
  let gateway: DrillGateway;
  let key: string;

  beforeAll(async () => {
    gateway = await createDrillGateway({ REDIS_COMMAND_TIMEOUT_MS: String(commandTimeoutMs) });
    key = (await gateway.createUser()).key;
    // Served once while healthy: the key and plan are cached, so Redis is the only dependency left to fail.
    expect((await gateway.chat(key)).response.statusCode).toBe(200);
  });
  afterAll(() => gateway.close());

  it('black-holed Redis: 503 dependency_unavailable within the command timeout + 100 ms, then served again', async () => {
    await gateway.proxies.redis.setMode('blackhole');
    const { response, elapsedMs } = await gateway.chat(key);
    expectDependencyUnavailable(response);
    expect(elapsedMs).toBeLessThan(boundMs);

    await gateway.redisReconnected();
    expect((await gateway.chat(key)).response.statusCode).toBe(200);
  });

  it('refused Redis: 503 dependency_unavailable within the bound, then served again without a restart', async () => {
    await gateway.proxies.redis.setMode('refuse');
    const { response, elapsedMs } = await gateway.chat(key);
    expectDependencyUnavailable(response);
    expect(elapsedMs).toBeLessThan(boundMs);

    await gateway.redisReconnected();
    expect((await gateway.chat(key)).response.statusCode).toBe(200);
  });
});

describe('drill: Redis away with QUOTA_FAIL_OPEN=true', () => {
  let gateway: DrillGateway;

  beforeAll(async () => {
    gateway = await createDrillGateway({
      REDIS_COMMAND_TIMEOUT_MS: String(commandTimeoutMs),
      QUOTA_FAIL_OPEN: 'true',
    });
  });
  afterAll(() => gateway.close());

  it('serves chats while Redis is black-holed or refused', async () => {
    const { key } = await gateway.createUser();
    expect((await gateway.chat(key)).response.statusCode).toBe(200);
    for (const mode of ['blackhole', 'refuse'] as const) {
      await gateway.proxies.redis.setMode(mode);
      const { response } = await gateway.chat(key);
      expect(response.statusCode, `${mode}: ${response.body}`).toBe(200);
      await gateway.redisReconnected();
    }
  });
});
