import { LRUCache } from 'lru-cache';
import { emptyState, toProviderHealth, type BreakerState } from './breaker-state.js';
import { decideGate, type GateState } from './gate.js';
import { resolveBreakerOptions, type BreakerOptions } from './options.js';
import { modelTarget, ProbeWaiters } from './probe-waiters.js';
import type { BreakerOutcome, Gate, HealthStore } from './types.js';

/** A provider with no state yet: closed. Read without being stored, so unknown providers cost no memory. */
const neverSeen: GateState = { openUntil: 0, probeUntil: 0, rateLimitedUntil: 0 };

const admitted: Gate = { allowed: true, probe: false };

/**
 * The breaker in process memory: for one replica, tests and the bench. Its `record` is the TypeScript twin of
 * `record.lua`; `test/breaker/breaker-parity.integration.test.ts` runs the same scenarios against both stores.
 * A provider's models that failed on their own have their own state, keyed by `modelTarget`.
 */
export function createMemoryHealthStore(breakerOptions: BreakerOptions = {}): HealthStore {
  const options = resolveBreakerOptions(breakerOptions);
  const states = new LRUCache<string, BreakerState>({ max: options.maxTrackedProviders });
  const waiters = new ProbeWaiters();
  const stateOf = (target: string) => {
    let state = states.get(target);
    if (!state) {
      state = emptyState();
      states.set(target, state);
    }
    return state;
  };

  /** The state machine of one target: the twin of record.lua. */
  const recordOn = (
    target: string,
    failure: { kind: string; retryAfterMs?: number; slow?: boolean } | undefined,
  ) => {
    const now = Date.now();
    const state = stateOf(target);
    if (now - state.windowStart > options.windowMs) {
      state.windowStart = now;
      state.windowTotal = 0;
      state.windowFailures = 0;
    }
    state.windowTotal += 1;
    const halfOpen = state.openUntil > 0 && now >= state.openUntil;
    state.probeUntil = 0;
    waiters.wake(target);
    if (!failure) {
      state.consecutive = 0;
      if (halfOpen) {
        state.openUntil = 0;
        state.windowStart = now;
        state.windowTotal = 1;
        state.windowFailures = 0;
      }
      return;
    }
    if (!failure.slow) state.consecutive += 1;
    state.windowFailures += 1;
    let until = halfOpen ? now + options.cooldownMs : 0;
    const ratioTripped =
      state.windowTotal >= options.minimumRequests &&
      state.windowFailures / state.windowTotal >= options.failureRatio;
    if (state.consecutive >= options.failureThreshold || ratioTripped)
      until = Math.max(until, now + options.cooldownMs);
    if (failure.kind === 'auth' || failure.kind === 'not_found')
      until = Math.max(until, now + options.longCooldownMs);
    if (failure.kind === 'rate_limit' && failure.retryAfterMs)
      until = Math.max(until, now + failure.retryAfterMs);
    if (until > state.openUntil) state.openUntil = until;
  };

  /** Frees a target's probe slot without counting anything (the call that held it proved nothing). */
  const releaseOn = (target: string) => {
    const state = states.get(target);
    if (state && state.probeUntil > Date.now()) state.probeUntil = 0;
    waiters.wake(target);
  };

  return {
    acquire(provider, model) {
      const now = Date.now();
      const modelState = model === undefined ? undefined : states.get(modelTarget(provider, model));
      const modelGate = modelState ? decideGate(modelState, now) : admitted;
      if (!modelGate.allowed) return Promise.resolve(modelGate);
      const state = states.get(provider);
      const gate = decideGate(state ?? neverSeen, now);
      if (!gate.allowed) return Promise.resolve(gate);
      if (gate.probe && state) state.probeUntil = now + options.probeTimeoutMs;
      if (modelGate.probe && modelState) modelState.probeUntil = now + options.probeTimeoutMs;
      return Promise.resolve(gate.probe || modelGate.probe ? { allowed: true, probe: true } : admitted);
    },
    record(provider, outcome: BreakerOutcome) {
      const model = outcome.model === undefined ? undefined : modelTarget(provider, outcome.model);
      if (outcome.success) {
        recordOn(provider, undefined);
        if (model !== undefined) recordOn(model, undefined);
      } else if (outcome.scope === 'model' && model !== undefined) {
        recordOn(model, outcome);
        releaseOn(provider);
      } else {
        recordOn(provider, outcome);
        if (model !== undefined) releaseOn(model);
      }
      return Promise.resolve();
    },
    release(provider, model) {
      releaseOn(provider);
      if (model !== undefined) releaseOn(modelTarget(provider, model));
      return Promise.resolve();
    },
    waitForProbe(provider, model, timeoutMs, signal) {
      const targets = model === undefined ? [provider] : [provider, modelTarget(provider, model)];
      return waiters.wait(targets, timeoutMs, signal);
    },
    markRateLimited(provider, until) {
      const state = stateOf(provider);
      state.rateLimitedUntil = Math.max(state.rateLimitedUntil, until);
      return Promise.resolve();
    },
    health(providers) {
      const now = Date.now();
      return Promise.resolve(
        providers.map((provider) => toProviderHealth(provider, states.get(provider) ?? emptyState(), now)),
      );
    },
  };
}
