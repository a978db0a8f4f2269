/** Every provider the LLM client can route to. `local` is the deterministic built-in provider. */
export const providerNames = [
  'gemini',
  'openai',
  'anthropic',
  'groq',
  'cohere',
  'openai-compatible',
  'local',
] as const;
export type ProviderName = (typeof providerNames)[number];

/** Model used for a provider when `<P>_MODEL` is not set. */
export const defaultProviderModels: Record<ProviderName, string> = {
  gemini: 'gemini-2.5-flash',
  openai: 'gpt-4o-mini',
  anthropic: 'claude-haiku-4-5',
  groq: 'llama-3.3-70b-versatile',
  cohere: 'command-a-03-2025',
  'openai-compatible': 'default',
  local: 'local-echo-1',
};

/**
 * The known catalog: model ids each provider serves, used for `<P>_MODELS` when it is not set. `undefined`
 * means no catalog (an OpenAI-compatible server serves whatever it was started with), so pinned models are
 * not restricted until `OPENAI_COMPATIBLE_MODELS` lists them.
 * The LLM client also resolves bare model ids (`llama-3.1-8b-instant`) to their provider with it. Prices are not
 * here: they are data, in `api_provider_pricing` (@switchyard/spend reads them).
 */
export const providerModelCatalog: Readonly<Record<ProviderName, readonly string[] | undefined>> = {
  gemini: ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.0-flash'],
  openai: ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano'],
  anthropic: ['claude-haiku-4-5', 'claude-sonnet-4-5', 'claude-opus-4-1'],
  groq: ['llama-3.3-70b-versatile', 'llama-3.1-8b-instant'],
  cohere: ['command-a-03-2025', 'command-r-plus-08-2024', 'command-r-08-2024'],
  'openai-compatible': undefined,
  local: ['local-echo-1'],
};

/** The providers with an embeddings API; only these read `<P>_EMBEDDING_MODELS`. */
export const embeddingProviderNames = ['openai', 'gemini', 'cohere', 'openai-compatible'] as const;
export type EmbeddingProviderName = (typeof embeddingProviderNames)[number];

/**
 * Embedding models each provider's key serves when `<P>_EMBEDDING_MODELS` is not set. An OpenAI-compatible server
 * serves none until it declares them: its vectors are only interchangeable with a vendor's when it runs that model.
 * Each has a price row seeded in `api_provider_pricing` (platform migration `seed_embedding_prices`); spend's
 * `embedding-prices.integration.test.ts` fails when one lacks it.
 */
export const embeddingModelCatalog: Readonly<Record<EmbeddingProviderName, readonly string[]>> = {
  openai: ['text-embedding-3-small', 'text-embedding-3-large', 'text-embedding-ada-002'],
  gemini: ['text-embedding-004', 'gemini-embedding-001'],
  cohere: ['embed-v4.0', 'embed-english-v3.0', 'embed-multilingual-v3.0'],
  'openai-compatible': [],
};
