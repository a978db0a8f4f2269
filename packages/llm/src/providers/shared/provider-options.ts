import type { ProviderTimeouts } from '../../chat-provider.js';
import type { PooledFetch } from '../../transport.js';

/** Options of `createProvider`: what every remote adapter's factory accepts. */
export interface ProviderOptions {
  /** Instance name, e.g. for a user's own key (breaker and rate-limit state are kept per name); defaults to the id. */
  name?: string;
  apiKey: string;
  /** The vendor's endpoint when omitted; required for `openai-compatible`, which has no vendor endpoint. */
  baseUrl?: string;
  /** Reported to the client, which enforces them per attempt. */
  timeouts?: ProviderTimeouts;
  /**
   * Pooled keep-alive fetch from `createPooledFetch`; defaults to the global fetch. The OpenAI-wire adapters
   * (OpenAI, Groq, OpenAI-compatible) send on its `dispatcher` directly and refuse a fetch without one, so a
   * guarded pool (users' own base URLs) can never be bypassed by passing the wrong kind.
   */
  fetch?: typeof globalThis.fetch | PooledFetch;
}
