import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
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
  /**
   * Providers whose state is kept in process (default 10,000). Per-user providers (a user's own key) each have
   * their own breaker, so the state is bounded; the least recently used is forgotten, which at worst lets one
   * call through to a provider that was failing.
   */
  maxTrackedProviders?: number;
  /**
   * With Redis: how often each process re-reads a provider's shared state and flushes its count of successes
   * (default 1 s). State changes reach every process sooner, by pub/sub; this is the safety net.
   */
  syncIntervalMs?: number;
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
    maxTrackedProviders: options.maxTrackedProviders ?? 10_000,
    syncIntervalMs: options.syncIntervalMs ?? 1_000,
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
export type Gate =
  | { allowed: true; probe: boolean }
  | { allowed: false; reason: 'breaker_open' | 'breaker_half_open' | 'rate_limit_headroom'; until: number };

/** Kinds that say the provider (not the request) is unhealthy; others count as a working provider. */
const healthFailureKinds: ReadonlySet<LlmErrorKind> = new Set([
  'rate_limit',
  'overloaded',
  'server',
  'timeout',
  'network',
  'auth',
  'not_found',
]);

/** True when an error of this kind should count against the provider's breaker. */
export function countsAsProviderFailure(kind: LlmErrorKind): boolean {
  return healthFailureKinds.has(kind);
}

/** Outcome of one call, as the breaker sees it. */
export type BreakerOutcome =
  { success: true } | { success: false; kind: LlmErrorKind; retryAfterMs?: number };

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
  return {
    consecutive: 0,
    windowStart: 0,
    windowTotal: 0,
    windowFailures: 0,
    openUntil: 0,
    probeUntil: 0,
    rateLimitedUntil: 0,
  };
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
  const states = new LRUCache<string, BreakerState>({ max: options.maxTrackedProviders });
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
      if (state.rateLimitedUntil > now)
        return Promise.resolve({
          allowed: false,
          reason: 'rate_limit_headroom',
          until: state.rateLimitedUntil,
        });
      if (state.openUntil === 0) return Promise.resolve({ allowed: true, probe: false });
      if (now < state.openUntil)
        return Promise.resolve({ allowed: false, reason: 'breaker_open', until: state.openUntil });
      if (state.probeUntil > now)
        return Promise.resolve({ allowed: false, reason: 'breaker_half_open', until: state.probeUntil });
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
      const ratioTripped =
        state.windowTotal >= options.minimumRequests &&
        state.windowFailures / state.windowTotal >= options.failureRatio;
      if (state.consecutive >= options.failureThreshold || ratioTripped)
        until = Math.max(until, now + options.cooldownMs);
      if (outcome.kind === 'auth' || outcome.kind === 'not_found')
        until = Math.max(until, now + options.longCooldownMs);
      if (outcome.kind === 'rate_limit' && outcome.retryAfterMs)
        until = Math.max(until, now + outcome.retryAfterMs);
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
      return Promise.resolve(
        providers.map((provider) => toHealth(provider, states.get(provider) ?? emptyState(), now)),
      );
    },
  };
}

// Every script returns the provider's shared state as {openUntil, probeUntil, rateLimitedUntil} (after its change) and,
// when that state changed, publishes it as JSON on ARGV[1] so every process's mirror follows within a round trip.
const publishIfChanged = `
local function finish(before)
  local after = redis.call('HMGET', KEYS[1], 'openUntil', 'probeUntil', 'rateLimitedUntil')
  local state = {tonumber(after[1]) or 0, tonumber(after[2]) or 0, tonumber(after[3]) or 0}
  if state[1] ~= before[1] or state[2] ~= before[2] or state[3] ~= before[3] then
    redis.call('PUBLISH', ARGV[1], cjson.encode({provider = ARGV[2], openUntil = state[1], probeUntil = state[2], rateLimitedUntil = state[3]}))
  end
  return state
end
local raw = redis.call('HMGET', KEYS[1], 'openUntil', 'probeUntil', 'rateLimitedUntil')
local before = {tonumber(raw[1]) or 0, tonumber(raw[2]) or 0, tonumber(raw[3]) or 0}
`;

