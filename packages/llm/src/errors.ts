import type { ChatUsage } from './chat-types.js';
/** How a provider failure is classified; the fallback policy acts on this, never on message text. */
export type LlmErrorKind =
  | 'rate_limit'
  | 'overloaded'
  | 'server'
  | 'timeout'
  | 'network'
  | 'auth'
  | 'bad_request'
  | 'context_length'
  | 'content_filter'
  | 'not_found'
  | 'unsupported_feature';

const retryableKinds: ReadonlySet<LlmErrorKind> = new Set([
  'rate_limit',
  'overloaded',
  'server',
  'timeout',
  'network',
]);

/** True for transient kinds worth retrying on the same provider. */
export function isRetryableKind(kind: LlmErrorKind): boolean {
  return retryableKinds.has(kind);
}

export interface LlmErrorOptions {
  kind: LlmErrorKind;
  provider: string;
  /** HTTP status from the provider, when there was a response. */
  status?: number;
  /** How long the provider asked us to wait, from retry-after / retry-after-ms / x-ratelimit-reset-* / RetryInfo. */
  retryAfterMs?: number;
  /** Underlying SDK or network error; kept for debugging, never shown to users. */
  cause?: unknown;
  /**
   * Raised before any byte of the request was sent (a field that cannot be serialized, a request the adapter
   * refuses up front): no evidence about the provider, so it never moves a breaker.
   */
  beforeSend?: boolean;
  /** The request field the error is about (`param` of the OpenAI error envelope), when one is known. */
  param?: string;
}

/**
 * A classified provider failure. `message` is safe to show a user: it never contains
 * the provider's raw body, a key, or a stack.
 */
export class LlmError extends Error {
  readonly kind: LlmErrorKind;
  readonly provider: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly retryable: boolean;
  readonly beforeSend: boolean;
  readonly param: string | undefined;

  constructor(message: string, options: LlmErrorOptions) {
    super(message, { cause: options.cause });
    this.name = 'LlmError';
    this.kind = options.kind;
    this.provider = options.provider;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.retryable = isRetryableKind(options.kind);
    this.beforeSend = options.beforeSend ?? false;
    this.param = options.param;
  }
}

/** One try of one provider, as reported to hooks and carried by `AllProvidersFailedError`. */
export interface AttemptRecord {
  provider: string;
  model: string;
  /** 1-based across the whole request. */
  attempt: number;
  durationMs: number;
  /** `cancelled`: a hedged attempt stopped by the client because the other one sent its first token first. */
  outcome: 'success' | 'error' | 'skipped' | 'cancelled';
  errorKind?: LlmErrorKind;
  status?: number;
  /** Why a provider was skipped without a call (breaker open, rate limit at zero, smaller context window). */
  skipReason?: string;
  /** True when this attempt continued a partial streamed answer (streaming contract, rule 2). */
  continuation?: boolean;
  /** True when this attempt was started as a hedge, in parallel with a slow one (README, "Hedged first token"). */
  hedged?: boolean;
  /** What a `cancelled` attempt still cost: the upstream read the prompt (estimated, nothing came back). */
  usage?: ChatUsage;
}

/** Every provider in the chain failed or was skipped; `attempts` lists each try in order. */
export class AllProvidersFailedError extends Error {
  constructor(readonly attempts: AttemptRecord[]) {
    const tried = attempts
      .map(
        (attempt) =>
          `${attempt.provider}: ${attempt.errorKind ?? attempt.skipReason ?? attempt.outcome}${attempt.status ? ` (${attempt.status})` : ''}`,
      )
      .join('; ');
    super(`All providers failed to answer. ${tried}`);
    this.name = 'AllProvidersFailedError';
  }
}

/**
 * A stream failed after content reached the caller and could not be continued on another provider
 * (continuation disabled, a tool call in flight, or every fallback failed). The caller must end the
 * stream with an error event and no `[DONE]`: the answer is truncated.
 */
export class StreamInterruptedError extends Error {
  constructor(
    readonly attempts: AttemptRecord[],
    /** The failure that cut the stream (the last one when continuations also failed). */
    readonly lastError: LlmError,
  ) {
    super(
      `The answer stream was interrupted and could not be completed (${lastError.provider}: ${lastError.kind}).`,
      { cause: lastError },
    );
    this.name = 'StreamInterruptedError';
  }
}
