import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLlmClient, type LlmClientOptions } from '../src/client.js';
import { createRedisHealthStore } from '../src/breaker/index.js';
import type { Fault } from '../src/testing/index.js';
import { drain, expectedText, failsThenSlowProbe, probeInFlight, request, startFleet } from './helper.js';

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
    const options = {
      providers: fleet.providers,
      defaultChain: fleet.chain,
      deadlineMs: 5_000,
      redis,
      keyPrefix: `${keyPrefix}shared:`,
      retry: { maxRetries: 0 },
    };
    const replicaA = createLlmClient(options);
    const replicaB = createLlmClient(options);
    const first = await replicaA.chat(request());
    expect(first.attempts.map((attempt) => attempt.outcome)).toEqual(['error', 'success']);
    const second = await replicaB.chat(request());
    expect(second.completion.choices[0]?.message.content).toBe(expectedText);
    expect(second.attempts[0]).toMatchObject({
      provider: 'p0',
      outcome: 'skipped',
      skipReason: 'breaker_open',
    });
    expect(fleet.simulators[0]?.requests).toHaveLength(1);
    expect((await replicaB.providerHealth()).find((entry) => entry.provider === 'p0')?.state).toBe('open');
  });

  it('a breaker opened in one process reaches a process that already mirrors it, through pub/sub alone', async () => {
    // The safety-net re-read is an hour away: only the published change can close the gap.
    const options = { failureThreshold: 1, syncIntervalMs: 3_600_000 };
    const replicaA = createRedisHealthStore(redis, `${keyPrefix}mirror:`, options);
    const replicaB = createRedisHealthStore(redis, `${keyPrefix}mirror:`, options);
    expect(await replicaB.acquire('p0')).toEqual({ allowed: true, probe: false });
    await replicaA.record('p0', { success: false, kind: 'server' });
    await expect.poll(() => replicaB.acquire('p0')).toMatchObject({ allowed: false, reason: 'breaker_open' });
    await replicaA.markRateLimited('p1', Date.now() + 60_000);
    expect(await replicaB.acquire('p1')).toMatchObject({ allowed: false, reason: 'rate_limit_headroom' });
  });

  it('mirrors a bounded number of providers; a forgotten one is read back from Redis, still open', async () => {
    const options = { failureThreshold: 1, maxTrackedProviders: 2 };
    const store = createRedisHealthStore(redis, `${keyPrefix}bounded:`, options);
    await store.record('user-key-0', { success: false, kind: 'auth' });
    for (let index = 1; index <= 3; index += 1)
      expect(await store.acquire(`user-key-${index}`)).toEqual({ allowed: true, probe: false });
    expect(await store.acquire('user-key-0')).toMatchObject({ allowed: false, reason: 'breaker_open' });
  });

  it('shares a 429 retry time: another replica skips the provider until then', async () => {
    fleet = await startFleet(2, { faults: [[{ type: 'rate_limit', retryAfterSeconds: 30 }], []] });
    const options = {
      providers: fleet.providers,
      defaultChain: fleet.chain,
      deadlineMs: 5_000,
      redis,
      keyPrefix: `${keyPrefix}retry-after:`,
    };
    const replicaA = createLlmClient(options);
    const replicaB = createLlmClient(options);
    const startedAt = Date.now();
    expect((await replicaA.chat(request())).provider).toBe('p1');
    const second = await replicaB.chat(request());
    expect(second.attempts[0]).toMatchObject({
      provider: 'p0',
      outcome: 'skipped',
      skipReason: 'breaker_open',
    });
    expect(fleet.simulators[0]?.requests).toHaveLength(1);
    const openUntil = (await replicaB.providerHealth())[0]?.openUntil ?? 0;
    expect(openUntil).toBeGreaterThanOrEqual(startedAt + 30_000);
    expect(openUntil).toBeLessThan(Date.now() + 31_000);
  });

  it('answers healthy requests, streamed or not, without a Redis command', async () => {
    fleet = await startFleet(1);
    const prefix = `${keyPrefix}quiet:`;
    const client = createLlmClient({
      providers: fleet.providers,
      defaultChain: fleet.chain,
      deadlineMs: 5_000,
      redis,
      keyPrefix: prefix,
      breaker: { syncIntervalMs: 3_600_000 },
    });
    // The first request reads the provider's shared state once; later ones use the mirror.
    await client.chat(request());
    const monitor = await redis.monitor();
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.some((argument) => argument.includes(prefix))) commands.push(args[0]?.toLowerCase() ?? '');
    });
    for (let index = 0; index < 10; index += 1) {
      expect((await client.chat(request())).completion.choices[0]?.message.content).toBe(expectedText);
      expect((await drain(client.chatStream(request()))).text).toBe(expectedText);
    }
    // A marker on the same connection: once it shows, every command the client sent before it has shown too.
    await redis.exists(`${prefix}marker`);
    await expect.poll(() => commands.includes('exists')).toBe(true);
    monitor.disconnect();
    expect(commands).toEqual(['exists']);
  });

  it('shares rate-limit headroom: a provider at zero is skipped by every replica', async () => {
    fleet = await startFleet(2, { faults: [[{ type: 'rate_limit_headers_zero', resetSeconds: 120 }], []] });
    const options = {
      providers: fleet.providers,
      defaultChain: fleet.chain,
      deadlineMs: 5_000,
      redis,
      keyPrefix: `${keyPrefix}headroom:`,
    };
    const replicaA = createLlmClient(options);
    const replicaB = createLlmClient(options);
    expect((await replicaA.chat(request())).provider).toBe('p0');
    // The headroom write is fire-and-forget; wait for it through Redis itself rather than a sleep.
    await expect
      .poll(async () => (await replicaB.providerHealth())[0]?.rateLimitedUntil)
      .toBeGreaterThan(Date.now());
    const second = await replicaB.chat(request());
    expect(second.attempts[0]).toMatchObject({
      provider: 'p0',
      outcome: 'skipped',
      skipReason: 'rate_limit_headroom',
    });
  });

  /** Two replicas (clients on one Redis prefix) over a fleet of two with the given faults. */
  async function twoReplicas(faults: Fault[][], name: string, options: Partial<LlmClientOptions> = {}) {
    fleet = await startFleet(2, { faults });
    const shared = {
      providers: fleet.providers,
      defaultChain: fleet.chain,
      deadlineMs: 5_000,
      redis,
      keyPrefix: `${keyPrefix}${name}:`,
      retry: { maxRetries: 0 },
      ...options,
    };
    return { fleet, replicaA: createLlmClient(shared), replicaB: createLlmClient(shared) };
  }
  const recovering = { breaker: { failureThreshold: 1, cooldownMs: 1 } };

  it('lets exactly one half-open probe through across replicas, and closes on its success', async () => {
    // The probe answers slowly, so the other replica asks while it is still in flight (a fast probe could close
    // the breaker first, and then both replicas would rightly use p0).
    const { fleet, replicaA, replicaB } = await twoReplicas([failsThenSlowProbe, []], 'probe', recovering);
    const { probe } = await probeInFlight(replicaA, fleet.simulators[0]!);
    const results = [await replicaB.chat(request()), await probe];
    expect(results.filter((result) => result.provider === 'p0')).toHaveLength(1);
    expect((await replicaB.providerHealth())[0]?.state).toBe('closed');
  });

  it('a replica waits for the probe another replica holds, and its parallel calls are all served by it', async () => {
    const { fleet, replicaA, replicaB } = await twoReplicas(
      [failsThenSlowProbe, []],
      'wait-probe',
      recovering,
    );
    const { probe } = await probeInFlight(replicaA, fleet.simulators[0]!);
    const job = await Promise.all([0, 1, 2].map(() => replicaB.chat(request(), { waitForProbe: true })));
    expect((await probe).provider).toBe('p0');
    expect(job.map((result) => result.provider)).toEqual(['p0', 'p0', 'p0']);
    expect(fleet.simulators[1]?.requests).toHaveLength(1);
  });

  it('20 requests for an unknown pinned model on one replica leave the provider serving on another', async () => {
    const { replicaA, replicaB } = await twoReplicas([[{ type: 'not_found', times: 20 }], []], 'pinned', {
      breaker: { failureThreshold: 1 },
    });
    const chain = [{ provider: 'p0', model: 'gpt-does-not-exist' }];
    for (let index = 0; index < 20; index += 1)
      await replicaA
        .chat(request(), { chain, pinnedModel: 'gpt-does-not-exist', userId: 'a' })
        .catch(() => undefined);
    const served = await replicaB.chat(request(), { userId: 'b' });
    expect(served.provider).toBe('p0');
    expect(served.attempts.map((attempt) => attempt.outcome)).toEqual(['success']);
    expect((await replicaB.providerHealth())[0]).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });
});
