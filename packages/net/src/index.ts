export {
  assertPublicAddress,
  BlockedDestinationError,
  createGuardedLookup,
  createHostAllowlist,
  forbiddenRange,
  isIpLiteral,
  isPublicAddress,
  normalizeHostname,
  systemResolver,
  type GuardedLookup,
  type GuardedLookupOptions,
  type HostResolver,
} from './address-guard.js';
