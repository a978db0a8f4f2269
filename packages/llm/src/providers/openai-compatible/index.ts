export {
  createOpenAICompatibleProvider,
  type OpenAICompatibleProviderOptions,
} from './openai-compatible-chat-provider.js';
export { toOpenAICompatibleError } from './openai-compatible-error.js';
export {
  createOpenAICompatibleEmbeddingProvider,
  type OpenAICompatibleEmbeddingProviderOptions,
} from './openai-compatible-embedding-provider.js';
