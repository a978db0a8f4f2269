import { providerNames, type ProviderName, type ProvidersConfig } from '@switchyard/config';
import { defaultOpenAICompatibleBaseUrl } from '../providers-from-config.js';
import { createPooledFetch, type PooledFetch } from '../transport.js';
import type { EmbeddingDeployment } from './embedding-chain.js';
import type { EmbeddingProvider } from './embedding-provider.js';
import { createEmbeddingProvider, hasEmbeddings } from './create-embedding-provider.js';

/** Embedding providers built from configuration, the models each serves, and `close()` for their pools. */
export interface ConfiguredEmbeddingProviders {
  providers: EmbeddingProvider[];
  /** In `LLM_FALLBACK_ORDER`, then the other providers: the order a model's deployments are tried in. */
  deployments: EmbeddingDeployment[];
  /** Closes every provider's connection pool (call on shutdown). */
  close(): Promise<void>;
}

/**
 * Builds the embeddings adapter of every provider that has a key and serves at least one embedding model
 * (`<P>_EMBEDDING_MODELS`), each with its own keep-alive pool. Named like the provider's chat adapter, so both
 * share its breaker.
 */
export function createEmbeddingProvidersFromConfig(config: ProvidersConfig): ConfiguredEmbeddingProviders {
  const pools: PooledFetch[] = [];
  const providers: EmbeddingProvider[] = [];
  const deployments: EmbeddingDeployment[] = [];
  const order: ProviderName[] = [...new Set([...config.fallbackOrder, ...providerNames])];
  for (const name of order) {
    const settings = config.providers[name];
    if (!hasEmbeddings(name) || !settings.apiKey || settings.embeddingModels.length === 0) continue;
    const fetch = createPooledFetch({
      connections: config.maxConnectionsPerProvider,
      timeouts: config.timeouts,
    });
    pools.push(fetch);
    const baseUrl =
      name === 'openai-compatible' ? (settings.baseUrl ?? defaultOpenAICompatibleBaseUrl) : settings.baseUrl;
    providers.push(
      createEmbeddingProvider(name, { apiKey: settings.apiKey, baseUrl, timeouts: config.timeouts, fetch }),
    );
    deployments.push({ name, id: name, models: settings.embeddingModels });
  }
  return {
    providers,
    deployments,
    close: async () => {
      await Promise.all(pools.map((pool) => pool.close()));
    },
  };
}
