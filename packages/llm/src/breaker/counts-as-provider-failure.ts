import type { LlmErrorKind } from '../errors.js';

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
