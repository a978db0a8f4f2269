import {
  defaultProviderModels,
  providerNames,
  type ProviderName,
  type ProvidersConfig,
} from '@switchyard/config';
import { createProvider, type ChatProvider, type PooledFetch } from '@switchyard/llm';

function isProviderName(provider: string): provider is ProviderName {
  return (providerNames as readonly string[]).includes(provider);
}

/** The default model of a provider kind. */
export function defaultProviderModelFor(provider: string): string {
  return isProviderName(provider) ? defaultProviderModels[provider] : 'default';
}

/** A user's stored key, decrypted, as the provider factory needs it. */
export interface UserAgentCredentials {
  id: string;
  provider: string;
  apiKey: string;
  model: string | null;
  baseUrl: string | null;
}

/** A provider built from a user's own key, and the model it answers `auto` with. */
export interface UserProvider {
  provider: ChatProvider;
  model: string;
}

/**
 * Name of a user's own provider instance. Breaker and rate-limit state are keyed by provider name, so each
 * stored key gets its own: a revoked user key never opens the breaker of the server's key for that provider.
 * The whole agent id (a uuid), not a prefix: two users' keys sharing a prefix would share breaker and metric state.
 * Parsed as `<provider>:own-<agent id>` by `llm-recording.ts` (metric label, pricing).
 */
export function userProviderName(providerId: string, agentId: string): string {
  return `${providerId}:own-${agentId}`;
}

/**
 * Builds a provider from a user's own key. It talks to the user's `baseUrl`, else to the endpoint the server
 * is configured with for that provider (so a proxy or simulator set by the operator applies), else the vendor's.
 * `fetch` is a pool shared by every user provider, so caching thousands of them holds no sockets of their own.
 */
export function createUserProvider(
  config: ProvidersConfig,
  agent: UserAgentCredentials,
  fetch: PooledFetch,
): UserProvider {
  const id = agent.provider;
  // A stored key is for a remote provider; `local` has no key to store.
  if (id === 'local' || !isProviderName(id)) throw new Error(`unsupported provider ${agent.provider}`);
  const provider = createProvider(id, {
    name: userProviderName(id, agent.id),
    apiKey: agent.apiKey,
    baseUrl: agent.baseUrl ?? config.providers[id]?.baseUrl,
    timeouts: config.timeouts,
    fetch,
  });
  return { provider, model: agent.model ?? defaultProviderModelFor(id) };
}
