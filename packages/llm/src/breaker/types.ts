import type { LlmErrorKind } from '../errors.js';

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
