import type { ChatProvider, ProviderId } from '../chat-provider.js';
import { createAnthropicProvider } from './anthropic/index.js';
import { createCohereProvider } from './cohere/index.js';
import { createGeminiProvider } from './gemini/index.js';
import { createGroqProvider } from './groq/index.js';
import { createLocalProvider } from './local/index.js';
import { createOpenAICompatibleProvider } from './openai-compatible/index.js';
import { createOpenAIProvider } from './openai/index.js';
import type { ProviderOptions } from './shared/index.js';

export type { ProviderOptions } from './shared/index.js';

/**
 * Builds the adapter of a provider id: the only place that maps an id to its factory. `local` needs no key;
 * `openai-compatible` without a `baseUrl` throws rather than guess where to send the key.
 */
export function createProvider(id: 'local', options?: Pick<ProviderOptions, 'name'>): ChatProvider;
export function createProvider(id: ProviderId, options: ProviderOptions): ChatProvider;
export function createProvider(id: ProviderId, options: Partial<ProviderOptions> = {}): ChatProvider {
  if (id === 'local') return createLocalProvider({ name: options.name });
  const { apiKey, baseUrl } = options;
  if (!apiKey) throw new Error(`a ${id} provider needs an apiKey`);
  const remote = { ...options, apiKey };
  switch (id) {
    case 'openai':
      return createOpenAIProvider(remote);
    case 'groq':
      return createGroqProvider(remote);
    case 'gemini':
      return createGeminiProvider(remote);
    case 'anthropic':
      return createAnthropicProvider(remote);
    case 'cohere':
      return createCohereProvider(remote);
    case 'openai-compatible':
      if (!baseUrl) throw new Error('an openai-compatible provider needs a baseUrl');
      return createOpenAICompatibleProvider({ ...remote, baseUrl });
  }
}