// The half-open probe slot, taken atomically so exactly one process probes. ARGV[3..4] = now, probeTimeoutMs.
const acquireProbeScript = `${publishIfChanged}
local now = tonumber(ARGV[3])
if before[3] <= now and before[1] > 0 and now >= before[1] and before[2] <= now then
  redis.call('HSET', KEYS[1], 'probeUntil', now + tonumber(ARGV[4]))
  return {1, finish(before)}
end
return {0, before}
`;

// ARGV[3..] = now, successes (flushed count), probeSuccess, failure kind ('' for none), retryAfterMs,
// threshold, ratio, minimum, windowMs, cooldownMs, longCooldownMs.
const recordScript = `${publishIfChanged}
local now = tonumber(ARGV[3])
local successes = tonumber(ARGV[4])
local probeSuccess = ARGV[5] == '1'
local kind = ARGV[6]
local retryAfter = tonumber(ARGV[7]) or 0
local threshold = tonumber(ARGV[8])
local ratio = tonumber(ARGV[9])
local minimum = tonumber(ARGV[10])
local windowMs = tonumber(ARGV[11])
local cooldown = tonumber(ARGV[12])
local longCooldown = tonumber(ARGV[13])
if successes == 0 and kind == '' and not probeSuccess then return before end
local f = redis.call('HMGET', KEYS[1], 'consecutive', 'windowStart', 'windowTotal', 'windowFailures')
local consecutive = tonumber(f[1]) or 0
local windowStart = tonumber(f[2]) or 0
local total = tonumber(f[3]) or 0
local failures = tonumber(f[4]) or 0
local openUntil = before[1]
local probeUntil = before[2]
if now - windowStart > windowMs then
  windowStart = now
  total = 0
  failures = 0
end
total = total + successes
if successes > 0 then consecutive = 0 end
local halfOpen = openUntil > 0 and now >= openUntil
if probeSuccess and halfOpen then
  openUntil = 0
  probeUntil = 0
  windowStart = now
  total = successes
  failures = 0
end
if kind ~= '' then
  total = total + 1
  consecutive = consecutive + 1
  failures = failures + 1
  local untilMs = 0
  if halfOpen then untilMs = now + cooldown end
  if consecutive >= threshold or (total >= minimum and failures / total >= ratio) then untilMs = math.max(untilMs, now + cooldown) end
  if kind == 'auth' or kind == 'not_found' then untilMs = math.max(untilMs, now + longCooldown) end
  if kind == 'rate_limit' and retryAfter > 0 then untilMs = math.max(untilMs, now + retryAfter) end
  if untilMs > openUntil then openUntil = untilMs end
  probeUntil = 0
end
redis.call('HSET', KEYS[1], 'consecutive', consecutive, 'windowStart', windowStart, 'windowTotal', total, 'windowFailures', failures, 'openUntil', openUntil, 'probeUntil', probeUntil)
local ttl = redis.call('PTTL', KEYS[1])
local needed = math.max(windowMs, openUntil - now, before[3] - now) + longCooldown
if ttl < needed then redis.call('PEXPIRE', KEYS[1], needed) end
return finish(before)
`;

// ARGV[3..4] = until, now.
const rateLimitScript = `${publishIfChanged}
local untilMs = tonumber(ARGV[3])
if untilMs > before[3] then redis.call('HSET', KEYS[1], 'rateLimitedUntil', untilMs) end
local ttl = redis.call('PTTL', KEYS[1])
local needed = untilMs - tonumber(ARGV[4])
if ttl < needed then redis.call('PEXPIRE', KEYS[1], needed) end
return finish(before)
`;

/** One provider's shared state as this process last saw it, plus what it has not written yet. */
interface MirrorEntry {
  openUntil: number;
  probeUntil: number;
  rateLimitedUntil: number;
  /** When the state was last read from Redis (0: never; acquire then waits for the first read). */
  syncedAt: number;
  syncing: Promise<void> | undefined;
  /** Pub/sub messages applied; a read that raced one is older than it and is dropped. */
  messages: number;
  /** Successes not yet counted in Redis: flushed with the next sync or failure. */
  pendingSuccesses: number;
  /** This process holds the half-open probe: its success closes the breaker for everyone. */
  probing: boolean;
}

