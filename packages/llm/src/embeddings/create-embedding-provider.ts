import type { ProviderId } from '../chat-provider.js';
import { createCohereEmbeddingProvider } from '../providers/cohere/index.js';
import { createGeminiEmbeddingProvider } from '../providers/gemini/index.js';
import { createOpenAICompatibleEmbeddingProvider } from '../providers/openai-compatible/index.js';
import { createOpenAIEmbeddingProvider } from '../providers/openai/index.js';
import type { ProviderOptions } from '../providers/shared/index.js';
import type { EmbeddingProvider } from './embedding-provider.js';

/** Provider ids with an embeddings API. */
export type EmbeddingProviderId = Extract<ProviderId, 'openai' | 'gemini' | 'cohere' | 'openai-compatible'>;

/** Whether a provider id has an embeddings adapter. */
export function hasEmbeddings(id: ProviderId): id is EmbeddingProviderId {
  return id === 'openai' || id === 'gemini' || id === 'cohere' || id === 'openai-compatible';
}

/**
 * Builds the embeddings adapter of a provider id: the only place that maps an id to its embeddings factory.
 * `openai-compatible` without a `baseUrl` throws rather than guess where to send the key.
 */
export function createEmbeddingProvider(
  id: EmbeddingProviderId,
  options: ProviderOptions,
): EmbeddingProvider {
  switch (id) {
    case 'openai':
      return createOpenAIEmbeddingProvider(options);
    case 'gemini':
      return createGeminiEmbeddingProvider(options);
    case 'cohere':
      return createCohereEmbeddingProvider(options);
    case 'openai-compatible':
      if (!options.baseUrl) throw new Error('an openai-compatible provider needs a baseUrl');
      return createOpenAICompatibleEmbeddingProvider({ ...options, baseUrl: options.baseUrl });
  }
}
