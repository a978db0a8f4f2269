import type { Redis } from 'ioredis';
import type { LlmErrorKind } from './errors.js';

/** Circuit-breaker settings (all durations in ms). */
export interface BreakerOptions {
  /** Consecutive failures that open the breaker (default 5). */
  failureThreshold?: number;
  /** Failure ratio over the window that opens it (default 0.5)... */
  failureRatio?: number;
  /** ...once the window holds at least this many calls (default 20). */
  minimumRequests?: number;
  /** Length of the ratio window (default 30 s). */
  windowMs?: number;
  /** How long an opened breaker rejects calls before letting one probe through (default 30 s). */
  cooldownMs?: number;
  /** Cooldown after `auth` or `not_found`: a wrong key or model does not heal in seconds (default 10 min). */
  longCooldownMs?: number;
  /** A half-open probe that has not reported after this long frees its slot (default 60 s). */
  probeTimeoutMs?: number;
}

type ResolvedBreakerOptions = Required<BreakerOptions>;

/** Breaker settings with defaults filled in. */
export function resolveBreakerOptions(options: BreakerOptions = {}): ResolvedBreakerOptions {
  return {
    failureThreshold: options.failureThreshold ?? 5,
    failureRatio: options.failureRatio ?? 0.5,
    minimumRequests: options.minimumRequests ?? 20,
    windowMs: options.windowMs ?? 30_000,
    cooldownMs: options.cooldownMs ?? 30_000,
    longCooldownMs: options.longCooldownMs ?? 600_000,
    probeTimeoutMs: options.probeTimeoutMs ?? 60_000,
  };
}

/** State of one provider for a health endpoint. */
export interface ProviderHealth {
  provider: string;
  state: 'closed' | 'open' | 'half_open';
  /** Epoch ms until which the breaker rejects calls (state `open`). */
  openUntil?: number;
  /** Epoch ms until which the provider's rate-limit headers said it has no headroom. */
  rateLimitedUntil?: number;
  consecutiveFailures: number;
}

/** Whether a call may go to a provider now. `probe` marks the single half-open trial call. */
export type Gate = { allowed: true; probe: boolean } | { allowed: false; reason: 'breaker_open' | 'breaker_half_open' | 'rate_limit_headroom'; until: number };

/** Kinds that say the provider (not the request) is unhealthy; others count as a working provider. */
const healthFailureKinds: ReadonlySet<LlmErrorKind> = new Set(['rate_limit', 'overloaded', 'server', 'timeout', 'network', 'auth', 'not_found']);

/** True when an error of this kind should count against the provider's breaker. */
export function countsAsProviderFailure(kind: LlmErrorKind): boolean {
  return healthFailureKinds.has(kind);
}

/** Outcome of one call, as the breaker sees it. */
export type BreakerOutcome = { success: true } | { success: false; kind: LlmErrorKind; retryAfterMs?: number };

/** Where breaker and rate-limit state lives: process memory, or Redis to share it across replicas. */
export interface HealthStore {
  acquire(provider: string): Promise<Gate>;
  record(provider: string, outcome: BreakerOutcome): Promise<void>;
  /** The provider reported zero headroom until `until` (epoch ms). */
  markRateLimited(provider: string, until: number): Promise<void>;
  health(providers: string[]): Promise<ProviderHealth[]>;
}

interface BreakerState {
  consecutive: number;
  windowStart: number;
  windowTotal: number;
  windowFailures: number;
  openUntil: number;
  probeUntil: number;
  rateLimitedUntil: number;
}

function emptyState(): BreakerState {
  return { consecutive: 0, windowStart: 0, windowTotal: 0, windowFailures: 0, openUntil: 0, probeUntil: 0, rateLimitedUntil: 0 };
}

function toHealth(provider: string, state: BreakerState, now: number): ProviderHealth {
  const health: ProviderHealth = {
    provider,
    state: state.openUntil === 0 ? 'closed' : now < state.openUntil ? 'open' : 'half_open',
    consecutiveFailures: state.consecutive,
  };
  if (state.openUntil > now) health.openUntil = state.openUntil;
  if (state.rateLimitedUntil > now) health.rateLimitedUntil = state.rateLimitedUntil;
  return health;
}

