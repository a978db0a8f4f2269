import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createMemoryHealthStore,
  createRedisHealthStore,
  type BreakerOptions,
  type BreakerOutcome,
  type HealthStore,
} from '../../src/breaker/index.js';
import { sharedSubscriber } from '../../src/breaker/shared-subscriber.js';

// Both stores promise the same breaker: the memory store's record() and record.lua are two copies of one state
// machine, so every scenario below runs against each. Only Date is faked: both stores read the time from
// Date.now() alone (the Redis store passes it to its scripts, which never read Redis's clock, and its key TTLs
// are durations), while ioredis keeps its real timers.

let redis: Redis;
let keyPrefix: string;

beforeAll(() => {
  redis = new Redis('redis://127.0.0.1:6379');
});

afterAll(async () => {
  await redis.quit();
});

beforeEach(() => {
  keyPrefix = `test:llm:parity:${randomUUID()}:`;
  vi.useFakeTimers({ toFake: ['Date'] });
});

afterEach(async () => {
  vi.useRealTimers();
  // Same connection as the stores' scripts: anything they still had in flight has run by now.
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

/**
 * The Redis store's own mirror follows a change only within a pub/sub hop (a script's reply is dropped when a
 * message for the provider arrived while it ran, e.g. the probe's own message), so each call here also waits for
 * that hop: a PING on the subscriber connection is answered after every message already sent to it.
 */
function afterEachPubSubHop(store: HealthStore): HealthStore {
  const hop = () => sharedSubscriber(redis).ping();
  return {
    acquire: async (provider) => {
      const gate = await store.acquire(provider);
      await hop();
      return gate;
    },
    record: async (provider, outcome) => {
      await store.record(provider, outcome);
      await hop();
    },
    markRateLimited: async (provider, until) => {
      await store.markRateLimited(provider, until);
      await hop();
    },
    health: (providers) => store.health(providers),
  };
}

const implementations: Array<{ name: string; create: (options: BreakerOptions) => HealthStore }> = [
  { name: 'memory', create: (options) => createMemoryHealthStore(options) },
  {
    name: 'redis',
    create: (options) => afterEachPubSubHop(createRedisHealthStore(redis, keyPrefix, options)),
  },
];

const serverError: BreakerOutcome = { success: false, kind: 'server' };
const success: BreakerOutcome = { success: true };

const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

async function recordAll(store: HealthStore, outcomes: BreakerOutcome[]) {
  for (const outcome of outcomes) await store.record('p0', outcome);
}

describe.each(implementations)('the $name health store', ({ create }) => {
  it('opens after failureThreshold consecutive failures, for cooldownMs', async () => {
    const store = create({ failureThreshold: 3, cooldownMs: 10_000 });
    await recordAll(store, [serverError, serverError]);
    expect(await store.acquire('p0')).toEqual({ allowed: true, probe: false });
    await store.record('p0', serverError);
    expect(await store.acquire('p0')).toEqual({
      allowed: false,
      reason: 'breaker_open',
      until: Date.now() + 10_000,
    });
    advance(9_999);
    expect(await store.acquire('p0')).toMatchObject({ allowed: false, reason: 'breaker_open' });
  });

  it('a success resets the count of consecutive failures', async () => {
    const store = create({ failureThreshold: 3 });
    await recordAll(store, [serverError, serverError, success, serverError, serverError]);
    expect(await store.acquire('p0')).toEqual({ allowed: true, probe: false });
    await store.record('p0', serverError);
    expect(await store.acquire('p0')).toMatchObject({ allowed: false, reason: 'breaker_open' });
  });

  it('opens on failureRatio once the window holds minimumRequests calls, not before', async () => {
    const store = create({ failureThreshold: 100, failureRatio: 0.5, minimumRequests: 4, windowMs: 30_000 });
    await recordAll(store, [success, serverError, success]);
    expect(await store.acquire('p0')).toEqual({ allowed: true, probe: false });
    await store.record('p0', serverError);
    expect(await store.acquire('p0')).toMatchObject({ allowed: false, reason: 'breaker_open' });
  });

  it('forgets the ratio window after windowMs', async () => {
    const store = create({ failureThreshold: 100, failureRatio: 0.5, minimumRequests: 4, windowMs: 30_000 });
    await recordAll(store, [success, serverError, success]);
    advance(30_001);
    await store.record('p0', serverError);
    expect(await store.acquire('p0')).toEqual({ allowed: true, probe: false });
  });

  it('after cooldownMs lets exactly one half-open probe through, until it reports', async () => {
    const store = create({ failureThreshold: 1, cooldownMs: 10_000, probeTimeoutMs: 60_000 });
    await store.record('p0', serverError);
    advance(10_000);
    expect(await store.acquire('p0')).toEqual({ allowed: true, probe: true });
    expect(await store.acquire('p0')).toEqual({
      allowed: false,
      reason: 'breaker_half_open',
      until: Date.now() + 60_000,
    });
  });

  it('frees the probe slot when the probe has not reported after probeTimeoutMs', async () => {
    const store = create({ failureThreshold: 1, cooldownMs: 10_000, probeTimeoutMs: 60_000 });
    await store.record('p0', serverError);
    advance(10_000);
    expect(await store.acquire('p0')).toEqual({ allowed: true, probe: true });
    advance(59_999);
    expect(await store.acquire('p0')).toMatchObject({ allowed: false, reason: 'breaker_half_open' });
    advance(1);
    expect(await store.acquire('p0')).toEqual({ allowed: true, probe: true });
  });

  it('closes when the probe succeeds: every call goes through and the failure count is back to 0', async () => {
    const store = create({ failureThreshold: 1, cooldownMs: 10_000 });
    await store.record('p0', serverError);
    advance(10_000);
    expect(await store.acquire('p0')).toEqual({ allowed: true, probe: true });
    await store.record('p0', success);
    expect(await store.acquire('p0')).toEqual({ allowed: true, probe: false });
    expect(await store.acquire('p0')).toEqual({ allowed: true, probe: false });
    expect(await store.health(['p0'])).toEqual([{ provider: 'p0', state: 'closed', consecutiveFailures: 0 }]);
  });

  it('reopens for another cooldownMs when the probe fails', async () => {
    const store = create({ failureThreshold: 5, cooldownMs: 10_000 });
    await store.record('p0', { success: false, kind: 'rate_limit', retryAfterMs: 2_000 });
    advance(2_000);
    expect(await store.acquire('p0')).toEqual({ allowed: true, probe: true });
    await store.record('p0', serverError);
    expect(await store.acquire('p0')).toEqual({
      allowed: false,
      reason: 'breaker_open',
      until: Date.now() + 10_000,
    });
  });

  it.each(['auth', 'not_found'] as const)('opens at once for longCooldownMs on %s', async (kind) => {
    const store = create({ failureThreshold: 5, cooldownMs: 10_000, longCooldownMs: 600_000 });
    await store.record('p0', { success: false, kind });
    expect(await store.acquire('p0')).toEqual({
      allowed: false,
      reason: 'breaker_open',
      until: Date.now() + 600_000,
    });
    advance(10_000);
    expect(await store.acquire('p0')).toMatchObject({ allowed: false, reason: 'breaker_open' });
  });

  it("opens at once until a 429's retry time", async () => {
    const store = create({ failureThreshold: 5, cooldownMs: 10_000 });
    await store.record('p0', { success: false, kind: 'rate_limit', retryAfterMs: 45_000 });
    expect(await store.acquire('p0')).toEqual({
      allowed: false,
      reason: 'breaker_open',
      until: Date.now() + 45_000,
    });
  });

  it('skips a provider marked out of rate-limit headroom until the mark passes; an earlier mark does not shorten it', async () => {
    const store = create({});
    const until = Date.now() + 60_000;
    await store.markRateLimited('p0', until);
    await store.markRateLimited('p0', Date.now() + 10_000);
    expect(await store.acquire('p0')).toEqual({ allowed: false, reason: 'rate_limit_headroom', until });
    expect(await store.health(['p0'])).toEqual([
      { provider: 'p0', state: 'closed', rateLimitedUntil: until, consecutiveFailures: 0 },
    ]);
    advance(60_000);
    expect(await store.acquire('p0')).toEqual({ allowed: true, probe: false });
  });

  it('reports each provider: closed with its failure count, open until when, then half-open', async () => {
    const store = create({ failureThreshold: 3, cooldownMs: 10_000 });
    expect(await store.health(['p0', 'p1'])).toEqual([
      { provider: 'p0', state: 'closed', consecutiveFailures: 0 },
      { provider: 'p1', state: 'closed', consecutiveFailures: 0 },
    ]);
    await recordAll(store, [serverError, serverError]);
    expect(await store.health(['p0'])).toEqual([{ provider: 'p0', state: 'closed', consecutiveFailures: 2 }]);
    await store.record('p0', serverError);
    const openUntil = Date.now() + 10_000;
    expect(await store.health(['p0', 'p1'])).toEqual([
      { provider: 'p0', state: 'open', openUntil, consecutiveFailures: 3 },
      { provider: 'p1', state: 'closed', consecutiveFailures: 0 },
    ]);
    advance(10_000);
    expect(await store.health(['p0'])).toEqual([
      { provider: 'p0', state: 'half_open', consecutiveFailures: 3 },
    ]);
  });
});
