import type { ProviderName, ProvidersConfig } from '@switchyard/config';
import type { ChatProvider } from './chat-provider.js';
import type { ChainEntry } from './client.js';
import { createProvider } from './providers/create-provider.js';
import { createPooledFetch, type PooledFetch } from './transport.js';

/** Providers built from configuration, the default chain, and `close()` for their connection pools. */
export interface ConfiguredProviders {
  providers: ChatProvider[];
  defaultChain: ChainEntry[];
  /** Closes every provider's connection pool (call on shutdown). */
  close(): Promise<void>;
}

/** Where a configured `openai-compatible` key is sent without `OPENAI_COMPATIBLE_BASE_URL`: a local server. */
export const defaultOpenAICompatibleBaseUrl = 'http://127.0.0.1:8080/v1';

/**
 * Builds every provider that has an API key (plus `local`), each with its own keep-alive pool, and the
 * default chain from `fallbackOrder`. With no remote provider configured the chain is `local`, so a
 * development setup answers (visibly labelled) instead of failing.
 */
export function createProvidersFromConfig(config: ProvidersConfig): ConfiguredProviders {
  const pools: PooledFetch[] = [];
  const providers: ChatProvider[] = [];
  for (const [name, settings] of Object.entries(config.providers) as Array<
    [ProviderName, ProvidersConfig['providers'][ProviderName]]
  >) {
    if (name === 'local') {
      providers.push(createProvider('local'));
      continue;
    }
    if (!settings.apiKey) continue;
    const fetch = createPooledFetch({
      connections: config.maxConnectionsPerProvider,
      timeouts: config.timeouts,
    });
    pools.push(fetch);
    const baseUrl =
      name === 'openai-compatible' ? (settings.baseUrl ?? defaultOpenAICompatibleBaseUrl) : settings.baseUrl;
    providers.push(
      createProvider(name, { apiKey: settings.apiKey, baseUrl, timeouts: config.timeouts, fetch }),
    );
  }
  const defaultChain: ChainEntry[] = config.fallbackOrder
    .filter((name) => providers.some((provider) => provider.name === name))
    .map((name) => ({ provider: name, model: config.providers[name].model }));
  const hasRemote = defaultChain.some((entry) => entry.provider !== 'local');
  return {
    providers,
    defaultChain: hasRemote ? defaultChain : [{ provider: 'local', model: config.providers.local.model }],
    close: async () => {
      await Promise.all(pools.map((pool) => pool.close()));
    },
  };
}
