import type { Gate } from './types.js';

/** The part of a provider's state that decides whether a call may go to it (epoch ms; 0 for none). */
export interface GateState {
  /** Until when the breaker rejects calls; 0 while it is closed, in the past once it is half-open. */
  openUntil: number;
  /** Until when the half-open probe slot is taken. */
  probeUntil: number;
  /** Until when the provider's rate-limit headers said it has no headroom. */
  rateLimitedUntil: number;
}

/**
 * The gate rule, the only copy in TypeScript: rate-limit headroom first, then closed, then open, then the
 * half-open probe slot. `{ allowed: true, probe: true }` says the slot is free: the caller must take it (in Redis:
 * atomically, `acquire-probe.lua`, which checks the same conditions) before letting the call through.
 */
export function decideGate(state: GateState, now: number): Gate {
  if (state.rateLimitedUntil > now)
    return { allowed: false, reason: 'rate_limit_headroom', until: state.rateLimitedUntil };
  if (state.openUntil === 0) return { allowed: true, probe: false };
  if (now < state.openUntil) return { allowed: false, reason: 'breaker_open', until: state.openUntil };
  if (state.probeUntil > now) return { allowed: false, reason: 'breaker_half_open', until: state.probeUntil };
  return { allowed: true, probe: true };
}
