export type {
  ChatProvider,
  ProviderCallOptions,
  ProviderId,
  ProviderTimeouts,
  RateLimitSnapshot,
} from './chat-provider.js';
export type * from './chat-types.js';
export {
  AllProvidersFailedError,
  LlmError,
  StreamInterruptedError,
  isRetryableKind,
  type AttemptRecord,
  type LlmErrorKind,
  type LlmErrorOptions,
} from './errors.js';
export {
  createLlmClient,
  type AttemptEvent,
  type ChainEntry,
  type ChatResult,
  type ChatStream,
  type FallbackEvent,
  type HookContext,
  type LlmEndpoint,
  type LlmCallOptions,
  type LlmClient,
  type LlmClientHooks,
  type LlmClientOptions,
  type RetryOptions,
  type StreamOutcome,
  type UsageEvent,
} from './client.js';
export type { BreakerOptions, ProviderHealth } from './breaker/index.js';
export { createProvidersFromConfig, type ConfiguredProviders } from './providers-from-config.js';
export { createProvider, type ProviderOptions } from './providers/create-provider.js';
export { createPooledFetch, type PooledFetch, type PooledFetchOptions } from './transport.js';
export { createLocalProvider, localFingerprint, localModel } from './providers/local/index.js';
export { createOpenAIProvider } from './providers/openai/index.js';
export { createGroqProvider } from './providers/groq/index.js';
export {
  createOpenAICompatibleProvider,
  type OpenAICompatibleProviderOptions,
} from './providers/openai-compatible/index.js';
export { resolveModel, type ResolvedModel } from './resolve-model.js';
export { estimateTokens } from './tokens.js';
export { createAnthropicProvider } from './providers/anthropic/index.js';
export { createCohereProvider } from './providers/cohere/index.js';
export { createGeminiProvider } from './providers/gemini/index.js';
export { parseDurationMs, readRateLimitHeaders, readRetryAfterMs } from './providers/shared/index.js';
export * from './embeddings/index.js';