type SharedState = [openUntil: number, probeUntil: number, rateLimitedUntil: number];

interface StateMessage {
  provider: string;
  openUntil: number;
  probeUntil: number;
  rateLimitedUntil: number;
}

interface Subscription {
  onMessage(payload: string): void;
  onReconnect(): void;
}

/** One subscriber connection per Redis client, shared by every store on it; it disconnects when that client ends. */
const subscribers = new WeakMap<Redis, { subscriber: Redis; channels: Map<string, Set<Subscription>> }>();

/** Resolves once messages flow, or once subscribing failed: state is advisory and the periodic read covers gaps. */
function subscribe(redis: Redis, channel: string, subscription: Subscription): Promise<void> {
  let shared = subscribers.get(redis);
  if (!shared) {
    const subscriber = redis.duplicate();
    const channels = new Map<string, Set<Subscription>>();
    subscriber.on('error', () => undefined);
    subscriber.on('message', (from: string, payload: string) => {
      for (const each of channels.get(from) ?? []) each.onMessage(payload);
    });
    let connectedBefore = false;
    subscriber.on('ready', () => {
      if (connectedBefore) for (const set of channels.values()) for (const each of set) each.onReconnect();
      connectedBefore = true;
    });
    redis.once('end', () => subscriber.disconnect());
    shared = { subscriber, channels };
    subscribers.set(redis, shared);
  }
  let set = shared.channels.get(channel);
  if (!set) {
    set = new Set();
    shared.channels.set(channel, set);
  }
  set.add(subscription);
  return shared.subscriber.subscribe(channel).then(
    () => undefined,
    () => undefined,
  );
}

/**
 * The breaker in Redis, shared by every replica, cheap on the hot path: each process keeps a mirror of every
 * provider's state (one hash per provider, `<keyPrefix>llm:health:{<provider>}`), kept current by pub/sub on
 * `<keyPrefix>llm:health` (every script that changes open/half-open/close/rate-limited publishes) and re-read every
 * `syncIntervalMs` as a safety net. A healthy call costs no Redis command: the gate is read from the mirror and
 * successes are counted locally, flushed with that periodic sync or the next failure (so a success in one
 * process resets the shared consecutive-failure count only when flushed). Failures, rate-limit marks and the
 * half-open probe (taken atomically: exactly one process probes) are written at once.
 * The subscriber is one duplicate of `redis` per client; it disconnects when `redis` ends (after `quit()`).
 */
