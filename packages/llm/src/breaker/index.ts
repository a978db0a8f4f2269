export { breakerEvidence, type BreakerEvidence } from './breaker-evidence.js';
export { decideGate, type GateState } from './gate.js';
export { createMemoryHealthStore } from './memory-store.js';
export { resolveBreakerOptions, type BreakerOptions, type ResolvedBreakerOptions } from './options.js';
export { createRedisHealthStore } from './redis-store.js';
export type { BreakerOutcome, Gate, HealthStore, ProviderHealth } from './types.js';
