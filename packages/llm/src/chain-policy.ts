import type { Gate } from './breaker/index.js';
import type { ChatProvider } from './chat-provider.js';
import { isRetryableKind, type LlmErrorKind } from './errors.js';

/** Same-provider retry policy for transient failures. */
export interface RetryOptions {
  /** Retries per provider per request (default 1). */
  maxRetries?: number;
  /** First backoff step in ms (default 100), doubled per retry, with jitter. */
  baseDelayMs?: number;
  /** Cap of one backoff step (default 2,000). */
  maxDelayMs?: number;
  /** When the provider asks for a longer wait than this and another provider is left, fall over instead (default 1,000). */
  maxRetryWaitMs?: number;
  /**
   * A 5xx, overload or reset is retried on the same provider only when it came back within this long (default
   * 2,000): a slow failure says the provider is struggling, and a retry would spend the time the next one needs.
   */
  fastFailureMs?: number;
}

/** `RetryOptions` with every default filled in. */
export type RetryPolicy = Required<RetryOptions>;

/** Retry settings with defaults filled in. */
export function resolveRetryPolicy(options: RetryOptions = {}): RetryPolicy {
  return {
    maxRetries: options.maxRetries ?? 1,
    baseDelayMs: options.baseDelayMs ?? 100,
    maxDelayMs: options.maxDelayMs ?? 2_000,
    maxRetryWaitMs: options.maxRetryWaitMs ?? 1_000,
    fastFailureMs: options.fastFailureMs ?? 2_000,
  };
}

/**
 * The wait before retry number `retry + 1` of one provider: `baseDelayMs` doubled per retry and capped at
 * `maxDelayMs`, drawn from the step's upper half so callers that failed together do not retry together, and never
 * shorter than the provider asked for.
 */
