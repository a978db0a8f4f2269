import type { ChainEntry, ChatProvider } from '@switchyard/llm';
import type { ServedModels } from './served-models.js';

/**
 * The configured providers the gateway may route to, and the default chain over them. In production `local`
 * answers only when LLM_FALLBACK_ORDER names it; in development it stands in for missing keys.
 */
export function selectProviders(
  configured: { providers: readonly ChatProvider[]; defaultChain: readonly ChainEntry[] },
  options: {
    isProduction: boolean;
    fallbackOrder: readonly string[];
    /** What each server key serves, for the listed models. */
    served: Pick<ServedModels, 'shown'>;
  },
) {
  const localAllowed = !options.isProduction || options.fallbackOrder.includes('local');
  const providers = configured.providers.filter((provider) => provider.id !== 'local' || localAllowed);
  const defaultChain = configured.defaultChain.filter((entry) =>
    providers.some((provider) => provider.name === entry.provider),
  );
  const usingLocalFallback =
    defaultChain.length > 0 && defaultChain.every((entry) => entry.provider === 'local');
  const routable = defaultChain.map((entry) => {
    const id = providers.find((candidate) => candidate.name === entry.provider)?.id ?? entry.provider;
    const models = options.served.shown(entry.provider, entry.model);
    return { name: entry.provider, id, defaultModel: entry.model, models };
  });
  return { providers, defaultChain, usingLocalFallback, routable };
}

/** The providers and chain the gateway routes over. */
export type SelectedProviders = ReturnType<typeof selectProviders>;
