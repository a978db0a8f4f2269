import {
  defaultProviderModels,
  providerNames,
  type ProviderName,
  type ProvidersConfig,
} from '@switchyard/config';
import {
  createAnthropicProvider,
  createCohereProvider,
  createGeminiProvider,
  createGroqProvider,
  createOpenAICompatibleProvider,
  createOpenAIProvider,
  type ChatProvider,
} from '@switchyard/llm';

/** The default model of a provider kind. */
export function defaultProviderModelFor(provider: string): string {
  return (providerNames as readonly string[]).includes(provider)
    ? defaultProviderModels[provider as ProviderName]
    : 'default';
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
 */
export function userProviderName(providerId: string, agentId: string): string {
  return `${providerId}:own-${agentId.slice(0, 8)}`;
}

/**
 * Builds a provider from a user's own key. It talks to the user's `baseUrl`, else to the endpoint the server
 * is configured with for that provider (so a proxy or simulator set by the operator applies), else the vendor's.
 * `fetch` is a pool shared by every user provider, so caching thousands of them holds no sockets of their own.
 */
export function createUserProvider(
  config: ProvidersConfig,
  agent: UserAgentCredentials,
  fetch: typeof globalThis.fetch,
): UserProvider {
  const id = agent.provider as ProviderName;
  const common = {
    name: userProviderName(id, agent.id),
    apiKey: agent.apiKey,
    baseUrl: agent.baseUrl ?? config.providers[id]?.baseUrl,
    timeouts: config.timeouts,
    fetch,
  };
  const model = agent.model ?? defaultProviderModelFor(id);
  switch (id) {
    case 'openai':
      return { provider: createOpenAIProvider(common), model };
    case 'groq':
      return { provider: createGroqProvider(common), model };
    case 'gemini':
      return { provider: createGeminiProvider(common), model };
    case 'anthropic':
      return { provider: createAnthropicProvider(common), model };
    case 'cohere':
      return { provider: createCohereProvider(common), model };
    case 'openai-compatible':
      if (!common.baseUrl) throw new Error('an openai-compatible key needs a baseUrl');
      return { provider: createOpenAICompatibleProvider({ ...common, baseUrl: common.baseUrl }), model };
    default:
      throw new Error(`unsupported provider ${agent.provider}`);
  }
}
