import type { ProviderName, ProvidersConfig } from '@switchyard/config';
import type { ChatProvider } from './chat-provider.js';
import type { ChainEntry } from './client.js';
import { createAnthropicProvider } from './providers/anthropic/index.js';
import { createCohereProvider } from './providers/cohere/index.js';
import { createGeminiProvider } from './providers/gemini/index.js';
import { createGroqProvider } from './providers/groq/index.js';
import { createLocalProvider } from './providers/local/index.js';
import { createOpenAICompatibleProvider } from './providers/openai-compatible/index.js';
import { createOpenAIProvider } from './providers/openai/index.js';
import { createPooledFetch, type PooledFetch } from './transport.js';

/** Providers built from configuration, the default chain, and `close()` for their connection pools. */
export interface ConfiguredProviders {
  providers: ChatProvider[];
  defaultChain: ChainEntry[];
  /** Closes every provider's connection pool (call on shutdown). */
  close(): Promise<void>;
}

/**
 * Builds every provider that has an API key (plus `local`), each with its own keep-alive pool, and the
 * default chain from `fallbackOrder`. With no remote provider configured the chain is `local`, so a
 * development setup answers (visibly labelled) instead of failing.
 */
export function createProvidersFromConfig(config: ProvidersConfig): ConfiguredProviders {
  const pools: PooledFetch[] = [];
  const providers: ChatProvider[] = [];
  const build = (name: ProviderName, apiKey: string, baseUrl: string | undefined): ChatProvider => {
    const fetch = createPooledFetch({
      connections: config.maxConnectionsPerProvider,
      timeouts: config.timeouts,
    });
    pools.push(fetch);
    const common = { apiKey, baseUrl, timeouts: config.timeouts, fetch };
    switch (name) {
      case 'openai':
        return createOpenAIProvider(common);
      case 'groq':
        return createGroqProvider(common);
      case 'gemini':
        return createGeminiProvider(common);
      case 'anthropic':
        return createAnthropicProvider(common);
      case 'cohere':
        return createCohereProvider(common);
      case 'openai-compatible':
        return createOpenAICompatibleProvider({ ...common, baseUrl: baseUrl ?? 'http://127.0.0.1:8080/v1' });
      case 'local':
        return createLocalProvider();
    }
  };
  for (const [name, settings] of Object.entries(config.providers) as Array<
    [ProviderName, ProvidersConfig['providers'][ProviderName]]
  >) {
    if (name === 'local') {
      providers.push(createLocalProvider());
      continue;
    }
    if (!settings.apiKey) continue;
    providers.push(build(name, settings.apiKey, settings.baseUrl));
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