/** The breaker in process memory: for one replica, tests and the bench. Mirrors the Redis scripts below. */
export function createMemoryHealthStore(breakerOptions: BreakerOptions = {}): HealthStore {
  const options = resolveBreakerOptions(breakerOptions);
  const states = new Map<string, BreakerState>();
  const stateOf = (provider: string) => {
    let state = states.get(provider);
    if (!state) {
      state = emptyState();
      states.set(provider, state);
    }
    return state;
  };
  return {
    acquire(provider) {
      const now = Date.now();
      const state = states.get(provider);
      if (!state) return Promise.resolve({ allowed: true, probe: false });
      if (state.rateLimitedUntil > now) return Promise.resolve({ allowed: false, reason: 'rate_limit_headroom', until: state.rateLimitedUntil });
      if (state.openUntil === 0) return Promise.resolve({ allowed: true, probe: false });
      if (now < state.openUntil) return Promise.resolve({ allowed: false, reason: 'breaker_open', until: state.openUntil });
      if (state.probeUntil > now) return Promise.resolve({ allowed: false, reason: 'breaker_half_open', until: state.probeUntil });
      state.probeUntil = now + options.probeTimeoutMs;
      return Promise.resolve({ allowed: true, probe: true });
    },
    record(provider, outcome) {
      const now = Date.now();
      const state = stateOf(provider);
      if (now - state.windowStart > options.windowMs) {
        state.windowStart = now;
        state.windowTotal = 0;
        state.windowFailures = 0;
      }
      state.windowTotal += 1;
      const halfOpen = state.openUntil > 0 && now >= state.openUntil;
      if (outcome.success) {
        state.consecutive = 0;
        if (halfOpen) {
          state.openUntil = 0;
          state.windowStart = now;
          state.windowTotal = 1;
          state.windowFailures = 0;
        }
        state.probeUntil = 0;
        return Promise.resolve();
      }
      state.consecutive += 1;
      state.windowFailures += 1;
      let until = halfOpen ? now + options.cooldownMs : 0;
      const ratioTripped = state.windowTotal >= options.minimumRequests && state.windowFailures / state.windowTotal >= options.failureRatio;
      if (state.consecutive >= options.failureThreshold || ratioTripped) until = Math.max(until, now + options.cooldownMs);
      if (outcome.kind === 'auth' || outcome.kind === 'not_found') until = Math.max(until, now + options.longCooldownMs);
      if (outcome.kind === 'rate_limit' && outcome.retryAfterMs) until = Math.max(until, now + outcome.retryAfterMs);
      if (until > state.openUntil) state.openUntil = until;
      state.probeUntil = 0;
      return Promise.resolve();
    },
    markRateLimited(provider, until) {
      const state = stateOf(provider);
      state.rateLimitedUntil = Math.max(state.rateLimitedUntil, until);
      return Promise.resolve();
    },
    health(providers) {
      const now = Date.now();
      return Promise.resolve(providers.map((provider) => toHealth(provider, states.get(provider) ?? emptyState(), now)));
    },
  };
}

// KEYS[1] = provider hash; ARGV = now, probeTimeoutMs. Returns {allowed, reason, until}.
const acquireScript = `
local f = redis.call('HMGET', KEYS[1], 'openUntil', 'probeUntil', 'rateLimitedUntil')
local now = tonumber(ARGV[1])
local rateLimitedUntil = tonumber(f[3]) or 0
if rateLimitedUntil > now then return {0, 'rate_limit_headroom', rateLimitedUntil} end
local openUntil = tonumber(f[1]) or 0
if openUntil == 0 then return {1, 'closed', 0} end
if now < openUntil then return {0, 'breaker_open', openUntil} end
local probeUntil = tonumber(f[2]) or 0
if probeUntil > now then return {0, 'breaker_half_open', probeUntil} end
redis.call('HSET', KEYS[1], 'probeUntil', now + tonumber(ARGV[2]))
return {1, 'probe', 0}
`;

