import { LlmError, type LlmErrorKind } from '../../errors.js';

const safeMessages: Record<LlmErrorKind, string> = {
  rate_limit: 'is rate limiting requests',
  overloaded: 'is overloaded',
  server: 'had an internal error',
  timeout: 'did not answer in time',
  network: 'could not be reached or the connection broke',
  auth: 'rejected the credentials',
  bad_request: 'rejected the request as invalid',
  context_length: 'cannot fit the conversation in the model context window',
  content_filter: 'refused the content under its content policy',
  not_found: 'does not know the requested model',
  unsupported_feature: 'does not support a feature this request uses',
};

/** A vendor's reason code (`SAFETY`, `content_filter`, `refusal`): a short token, never free text. */
const reasonCode = /^[A-Za-z][\w.-]{0,47}$/;

/**
 * A user-safe message for a kind: never the provider's raw text, which can echo prompts or keys. A `reason` is
 * named only when it is a vendor's reason code.
 */
function safeMessage(kind: LlmErrorKind, provider: string, reason: string | undefined): string {
  const named = reason !== undefined && reasonCode.test(reason) ? ` (${reason})` : '';
  return `Provider ${provider} ${safeMessages[kind]}${named}.`;
}

/** Builds a classified error whose message is safe to show a user (no provider body, key or stack). */
export function providerError(
  provider: string,
  kind: LlmErrorKind,
  details: { status?: number; retryAfterMs?: number; cause?: unknown; reason?: string } = {},
): LlmError {
  const { reason, ...options } = details;
  return new LlmError(safeMessage(kind, provider, reason), { kind, provider, ...options });
}

/** A stream that ended without the provider's end-of-message marker: the answer is truncated. */
export function truncatedStreamError(provider: string): LlmError {
  return new LlmError(`Provider ${provider} ended the stream before the answer was complete.`, {
    kind: 'network',
    provider,
  });
}

/**
 * A stream whose SDK iterator ended quietly before the provider's end of the answer: our own abort ended it
 * (a timeout) when the call's signal is aborted, otherwise the provider cut it (truncated).
 */
export function unfinishedStreamError(provider: string, signal: AbortSignal): LlmError {
  return signal.aborted ? providerError(provider, 'timeout') : truncatedStreamError(provider);
}
