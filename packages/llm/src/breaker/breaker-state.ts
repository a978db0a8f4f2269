import type { ProviderHealth } from './types.js';

/** One provider's full breaker state, as the memory store keeps it and the Redis hash stores it. */
export interface BreakerState {
  consecutive: number;
  windowStart: number;
  windowTotal: number;
  windowFailures: number;
  openUntil: number;
  probeUntil: number;
  rateLimitedUntil: number;
}

/** The state of a provider never seen: closed, no failures. */
export function emptyState(): BreakerState {
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

/** The health report of one provider's state at `now`. */
export function toProviderHealth(provider: string, state: BreakerState, now: number): ProviderHealth {
  const health: ProviderHealth = {
    provider,
    state: state.openUntil === 0 ? 'closed' : now < state.openUntil ? 'open' : 'half_open',
    consecutiveFailures: state.consecutive,
  };
  if (state.openUntil > now) health.openUntil = state.openUntil;
  if (state.rateLimitedUntil > now) health.rateLimitedUntil = state.rateLimitedUntil;
  return health;
}