// KEYS[1] = provider hash; ARGV = now, success, kind, retryAfterMs, threshold, ratio, minimum, windowMs, cooldownMs, longCooldownMs.
const recordScript = `
local now = tonumber(ARGV[1])
local success = ARGV[2] == '1'
local kind = ARGV[3]
local retryAfter = tonumber(ARGV[4]) or 0
local threshold = tonumber(ARGV[5])
local ratio = tonumber(ARGV[6])
local minimum = tonumber(ARGV[7])
local windowMs = tonumber(ARGV[8])
local cooldown = tonumber(ARGV[9])
local longCooldown = tonumber(ARGV[10])
local f = redis.call('HMGET', KEYS[1], 'consecutive', 'windowStart', 'windowTotal', 'windowFailures', 'openUntil')
local consecutive = tonumber(f[1]) or 0
local windowStart = tonumber(f[2]) or 0
local total = tonumber(f[3]) or 0
local failures = tonumber(f[4]) or 0
local openUntil = tonumber(f[5]) or 0
if now - windowStart > windowMs then
  windowStart = now
  total = 0
  failures = 0
end
total = total + 1
local halfOpen = openUntil > 0 and now >= openUntil
if success then
  consecutive = 0
  if halfOpen then
    openUntil = 0
    windowStart = now
    total = 1
    failures = 0
  end
else
  consecutive = consecutive + 1
  failures = failures + 1
  local untilMs = 0
  if halfOpen then untilMs = now + cooldown end
  if consecutive >= threshold or (total >= minimum and failures / total >= ratio) then untilMs = math.max(untilMs, now + cooldown) end
  if kind == 'auth' or kind == 'not_found' then untilMs = math.max(untilMs, now + longCooldown) end
  if kind == 'rate_limit' and retryAfter > 0 then untilMs = math.max(untilMs, now + retryAfter) end
  if untilMs > openUntil then openUntil = untilMs end
end
redis.call('HSET', KEYS[1], 'consecutive', consecutive, 'windowStart', windowStart, 'windowTotal', total, 'windowFailures', failures, 'openUntil', openUntil, 'probeUntil', 0)
redis.call('PEXPIRE', KEYS[1], math.max(windowMs, openUntil - now) + longCooldown)
return openUntil
`;

const rateLimitScript = `
local current = tonumber(redis.call('HGET', KEYS[1], 'rateLimitedUntil')) or 0
local untilMs = tonumber(ARGV[1])
if untilMs > current then redis.call('HSET', KEYS[1], 'rateLimitedUntil', untilMs) end
local ttl = redis.call('PTTL', KEYS[1])
local needed = untilMs - tonumber(ARGV[2])
if ttl < needed then redis.call('PEXPIRE', KEYS[1], needed) end
return 1
`;

/**
 * The breaker in Redis, shared by every replica: each decision is one atomic script on one hash per
 * provider (`<keyPrefix>llm:health:{<provider>}`), so replicas agree on open/half-open and on the single probe.
 */
export function createRedisHealthStore(redis: Redis, keyPrefix: string, breakerOptions: BreakerOptions = {}): HealthStore {
  const options = resolveBreakerOptions(breakerOptions);
  const keyOf = (provider: string) => `${keyPrefix}llm:health:{${provider}}`;
  return {
    async acquire(provider) {
      const [allowed, reason, until] = (await redis.eval(acquireScript, 1, keyOf(provider), Date.now(), options.probeTimeoutMs)) as [number, string, number];
      if (allowed === 1) return { allowed: true, probe: reason === 'probe' };
      return { allowed: false, reason: reason as 'breaker_open' | 'breaker_half_open' | 'rate_limit_headroom', until: Number(until) };
    },
    async record(provider, outcome) {
      await redis.eval(
        recordScript,
        1,
        keyOf(provider),
        Date.now(),
        outcome.success ? '1' : '0',
        outcome.success ? '' : outcome.kind,
        outcome.success ? 0 : (outcome.retryAfterMs ?? 0),
        options.failureThreshold,
        options.failureRatio,
        options.minimumRequests,
        options.windowMs,
        options.cooldownMs,
        options.longCooldownMs,
      );
    },
    async markRateLimited(provider, until) {
      await redis.eval(rateLimitScript, 1, keyOf(provider), until, Date.now());
    },
    async health(providers) {
      const now = Date.now();
      const pipeline = redis.pipeline();
      for (const provider of providers) pipeline.hgetall(keyOf(provider));
      const results = (await pipeline.exec()) ?? [];
      return providers.map((provider, index) => {
        const raw = (results[index]?.[1] ?? {}) as Record<string, string>;
        const state = emptyState();
        state.consecutive = Number(raw.consecutive ?? 0);
        state.openUntil = Number(raw.openUntil ?? 0);
        state.rateLimitedUntil = Number(raw.rateLimitedUntil ?? 0);
        return toHealth(provider, state, now);
      });
    },
  };
}
