export type {
  EmbeddingInput,
  EmbeddingProvider,
  EmbeddingRequest,
  EmbeddingResult,
  EmbeddingUsage,
} from './embedding-provider.js';
export { planEmbeddingChain, type EmbeddingDeployment } from './embedding-chain.js';
export {
  createEmbeddingClient,
  type EmbeddingAnswer,
  type EmbeddingCallOptions,
  type EmbeddingClient,
  type EmbeddingClientOptions,
} from './embedding-client.js';
export {
  createEmbeddingProvider,
  hasEmbeddings,
  type EmbeddingProviderId,
} from './create-embedding-provider.js';
export {
  createEmbeddingProvidersFromConfig,
  type ConfiguredEmbeddingProviders,
} from './embedding-providers-from-config.js';
