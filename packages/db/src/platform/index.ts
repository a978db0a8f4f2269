export * from './users.js';
export * from './billing.js';
export * from './providers.js';
export * from './monitoring.js';
export * from './onboarding.js';
export * from './performance.js';