export function backoff(
  retry: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  const jittered = step / 2 + random() * (step / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/**
 * What the chain walk does after a failed attempt: `retry` the same provider after `waitMs`, `fall_over` to the
 * next chain entry, `stop` and end the request with this failure, or `finish` the answer as the provider ended it
 * (a refusal in the middle of a stream: `finish_reason: content_filter`, as OpenAI does).
 */
export type ChainDecision =
  { action: 'retry'; waitMs: number } | { action: 'fall_over' } | { action: 'stop' } | { action: 'finish' };

/** What `decide` weighs about a failed attempt. */
export interface FailedAttempt {
  kind: LlmErrorKind;
  /** How long the provider asked us to wait, if it did. */
  retryAfterMs: number | undefined;
  /** Retries of this provider already made in this request (0 after its first attempt). */
  retry: number;
  /** Whether a later chain entry is left to fall over to. */
  hasNext: boolean;
  /** Time left before the request deadline, in ms. */
  remainingMs: number;
  /** Whether part of the answer already reached the caller (a stream past its first token). */
  answerStarted: boolean;
  /** Whether another provider may continue that answer (continuation on, no tool call in flight). */
  continuable: boolean;
  /** How long the failed attempt took, in ms. */
  durationMs: number;
  /** Whether a content-policy refusal may be answered by the next provider (`LlmClientOptions.fallbackOnRefusal`). */
  fallbackOnRefusal: boolean;
  /** Whether the caller named the model (`LlmCallOptions.pinnedModel`): a `not_found` is then the caller's. */
  pinnedModel: boolean;
}

// Shared because `decide` runs once per failed attempt and these carry no data.
const fallOver: ChainDecision = { action: 'fall_over' };
const stop: ChainDecision = { action: 'stop' };
const finish: ChainDecision = { action: 'finish' };

/**
 * Whether a failure ends the whole request before any content: a request the provider rejected as invalid (another
 * would too), a model the caller named that the provider does not serve (another provider would answer with a
 * model the caller did not ask for), or a content-policy refusal when the deployment does not let the next
 * provider answer it.
 */
export function endsRequest(
  kind: LlmErrorKind,
  rules: Pick<FailedAttempt, 'fallbackOnRefusal' | 'pinnedModel'>,
): boolean {
  if (kind === 'bad_request') return true;
  if (kind === 'not_found') return rules.pinnedModel;
  return kind === 'content_filter' && !rules.fallbackOnRefusal;
}

/**
 * Retry the same provider, fall over to the next one, stop, or finish: the fallback policy of the README, in one
 * place. Time is the budget: a timeout moves on at once (the breaker counts it), and only a fast 5xx or a short
 * wait asked by a 429 is worth another try of the same provider.
 */
export function decide(
  failure: FailedAttempt,
  policy: RetryPolicy,
  random: () => number = Math.random,
): ChainDecision {
  // Streaming contract, rules 2 and 3: content the caller already has cannot be sent again, so the answer can only
  // be continued elsewhere or ended. A continuation the provider refuses (e.g. a rejected prefill) is not the
  // caller's fault: move on too. A refusal mid-answer ends it as refused, never continued elsewhere.
  if (failure.answerStarted) {
    if (failure.kind === 'content_filter') return finish;
    return failure.continuable ? fallOver : stop;
  }
  if (endsRequest(failure.kind, failure)) return stop;
  if (!isRetryableKind(failure.kind) || failure.retry >= policy.maxRetries) return fallOver;
  if (failure.kind === 'timeout') return fallOver;
  if (failure.kind !== 'rate_limit' && failure.durationMs > policy.fastFailureMs) return fallOver;
  const waitMs = backoff(failure.retry, failure.retryAfterMs, policy, random);
  if (waitMs >= failure.remainingMs) return fallOver;
  // A long wait is only worth it when no other provider is left to answer sooner.
  if (failure.hasNext && waitMs > policy.maxRetryWaitMs) return fallOver;
  return { action: 'retry', waitMs };
}

/** Why a chain entry was skipped without a call. */
export type SkipReason =
  'provider_not_configured' | 'context_window_too_small' | Extract<Gate, { allowed: false }>['reason'];

/** Whether to call a chain entry's provider now, or skip it (and why). */
export type Admission = { admitted: true } | { admitted: false; skipReason: SkipReason };

const admitted: Admission = { admitted: true };

/**
 * The checks made before a provider's gate is asked (asking may take its half-open probe slot): the provider must
 * be configured and, once a `context_length` failure set `minimumWindow`, its model's known window must be larger.
 */
export function screen(
  provider: Pick<ChatProvider, 'contextWindow'> | undefined,
  model: string,
  minimumWindow: number | undefined,
): Admission {
  if (!provider) return { admitted: false, skipReason: 'provider_not_configured' };
  if (minimumWindow !== undefined && (provider.contextWindow(model) ?? 0) <= minimumWindow)
    return { admitted: false, skipReason: 'context_window_too_small' };
  return admitted;
}

/** What the gate (breaker, rate-limit headroom) allows: call the provider, or skip it for the gate's reason. */
export function admit(gate: Gate): Admission {
  return gate.allowed ? admitted : { admitted: false, skipReason: gate.reason };
}

/** The window every later chain entry must exceed once a model of `contextWindow` tokens overflowed. */
export function raiseMinimumWindow(
  minimumWindow: number | undefined,
  contextWindow: number | undefined,
): number {
  return Math.max(minimumWindow ?? 0, contextWindow ?? 0);
}

/**
 * The time one attempt may take (`limitMs`: the provider's first-token timeout for a stream, its total for a JSON
 * answer), capped at an equal share of what remains of the deadline among the `providersLeft` chain entries still
 * to try, this one included: no attempt eats the time a fallback needs, and the last one gets all that remains.
 */
export function attemptBudget(remainingMs: number, providersLeft: number, limitMs: number): number {
  return Math.max(0, Math.min(limitMs, remainingMs / Math.max(1, providersLeft)));
}

/** Bounds of `hedgeAfterMs: 'auto'`: never sooner than this (a hedge per jitter doubles load for nothing). */
export const minimumAutoHedgeMs = 250;

/** `hedgeAfterMs: 'auto'` waits for this many first tokens of a provider before trusting their p95. */
export const autoHedgeSamples = 20;

/**
 * How long a stream waits for its first token before a hedge starts: a fixed `setting`, or (`auto`) the provider's
 * observed p95 time to first token within [250 ms, firstTokenMs / 2]; before enough samples, firstTokenMs / 4 within
 * the same bounds.
 */
export function hedgeDelay(
  setting: number | 'auto',
  observedP95: number | undefined,
  firstTokenMs: number,
): number {
  if (setting !== 'auto') return setting;
  const upper = Math.max(minimumAutoHedgeMs, firstTokenMs / 2);
  return Math.min(upper, Math.max(minimumAutoHedgeMs, observedP95 ?? firstTokenMs / 4));
}
