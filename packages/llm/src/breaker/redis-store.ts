import { createInvalidatedCache } from '@switchyard/cache';
import type { Redis } from 'ioredis';
import type { LlmErrorKind } from '../errors.js';
import { emptyState, toProviderHealth } from './breaker-state.js';
import { decideGate, type GateState } from './gate.js';
import { resolveBreakerOptions, type BreakerOptions } from './options.js';
import { breakerScripts, type SharedState } from './scripts.js';
import { sharedSubscriber } from './shared-subscriber.js';
import type { HealthStore } from './types.js';

/** One provider's shared state as this process last saw it, plus what it has not written yet. */
interface MirrorEntry extends GateState {
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

/** What the scripts publish (`shared-state.lua`). */
interface StateMessage extends GateState {
  provider: string;
}

const toGateState = (state: SharedState): GateState => ({
  openUntil: Number(state[0]),
  probeUntil: Number(state[1]),
  rateLimitedUntil: Number(state[2]),
});

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
  const scripts = breakerScripts(redis);
  const channel = `${keyPrefix}llm:health`;
  const keyOf = (provider: string) => `${keyPrefix}llm:health:{${provider}}`;
  // Forgetting an entry loses at most its unflushed success count; the shared state stays in Redis.
  const cache = createInvalidatedCache<MirrorEntry>({
    redis,
    subscriber: sharedSubscriber(redis),
    channel,
    max: options.maxTrackedProviders,
    applyMessage(payload, entries) {
      let message: StateMessage;
      try {
        message = JSON.parse(payload) as StateMessage;
      } catch {
        return;
      }
      const entry = entries.get(message.provider);
      if (!entry) return;
      entry.openUntil = message.openUntil;
      entry.probeUntil = message.probeUntil;
      entry.rateLimitedUntil = message.rateLimitedUntil;
      entry.messages += 1;
    },
    // Messages may have been missed while the subscriber was away: read everything again. (On the first connect
    // no entry has been read yet, so this changes nothing.)
    onReconnect(entries) {
      for (const entry of entries.values()) entry.syncedAt = 0;
    },
  });
  const mirror = cache.entries;
  // Resolves once messages flow, or once subscribing failed: state is advisory and the periodic read covers gaps.
  const subscribed = cache.subscribed.catch(() => undefined);

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
    Object.assign(entry, toGateState(state));
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
      const state = (await scripts.record(
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
      const gate = decideGate(entry, now);
      if (!(gate.allowed && gate.probe)) return gate;
      // Half-open: off the healthy path, so the probe slot is worth a round trip to make it exactly one.
      const messagesBefore = entry.messages;
      const [taken, state] = (await scripts.acquireProbe(
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
      const shared = toGateState(state);
      const after = decideGate(shared, now);
      // The script refused the slot, so the gate cannot allow a probe unless the two disagree: then stay shut.
      return after.allowed && after.probe
        ? { allowed: false, reason: 'breaker_half_open', until: shared.probeUntil }
        : after;
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
      const state = (await scripts.markRateLimited(
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
        return toProviderHealth(provider, state, now);
      });
    },
  };
}
