import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from './chat-types.js';

/** Provider identifiers; `local` is the deterministic built-in provider. */
export type ProviderId =
  'gemini' | 'openai' | 'anthropic' | 'groq' | 'cohere' | 'openai-compatible' | 'local';

/** Timeouts of one provider call, in milliseconds. */
export interface ProviderTimeouts {
  /** TCP+TLS connect. */
  connectMs: number;
  /** From sending the request to the first content token of a stream (a non-streamed call is bounded by `totalMs`). */
  firstTokenMs: number;
  /** Longest silence between two stream chunks. */
  idleMs: number;
  /** Whole call, first byte to last. */
  totalMs: number;
}

/** What a provider's rate-limit headers said about its remaining headroom. */
export interface RateLimitSnapshot {
  remainingRequests?: number;
  remainingTokens?: number;
  /** Epoch ms when the exhausted budget (if any) refills. */
  resetAt?: number;
}

/** Per-call options every adapter honours. */
export interface ProviderCallOptions {
  /** The provider-native model id to call. */
  model: string;
  /** Aborts the HTTP call (client disconnect, deadline, idle timeout). */
  signal: AbortSignal;
  /** Reported as soon as response headers arrive (also for errors), for proactive rate limiting. */
  onRateLimit?: (snapshot: RateLimitSnapshot) => void;
}

/**
 * One LLM provider behind its SDK or wire format. Adapters convert OpenAI-shaped requests to the provider's
 * format and back, and throw only `LlmError` (classified). They never retry, fall over or log: the client does.
 */
export interface ChatProvider {
  readonly id: ProviderId;
  /** Distinguishes two instances of one provider (e.g. a user's own key); defaults to `id`. */
  readonly name: string;
  /**
   * True when a trailing assistant message is treated as a prefill the model continues
   * (Anthropic, Gemini); false when it would be read as a finished turn (OpenAI-compatible, Cohere).
   */
  readonly supportsPrefill: boolean;
  /** The provider's own timeouts; when absent the client's defaults apply. The client enforces them per attempt. */
  readonly timeouts?: ProviderTimeouts;
  /** Context window of a model in tokens, when known; used to pick a fallback for `context_length`. */
  contextWindow(model: string): number | undefined;
  chat(request: ChatRequest, options: ProviderCallOptions): Promise<ChatCompletion>;
  /** Yields OpenAI chunks; the last one carries `usage` (estimated when the provider gives none). */
  chatStream(request: ChatRequest, options: ProviderCallOptions): AsyncIterable<ChatCompletionChunk>;
}
