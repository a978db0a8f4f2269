import type { ProviderId } from './chat-provider.js';

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

const retryableKinds: ReadonlySet<LlmErrorKind> = new Set(['rate_limit', 'overloaded', 'server', 'timeout', 'network']);

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

  constructor(message: string, options: LlmErrorOptions) {
    super(message, { cause: options.cause });
    this.name = 'LlmError';
    this.kind = options.kind;
    this.provider = options.provider;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.retryable = isRetryableKind(options.kind);
  }
}

/** One try of one provider, as reported to hooks and carried by `AllProvidersFailedError`. */
export interface AttemptRecord {
  provider: string;
  model: string;
  /** 1-based across the whole request. */
  attempt: number;
  durationMs: number;
  outcome: 'success' | 'error' | 'skipped';
  errorKind?: LlmErrorKind;
  status?: number;
  /** Why a provider was skipped without a call (breaker open, rate limit at zero, smaller context window). */
  skipReason?: string;
}

/** Every provider in the chain failed or was skipped; `attempts` lists each try in order. */
export class AllProvidersFailedError extends Error {
  constructor(readonly attempts: AttemptRecord[]) {
    const tried = attempts
      .map((attempt) => `${attempt.provider}: ${attempt.errorKind ?? attempt.skipReason ?? attempt.outcome}${attempt.status ? ` (${attempt.status})` : ''}`)
      .join('; ');
    super(`All providers failed to answer. ${tried}`);
    this.name = 'AllProvidersFailedError';
  }
}
