import { defaultProviderModels, providerNames, type ProviderName, type ProvidersConfig } from '@switchyard/config';
import { createProvidersFromConfig as createConfiguredProviders, type ChatProvider } from '@switchyard/llm';

/** The default model of a provider kind. */
export function defaultProviderModelFor(provider: string): string {
  return (providerNames as readonly string[]).includes(provider) ? defaultProviderModels[provider as ProviderName] : 'default';
}

/** Builds one provider from a user's own key, reusing the llm package's config-driven factory. */
export function createUserProvider(base: ProvidersConfig, provider: string, apiKey: string, baseUrl: string | undefined): ChatProvider & { close(): Promise<void> } {
  const name = provider as ProviderName;
  const config: ProvidersConfig = {
    ...base,
    providers: { ...Object.fromEntries(Object.entries(base.providers).map(([key, settings]) => [key, { ...settings, apiKey: undefined }])), [name]: { apiKey, baseUrl, model: defaultProviderModelFor(name) } } as ProvidersConfig['providers'],
    fallbackOrder: [name],
  };
  const configured = createConfiguredProviders(config);
  const built = configured.providers.find((candidate) => candidate.id === name);
  if (!built) throw new Error(`provider ${provider} could not be built`);
  return Object.assign(Object.create(built) as ChatProvider, { close: () => configured.close() });
}
