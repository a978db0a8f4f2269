import type { EmbeddingProvider } from '../../embeddings/embedding-provider.js';
import { createOpenAICompatibleEmbeddingProvider } from '../openai-compatible/openai-compatible-embedding-provider.js';
import type { OpenAIProviderOptions } from './index.js';

/** OpenAI embeddings (`text-embedding-3-*`) through the `openai` SDK. */
export function createOpenAIEmbeddingProvider(options: OpenAIProviderOptions): EmbeddingProvider {
  return createOpenAICompatibleEmbeddingProvider({
    ...options,
    id: 'openai',
    baseUrl: options.baseUrl ?? 'https://api.openai.com/v1',
  });
}
