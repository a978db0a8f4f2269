import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLlmClient } from '../src/client.js';
import { expectedText, request, startFleet } from './helpers.js';

let redis: Redis;
let fleet: Awaited<ReturnType<typeof startFleet>> | undefined;
const keyPrefix = `test:llm:${randomUUID()}:`;

beforeAll(() => {
  redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: false });
});

afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

afterAll(async () => {
  await redis.quit();
});

describe('breaker state shared through Redis', () => {
  it('a breaker opened by one client makes another client skip that provider', async () => {
    fleet = await startFleet(2, { faults: [[{ type: 'auth' }], []] });
    const options = { providers: fleet.providers, defaultChain: fleet.chain, deadlineMs: 5_000, redis, keyPrefix: `${keyPrefix}shared:`, retry: { maxRetries: 0 } };
    const replicaA = createLlmClient(options);
    const replicaB = createLlmClient(options);
    const first = await replicaA.chat(request());
    expect(first.attempts.map((attempt) => attempt.outcome)).toEqual(['error', 'success']);
    const second = await replicaB.chat(request());
    expect(second.completion.choices[0]?.message.content).toBe(expectedText);
    expect(second.attempts[0]).toMatchObject({ provider: 'p0', outcome: 'skipped', skipReason: 'breaker_open' });
    expect(fleet.simulators[0]?.requests).toHaveLength(1);
    expect((await replicaB.providerHealth()).find((entry) => entry.provider === 'p0')?.state).toBe('open');
  });

  it('shares rate-limit headroom: a provider at zero is skipped by every replica', async () => {
    fleet = await startFleet(2, { faults: [[{ type: 'rate_limit_headers_zero', resetSeconds: 120 }], []] });
    const options = { providers: fleet.providers, defaultChain: fleet.chain, deadlineMs: 5_000, redis, keyPrefix: `${keyPrefix}headroom:` };
    const replicaA = createLlmClient(options);
    const replicaB = createLlmClient(options);
    expect((await replicaA.chat(request())).provider).toBe('p0');
    // The headroom write is fire-and-forget; wait for it through Redis itself rather than a sleep.
    await expect.poll(async () => (await replicaB.providerHealth())[0]?.rateLimitedUntil).toBeGreaterThan(Date.now());
    const second = await replicaB.chat(request());
    expect(second.attempts[0]).toMatchObject({ provider: 'p0', outcome: 'skipped', skipReason: 'rate_limit_headroom' });
  });

  it('lets exactly one half-open probe through across replicas, and closes on its success', async () => {
    fleet = await startFleet(2, { faults: [[{ type: 'server_error', times: 1 }], []] });
    const options = {
      providers: fleet.providers,
      defaultChain: fleet.chain,
      deadlineMs: 5_000,
      redis,
      keyPrefix: `${keyPrefix}probe:`,
      retry: { maxRetries: 0 },
      breaker: { failureThreshold: 1, cooldownMs: 1 },
    };
    const replicaA = createLlmClient(options);
    const replicaB = createLlmClient(options);
    await replicaA.chat(request());
    await expect.poll(async () => (await replicaA.providerHealth())[0]?.state).toBe('half_open');
    const [one, two] = await Promise.all([replicaA.chat(request()), replicaB.chat(request())]);
    const onP0 = [one, two].filter((result) => result.provider === 'p0');
    expect(onP0).toHaveLength(1);
    expect((await replicaB.providerHealth())[0]?.state).toBe('closed');
  });
});
