/** The fallback client's public contract: what `createLlmClient` (client.ts) takes, reports and returns. */
import type { Redis } from 'ioredis';
import type { BreakerOptions, ProviderHealth } from './breaker/index.js';
import type { RetryOptions } from './chain-policy.js';
import type { ChatProvider, ProviderTimeouts } from './chat-provider.js';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, ChatUsage } from './chat-types.js';
import type { AttemptRecord } from './errors.js';

/** One step of a fallback chain: a provider (by name) and the model to ask it for. */
export interface ChainEntry {
  provider: string;
  model: string;
}

/** The API a request came through, as usage rows name it (`chat.completions`, `responses`, `embeddings`, ...). */
export type LlmEndpoint = string;

/** Context shared by every hook event of one request. */
export interface HookContext {
  requestId?: string;
  userId?: string;
  /** The caller's API, passed through for its usage rows; absent means `chat.completions`. */
  endpoint?: LlmEndpoint;
  stream: boolean;
}

/** Reported after every attempt (every skipped provider and every cancelled hedge too). */
export type AttemptEvent = AttemptRecord & HookContext;

/** Reported when the client leaves one provider for the next. */
export interface FallbackEvent extends HookContext {
  from: ChainEntry;
  to: ChainEntry;
  /** The error kind (or skip reason) that made the client move on. */
  reason: string;
  /** True when content had already reached the caller (a streaming continuation). */
  afterFirstToken: boolean;
}

/** Reported once per provider that produced (part of) an answer. */
export interface UsageEvent extends HookContext {
  provider: string;
  model: string;
  usage: ChatUsage;
}

/** How the apps observe the client; the library itself never logs. A throwing hook is ignored. */
export interface LlmClientHooks {
  onAttempt?: (event: AttemptEvent) => void;
  onFallback?: (event: FallbackEvent) => void;
  onUsage?: (event: UsageEvent) => void;
}

/** Options of `createLlmClient`. */
export interface LlmClientOptions {
  providers: ChatProvider[];
  /** The chain used when a call does not pass its own. */
  defaultChain: ChainEntry[];
  /** Overall deadline of one request (every retry and fallback included), in ms. */
  deadlineMs: number;
  breaker?: BreakerOptions;
  /** Shares breaker and rate-limit state across processes; without it, state is per process. */
  redis?: Redis;
  /** Prefix of the Redis keys (default `switchyard:`). */
  keyPrefix?: string;
  hooks?: LlmClientHooks;
  /** Continue a cut stream on the next provider (default true). */
  continuation?: boolean;
  /**
   * Timeouts of providers that do not carry their own (defaults: connect 5 s, first token 10 s, idle 15 s, total
   * 45 s). Each attempt is also held to its share of the request deadline (README, "Deadline").
   */
  timeouts?: Partial<ProviderTimeouts>;
  retry?: RetryOptions;
  /**
   * A content-policy refusal (`content_filter`) is answered by the next provider (default true). When no provider
   * answers, the request ends with that refusal (an `LlmError` of kind `content_filter`), never
   * `AllProvidersFailedError`. False: the refusal is returned at once.
   */
  fallbackOnRefusal?: boolean;
  /**
   * Hedged first token for streams: when a stream's first content token has not arrived after this many ms (`auto`:
   * the provider's observed p95 time to first token, within [250 ms, first-token timeout / 2]), the next admitted
   * provider starts in parallel and whichever sends a first token first is streamed; the other is aborted.
   * Unset: off unless a call asks for it (`LlmCallOptions.hedge`, then `auto`).
   */
  hedgeAfterMs?: number | 'auto';
}

/** Per-call options. */
export interface LlmCallOptions {
  /** Cancels the call (e.g. the HTTP client went away). */
  signal?: AbortSignal;
  /** Overrides the default chain (per user or per request). */
  chain?: ChainEntry[];
  /**
   * Providers for this call only (e.g. built from a user's own key), found by `name` before the client's own.
   * Breaker and rate-limit state are keyed by that name, so a failing user key never trips a shared provider.
   */
  providers?: readonly ChatProvider[];
  /** Overrides the client's deadline for this call. */
  deadlineMs?: number;
  requestId?: string;
  userId?: string;
  /** Passed to every hook event of the call (`HookContext.endpoint`). */
  endpoint?: LlmEndpoint;
  /** Hedge this stream's first token (true), never (false), or as the client is configured (undefined). */
  hedge?: boolean;
  /**
   * The model the caller named (not `auto`). A `not_found` for a chain entry asking for it is the caller's mistake:
   * it ends the request and never counts against a breaker. A `not_found` for any other entry (a fallback on the
   * server's own default model) is the server's: it opens that model's own breaker, never the provider's.
   */
  pinnedModel?: string;
  /**
   * When a provider is half-open and another call holds its probe, wait (within this provider's share of the
   * deadline) for the probe's outcome instead of skipping the provider: in process the probe is awaited, across
   * processes the gate is re-read on a published change or a short poll.
   */
  waitForProbe?: boolean;
}

/** A non-streamed answer and how it was obtained. */
export interface ChatResult {
  completion: ChatCompletion;
  provider: string;
  model: string;
  attempts: AttemptRecord[];
  /** True when the answer did not come from the first entry of the chain. */
  usedFallback: boolean;
}

/** How a finished stream was produced. */
export interface StreamOutcome {
  /** The provider/model that wrote the end of the answer. */
  provider: string;
  model: string;
  attempts: AttemptRecord[];
  /** Every provider that wrote part of the answer, in order; more than one after a continuation. */
  contributors: ChainEntry[];
  /** Sum over contributors; `estimated` when any part was counted with the tokenizer. */
  usage: ChatUsage;
  usedFallback: boolean;
}

/**
 * A streamed answer: iterate it for OpenAI chunks (the last one carries `usage` and `x_gateway`).
 * Iteration throws `LlmError` (`bad_request`, `content_filter`) or `AllProvidersFailedError` before any content, and
 * `StreamInterruptedError` after content when the answer could not be completed.
 * `outcome` settles when iteration ends; it rejects with the same error (it never causes an unhandled rejection).
 */
export interface ChatStream extends AsyncIterable<ChatCompletionChunk> {
  readonly outcome: Promise<StreamOutcome>;
}

/** The fallback client. */
export interface LlmClient {
  chat(request: ChatRequest, options?: LlmCallOptions): Promise<ChatResult>;
  chatStream(request: ChatRequest, options?: LlmCallOptions): ChatStream;
  /** Breaker and rate-limit state of every configured provider, for a health endpoint. */
  providerHealth(): Promise<ProviderHealth[]>;
}
