import { LRUCache } from 'lru-cache';
import { emptyState, toProviderHealth, type BreakerState } from './breaker-state.js';
import { decideGate, type GateState } from './gate.js';
import { resolveBreakerOptions, type BreakerOptions } from './options.js';
import type { HealthStore } from './types.js';

/** A provider with no state yet: closed. Read without being stored, so unknown providers cost no memory. */
const neverSeen: GateState = { openUntil: 0, probeUntil: 0, rateLimitedUntil: 0 };

/**
 * The breaker in process memory: for one replica, tests and the bench. Its `record` is the TypeScript twin of
 * `record.lua`; `test/breaker/breaker-parity.integration.test.ts` runs the same scenarios against both stores.
 */
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
      const gate = decideGate(state ?? neverSeen, now);
      if (gate.allowed && gate.probe && state) state.probeUntil = now + options.probeTimeoutMs;
      return Promise.resolve(gate);
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
        providers.map((provider) => toProviderHealth(provider, states.get(provider) ?? emptyState(), now)),
      );
    },
  };
}