export function createRedisHealthStore(
  redis: Redis,
  keyPrefix: string,
  breakerOptions: BreakerOptions = {},
): HealthStore {
  const options = resolveBreakerOptions(breakerOptions);
  const channel = `${keyPrefix}llm:health`;
  const keyOf = (provider: string) => `${keyPrefix}llm:health:{${provider}}`;
  // Forgetting an entry loses at most its unflushed success count; the shared state stays in Redis.
  const mirror = new LRUCache<string, MirrorEntry>({ max: options.maxTrackedProviders });

  const subscribed = subscribe(redis, channel, {
    onMessage(payload) {
      let message: StateMessage;
      try {
        message = JSON.parse(payload) as StateMessage;
      } catch {
        return;
      }
      const entry = mirror.get(message.provider);
      if (!entry) return;
      entry.openUntil = message.openUntil;
      entry.probeUntil = message.probeUntil;
      entry.rateLimitedUntil = message.rateLimitedUntil;
      entry.messages += 1;
    },
    // Messages may have been missed while the subscriber was away: read everything again.
    onReconnect() {
      for (const entry of mirror.values()) entry.syncedAt = 0;
    },
  });

  const entryOf = (provider: string): MirrorEntry => {
    let entry = mirror.get(provider);
    if (!entry) {
      entry = {
        openUntil: 0,
        probeUntil: 0,
        rateLimitedUntil: 0,
        syncedAt: 0,
        syncing: undefined,
        messages: 0,
        pendingSuccesses: 0,
        probing: false,
      };
      mirror.set(provider, entry);
    }
    return entry;
  };

  const apply = (entry: MirrorEntry, messagesBefore: number, state: SharedState) => {
    if (entry.messages !== messagesBefore) return;
    entry.openUntil = Number(state[0]);
    entry.probeUntil = Number(state[1]);
    entry.rateLimitedUntil = Number(state[2]);
  };

  const runRecord = async (
    provider: string,
    entry: MirrorEntry,
    probeSuccess: boolean,
    failure: { kind: LlmErrorKind; retryAfterMs?: number } | undefined,
  ) => {
    const successes = entry.pendingSuccesses;
    entry.pendingSuccesses = 0;
    const messagesBefore = entry.messages;
    try {
      const state = (await redis.eval(
        recordScript,
        1,
        keyOf(provider),
        channel,
        provider,
        Date.now(),
        successes,
        probeSuccess ? '1' : '0',
        failure?.kind ?? '',
        failure?.retryAfterMs ?? 0,
        options.failureThreshold,
        options.failureRatio,
        options.minimumRequests,
        options.windowMs,
        options.cooldownMs,
        options.longCooldownMs,
      )) as SharedState;
      apply(entry, messagesBefore, state);
    } catch (error) {
      entry.pendingSuccesses += successes;
      throw error;
    }
  };

  const sync = (provider: string, entry: MirrorEntry): Promise<void> => {
    entry.syncing ??= (async () => {
      try {
        await subscribed;
        await runRecord(provider, entry, false, undefined);
      } finally {
        entry.syncedAt = Date.now();
        entry.syncing = undefined;
      }
    })();
    return entry.syncing;
  };

  return {
    async acquire(provider) {
      const entry = entryOf(provider);
      const now = Date.now();
      if (entry.syncedAt === 0) await sync(provider, entry);
      else if (now - entry.syncedAt > options.syncIntervalMs) sync(provider, entry).catch(() => undefined);
      if (entry.rateLimitedUntil > now)
        return { allowed: false, reason: 'rate_limit_headroom', until: entry.rateLimitedUntil };
      if (entry.openUntil === 0) return { allowed: true, probe: false };
      if (now < entry.openUntil) return { allowed: false, reason: 'breaker_open', until: entry.openUntil };
      if (entry.probeUntil > now)
        return { allowed: false, reason: 'breaker_half_open', until: entry.probeUntil };
      // Half-open: off the healthy path, so the probe slot is worth a round trip to make it exactly one.
      const messagesBefore = entry.messages;
      const [taken, state] = (await redis.eval(
        acquireProbeScript,
        1,
        keyOf(provider),
        channel,
        provider,
        now,
        options.probeTimeoutMs,
      )) as [number, SharedState];
      apply(entry, messagesBefore, state);
      if (taken === 1) {
        entry.probing = true;
        return { allowed: true, probe: true };
      }
      const [openUntil, probeUntil, rateLimitedUntil] = state.map(Number) as SharedState;
      if (rateLimitedUntil > now)
        return { allowed: false, reason: 'rate_limit_headroom', until: rateLimitedUntil };
      if (openUntil === 0) return { allowed: true, probe: false };
      if (now < openUntil) return { allowed: false, reason: 'breaker_open', until: openUntil };
      return { allowed: false, reason: 'breaker_half_open', until: probeUntil };
    },
    async record(provider, outcome) {
      const entry = entryOf(provider);
      const probing = entry.probing;
      entry.probing = false;
      if (outcome.success) {
        entry.pendingSuccesses += 1;
        if (probing) await runRecord(provider, entry, true, undefined);
        return;
      }
      await runRecord(provider, entry, false, outcome);
    },
    async markRateLimited(provider, until) {
      const entry = entryOf(provider);
      if (entry.rateLimitedUntil >= until) return;
      const messagesBefore = entry.messages;
      const state = (await redis.eval(
        rateLimitScript,
        1,
        keyOf(provider),
        channel,
        provider,
        until,
        Date.now(),
      )) as SharedState;
      apply(entry, messagesBefore, state);
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
