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
    acquire: async (provider, model) => {
      const gate = await store.acquire(provider, model);
      await hop();
      return gate;
    },
    record: async (provider, outcome) => {
      await store.record(provider, outcome);
      await hop();
    },
    release: async (provider, model) => {
      await store.release(provider, model);
      await hop();
    },
    waitForProbe: (provider, model, timeoutMs, signal) =>
      store.waitForProbe(provider, model, timeoutMs, signal),
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
/** A call a hedge overtook before its first token: weak evidence of slowness. */
const slow: BreakerOutcome = { success: false, kind: 'timeout', slow: true };
/** The vendor does not serve model `m1`: a failure of that model, not of the provider. */
const missingModel: BreakerOutcome = { success: false, kind: 'not_found', model: 'm1', scope: 'model' };

/** Resolves with 'woken' when `waiting` resolves first, 'still waiting' after `ms` (real time). */
function wokenWithin(waiting: Promise<void>, ms: number): Promise<string> {
  return Promise.race([
    waiting.then(() => 'woken'),
    new Promise<string>((resolve) => setTimeout(resolve, ms, 'still waiting')),
  ]);
}

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

  it('counts a slow failure toward the failure ratio only, never toward the consecutive count', async () => {
    const store = create({ failureThreshold: 3, failureRatio: 0.5, minimumRequests: 6, windowMs: 30_000 });
    // Three slow calls, then two real failures: five in a row, but only two of them consecutive failures.
    await recordAll(store, [slow, slow, slow, serverError, serverError]);
    expect(await store.acquire('p0')).toEqual({ allowed: true, probe: false });
    // The sixth call fills the window: six failures of six trip the ratio.
    await store.record('p0', slow);
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

  it('opens the breaker of a model the provider does not serve, for longCooldownMs, and nothing else', async () => {
    const store = create({ failureThreshold: 1, longCooldownMs: 600_000 });
    await store.record('p0', missingModel);
    expect(await store.acquire('p0', 'm1')).toEqual({
      allowed: false,
      reason: 'breaker_open',
      until: Date.now() + 600_000,
    });
    expect(await store.acquire('p0', 'm2')).toEqual({ allowed: true, probe: false });
    expect(await store.acquire('p0')).toEqual({ allowed: true, probe: false });
    expect(await store.health(['p0'])).toEqual([{ provider: 'p0', state: 'closed', consecutiveFailures: 0 }]);
  });

  it('a provider failure refuses every model of the provider', async () => {
    const store = create({ failureThreshold: 1, cooldownMs: 10_000 });
    await store.record('p0', { success: false, kind: 'timeout', model: 'm1' });
    expect(await store.acquire('p0', 'm2')).toMatchObject({ allowed: false, reason: 'breaker_open' });
    expect(await store.acquire('p0', 'm1')).toMatchObject({ allowed: false, reason: 'breaker_open' });
  });

  it('after its cooldown, one probe per model: another model is not held back, and a success closes it', async () => {
    const store = create({ longCooldownMs: 600_000, probeTimeoutMs: 60_000 });
    await store.record('p0', missingModel);
    advance(600_000);
    expect(await store.acquire('p0', 'm1')).toEqual({ allowed: true, probe: true });
    expect(await store.acquire('p0', 'm1')).toEqual({
      allowed: false,
      reason: 'breaker_half_open',
      until: Date.now() + 60_000,
    });
    expect(await store.acquire('p0', 'm2')).toEqual({ allowed: true, probe: false });
    await store.record('p0', { success: true, model: 'm1' });
    expect(await store.acquire('p0', 'm1')).toEqual({ allowed: true, probe: false });
    expect(await store.acquire('p0', 'm1')).toEqual({ allowed: true, probe: false });
  });

  it("a model's failed probe reopens that model only", async () => {
    const store = create({ longCooldownMs: 600_000 });
    await store.record('p0', missingModel);
    advance(600_000);
    expect(await store.acquire('p0', 'm1')).toEqual({ allowed: true, probe: true });
    await store.record('p0', missingModel);
    expect(await store.acquire('p0', 'm1')).toEqual({
      allowed: false,
      reason: 'breaker_open',
      until: Date.now() + 600_000,
    });
    expect(await store.acquire('p0')).toEqual({ allowed: true, probe: false });
  });

  it('a released probe slot is free again at once, and the breaker stays half-open', async () => {
    const store = create({ failureThreshold: 1, cooldownMs: 10_000 });
    await store.record('p0', serverError);
    advance(10_000);
    expect(await store.acquire('p0', 'm1')).toEqual({ allowed: true, probe: true });
    await store.release('p0', 'm1');
    expect(await store.acquire('p0', 'm2')).toEqual({ allowed: true, probe: true });
    expect(await store.health(['p0'])).toEqual([
      { provider: 'p0', state: 'half_open', consecutiveFailures: 1 },
    ]);
  });

  it("a model's failure frees the provider probe its call held, without closing the provider", async () => {
    const store = create({ failureThreshold: 1, cooldownMs: 10_000 });
    await store.record('p0', serverError);
    advance(10_000);
    expect(await store.acquire('p0', 'm1')).toEqual({ allowed: true, probe: true });
    await store.record('p0', missingModel);
    expect(await store.acquire('p0', 'm2')).toEqual({ allowed: true, probe: true });
    expect(await store.acquire('p0', 'm1')).toMatchObject({ allowed: false, reason: 'breaker_open' });
  });

  it('a call waiting for the probe resumes as soon as the probe reports', async () => {
    const store = create({ failureThreshold: 1, cooldownMs: 10_000 });
    await store.record('p0', serverError);
    advance(10_000);
    expect(await store.acquire('p0', 'm1')).toEqual({ allowed: true, probe: true });
    const waiting = store.waitForProbe('p0', 'm1', 60_000);
    await store.record('p0', { success: true, model: 'm1' });
    expect(await wokenWithin(waiting, 2_000)).toBe('woken');
    expect(await store.acquire('p0', 'm1')).toEqual({ allowed: true, probe: false });
  });

  it('a call waiting for a probe that never reports gives up after timeoutMs, or when its caller leaves', async () => {
    const store = create({ failureThreshold: 1, cooldownMs: 10_000 });
    await store.record('p0', serverError);
    advance(10_000);
    expect(await store.acquire('p0')).toEqual({ allowed: true, probe: true });
    expect(await wokenWithin(store.waitForProbe('p0', undefined, 30), 2_000)).toBe('woken');
    const controller = new AbortController();
    const waiting = store.waitForProbe('p0', undefined, 60_000, controller.signal);
    controller.abort();
    expect(await wokenWithin(waiting, 2_000)).toBe('woken');
    expect(await store.acquire('p0')).toMatchObject({ allowed: false, reason: 'breaker_half_open' });
  });
});
