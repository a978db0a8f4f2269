import type { LlmError, LlmErrorKind } from '../errors.js';

/**
 * What one call tells the breakers: the provider works (`success`), the provider fails (`provider_failure`), the
 * model the call asked for fails while the provider served it (`model_failure`), or nothing at all (`none`).
 */
export type BreakerEvidence = 'success' | 'provider_failure' | 'model_failure' | 'none';

/** Failures only the provider's side explains: its servers, its network, its capacity, the server's own key. */
const providerSideKinds: ReadonlySet<LlmErrorKind> = new Set([
  'rate_limit',
  'overloaded',
  'server',
  'timeout',
  'network',
  'auth',
]);

/**
 * The one rule of what counts against a breaker: only provider-side evidence opens a provider's breaker; a model
 * the provider does not serve opens that model's breaker, unless the caller named it (`pinnedModel`: the caller's
 * mistake); anything the caller caused (a bad or oversized request, a refused prompt, a feature the provider
 * lacks) and anything raised before a byte was sent counts for nothing, neither for nor against the provider.
 */
export function breakerEvidence(
  error: Pick<LlmError, 'kind' | 'beforeSend'> | undefined,
  pinnedModel: boolean,
): BreakerEvidence {
  if (!error) return 'success';
  if (error.beforeSend) return 'none';
  if (providerSideKinds.has(error.kind)) return 'provider_failure';
  if (error.kind === 'not_found') return pinnedModel ? 'none' : 'model_failure';
  return 'none';
}
