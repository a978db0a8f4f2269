import type { ProviderCallOptions, ProviderId, ProviderTimeouts } from '../chat-provider.js';

/**
 * What to embed: texts, or token-id arrays (one per input, in the model's own tokenizer) for providers whose
 * `supportsTokenInput` is true.
 */
export type EmbeddingInput = string[] | number[][];

/** One embeddings request, provider-neutral (the OpenAI fields every adapter can honour). */
export interface EmbeddingRequest {
  input: EmbeddingInput;
  /** Length of each vector, for models that can shorten theirs (OpenAI `dimensions`, Gemini `outputDimensionality`, Cohere `output_dimension`). */
  dimensions?: number;
  /** The end user, passed to providers that take it (OpenAI `user`). */
  user?: string;
  /**
   * Fields of the caller's request this interface does not name, passed on as they are by OpenAI-wire adapters;
   * Cohere reads its `input_type` here.
   */
  extra?: Record<string, unknown>;
}

/** Tokens an embeddings call read; `estimated` when the provider reported none and our tokenizer counted them. */
export interface EmbeddingUsage {
  prompt_tokens: number;
  total_tokens: number;
  estimated?: boolean;
}

/** The vectors of one call, in input order, and what it cost. */
export interface EmbeddingResult {
  embeddings: number[][];
  /** The model that answered, as the provider names it. */
  model: string;
  usage: EmbeddingUsage;
}

/**
 * One provider's embeddings API behind its SDK or wire format. Adapters throw only `LlmError` (classified with the
 * same status->kind mapping as chat); they never retry, fall over or log: the embedding client does.
 */
export interface EmbeddingProvider {
  readonly id: ProviderId;
  /** Same name as the provider's chat adapter, so both share its breaker and rate-limit state. */
  readonly name: string;
  /** True when `input` may be token-id arrays (the OpenAI wire format); false when only texts are accepted. */
  readonly supportsTokenInput: boolean;
  readonly timeouts?: ProviderTimeouts;
  embed(request: EmbeddingRequest, options: ProviderCallOptions): Promise<EmbeddingResult>;
}
