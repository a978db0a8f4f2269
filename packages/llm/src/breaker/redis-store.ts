import { createInvalidatedCache } from '@switchyard/cache';
import type { Redis } from 'ioredis';
import type { LlmErrorKind } from '../errors.js';
import { emptyState, toProviderHealth } from './breaker-state.js';
import { decideGate, type GateState } from './gate.js';
import { resolveBreakerOptions, type BreakerOptions } from './options.js';
import { breakerScripts, type SharedState } from './scripts.js';
import { sharedSubscriber } from './shared-subscriber.js';
import { modelTarget, ProbeWaiters } from './probe-waiters.js';
import type { Gate, HealthStore } from './types.js';

/** One breaker target's shared state (a provider, or one of its models) as this process last saw it, plus what it has not written yet. */
interface MirrorEntry extends GateState {
  /** The target's name, as the scripts publish it: the provider, or `modelTarget(provider, model)`. */
  target: string;
  /** Its Redis hash. */
  key: string;
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

/** How often a call waiting for another process's probe re-reads the gate when no change was published. */
const probePollMs = 100;

const admitted: Gate = { allowed: true, probe: false };

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
 * provider's state (one hash per provider, `<keyPrefix>llm:health:{<provider>}`, and one per model a call asked
 * for, `...{<provider>}:model:<model>`, in the provider's hash slot), kept current by pub/sub on
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
  const waiters = new ProbeWaiters();
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
      waiters.wake(message.provider);
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

  const entryOf = (provider: string, model?: string): MirrorEntry => {
    const target = model === undefined ? provider : modelTarget(provider, model);
    let entry = mirror.get(target);
    if (!entry) {
      entry = {
        target,
        key: `${keyPrefix}llm:health:{${provider}}${model === undefined ? '' : `:model:${model}`}`,
        openUntil: 0,
        probeUntil: 0,
        rateLimitedUntil: 0,
        syncedAt: 0,
        syncing: undefined,
        messages: 0,
        pendingSuccesses: 0,
        probing: false,
      };
      mirror.set(target, entry);
    }
    return entry;
  };

  const apply = (entry: MirrorEntry, messagesBefore: number, state: SharedState) => {
    if (entry.messages !== messagesBefore) return;
    Object.assign(entry, toGateState(state));
  };

  const runRecord = async (
    entry: MirrorEntry,
    probeSuccess: boolean,
    failure: { kind: LlmErrorKind; retryAfterMs?: number; slow?: boolean } | undefined,
  ) => {
    const successes = entry.pendingSuccesses;
    entry.pendingSuccesses = 0;
    const messagesBefore = entry.messages;
    try {
      const state = (await scripts.record(
        entry.key,
        channel,
        entry.target,
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
        failure?.slow ? '1' : '0',
      )) as SharedState;
      apply(entry, messagesBefore, state);
    } catch (error) {
      entry.pendingSuccesses += successes;
      throw error;
    } finally {
      if (probeSuccess || failure) waiters.wake(entry.target);
    }
  };

  /** Frees the probe slot this process holds on `entry`, counting nothing. */
  const runRelease = async (entry: MirrorEntry) => {
    if (!entry.probing) return;
    entry.probing = false;
    const messagesBefore = entry.messages;
    try {
      const state = (await scripts.releaseProbe(entry.key, channel, entry.target, Date.now())) as SharedState;
      apply(entry, messagesBefore, state);
    } finally {
      waiters.wake(entry.target);
    }
  };

  const sync = (entry: MirrorEntry): Promise<void> => {
    entry.syncing ??= (async () => {
      try {
        await subscribed;
        await runRecord(entry, false, undefined);
      } finally {
        entry.syncedAt = Date.now();
        entry.syncing = undefined;
      }
    })();
    return entry.syncing;
  };

  /** The entry's gate from the mirror, read from Redis first if it never was (and in the background when stale). */
  const readGate = async (entry: MirrorEntry): Promise<Gate> => {
    if (entry.syncedAt === 0) await sync(entry);
    else if (Date.now() - entry.syncedAt > options.syncIntervalMs) sync(entry).catch(() => undefined);
    return decideGate(entry, Date.now());
  };

  /** The entry's gate; a free probe slot is taken atomically (exactly one process probes). */
  const acquireOn = async (entry: MirrorEntry): Promise<Gate> => {
    const gate = await readGate(entry);
    if (!(gate.allowed && gate.probe)) return gate;
    // Half-open: off the healthy path, so the probe slot is worth a round trip to make it exactly one.
    const now = Date.now();
    const messagesBefore = entry.messages;
    const [taken, state] = (await scripts.acquireProbe(
      entry.key,
      channel,
      entry.target,
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
  };

  return {
    async acquire(provider, model) {
      const modelEntry = model === undefined ? undefined : entryOf(provider, model);
      const modelGate = modelEntry ? await readGate(modelEntry) : admitted;
      if (!modelGate.allowed) return modelGate;
      const entry = entryOf(provider);
      const gate = await acquireOn(entry);
      if (!gate.allowed || !modelGate.probe || !modelEntry) return gate;
      const modelProbe = await acquireOn(modelEntry);
      if (modelProbe.allowed) return modelProbe;
      // Another process took the model's probe first: this call goes nowhere, so it gives back the provider's.
      await runRelease(entry);
      return modelProbe;
    },
    async record(provider, outcome) {
      const entry = entryOf(provider);
      const modelEntry = outcome.model === undefined ? undefined : entryOf(provider, outcome.model);
      const probing = entry.probing;
      const modelProbing = modelEntry?.probing ?? false;
      if (outcome.success) {
        entry.probing = false;
        entry.pendingSuccesses += 1;
        if (modelEntry) {
          modelEntry.probing = false;
          modelEntry.pendingSuccesses += 1;
        }
        await Promise.all([
          probing ? runRecord(entry, true, undefined) : undefined,
          modelEntry && modelProbing ? runRecord(modelEntry, true, undefined) : undefined,
        ]);
        return;
      }
      if (outcome.scope === 'model' && modelEntry) {
        modelEntry.probing = false;
        await Promise.all([runRecord(modelEntry, false, outcome), runRelease(entry)]);
        return;
      }
      entry.probing = false;
      await Promise.all([runRecord(entry, false, outcome), modelEntry ? runRelease(modelEntry) : undefined]);
    },
    async release(provider, model) {
      await Promise.all([
        runRelease(entryOf(provider)),
        model === undefined ? undefined : runRelease(entryOf(provider, model)),
      ]);
    },
    async waitForProbe(provider, model, timeoutMs, signal) {
      const entries =
        model === undefined ? [entryOf(provider)] : [entryOf(provider), entryOf(provider, model)];
      // This process's own probe wakes its waiters when it reports; another process's shows as a published change,
      // and a short poll re-reads Redis in case that message was lost.
      const local = entries.some((entry) => entry.probing);
      const waitMs = local ? timeoutMs : Math.min(timeoutMs, probePollMs);
      await waiters.wait(
        entries.map((entry) => entry.target),
        waitMs,
        signal,
      );
      if (!local && !signal?.aborted)
        await Promise.all(entries.map((entry) => sync(entry))).catch(() => undefined);
    },
    async markRateLimited(provider, until) {
      const entry = entryOf(provider);
      if (entry.rateLimitedUntil >= until) return;
      const messagesBefore = entry.messages;
      const state = (await scripts.markRateLimited(
        entry.key,
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
      for (const provider of providers) pipeline.hgetall(entryOf(provider).key);
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
