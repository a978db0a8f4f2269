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

/**
 * Outcome of one call, as the breaker sees it. `model` is the model the call asked for: a success also closes
 * that model's half-open breaker; a failure with `scope: 'model'` counts against that model only (the provider
 * served the call, the model is missing), any other failure against the whole provider. A `slow` failure is weak
 * evidence (a hedge overtook the call before it sent a token): it counts toward the failure ratio only, never toward
 * the consecutive count, so a provider that is slow now and then keeps its breaker closed while a hung one opens it.
 */
export type BreakerOutcome = { model?: string } & (
  | { success: true }
  | {
      success: false;
      kind: LlmErrorKind;
      retryAfterMs?: number;
      scope?: 'provider' | 'model';
      slow?: boolean;
    }
);

/**
 * Where breaker and rate-limit state lives: process memory, or Redis to share it across replicas. Each provider
 * has a breaker, and each model of a provider that failed on its own (e.g. a model the vendor does not serve) too.
 */
export interface HealthStore {
  /**
   * Whether a call may go to `provider` now (for `model`: that model's breaker is asked first). A free half-open
   * probe slot is taken: the call must then report through `record` or `release`.
   */
  acquire(provider: string, model?: string): Promise<Gate>;
  record(provider: string, outcome: BreakerOutcome): Promise<void>;
  /** A call that carried no evidence (raised before sending, the caller's own error): frees its probe slot. */
  release(provider: string, model?: string): Promise<void>;
  /**
   * Resolves once the half-open probe of `provider` (or of its `model`) may have reported: when it reports in this
   * process, when another process publishes a change, after a short poll, or after `timeoutMs` / on `signal`.
   * The caller then asks `acquire` again.
   */
  waitForProbe(
    provider: string,
    model: string | undefined,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<void>;
  /** The provider reported zero headroom until `until` (epoch ms). */
  markRateLimited(provider: string, until: number): Promise<void>;
  health(providers: string[]): Promise<ProviderHealth[]>;
}
