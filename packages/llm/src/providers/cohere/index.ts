export { createCohereProvider, type CohereProviderOptions } from './cohere-chat-provider.js';
export { createCohereEmbeddingProvider } from './cohere-embedding-provider.js';
