import { LlmError, type LlmErrorKind } from '../../errors.js';
import {
  classifyTransportError,
  kindFromStatus,
  providerError,
  readRetryAfterMs,
  refineBadRequestKind,
} from '../shared/index.js';

/** Cohere's wording when its safety checks refuse a prompt or an answer. */
const blockedMessage = /blocked (input|output)|content moderation|usage guidelines/i;

/** Classifies a Cohere HTTP error response (status, headers and the `{ message }` body) as an `LlmError`. */
export function cohereHttpError(provider: string, status: number, headers: Headers, body: unknown): LlmError {
  const message =
    typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string'
      ? body.message
      : '';
  let kind: LlmErrorKind = kindFromStatus(status);
  if (kind === 'bad_request')
    kind = blockedMessage.test(message) ? 'content_filter' : refineBadRequestKind(message);
  const retryAfterMs = kind === 'rate_limit' || kind === 'overloaded' ? readRetryAfterMs(headers) : undefined;
  return providerError(provider, kind, { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
}

/** A stream that Cohere itself ended with `finish_reason` ERROR or TIMEOUT (the in-band error of its SSE). */
export function cohereStreamError(provider: string, finishReason: 'ERROR' | 'TIMEOUT'): LlmError {
  return providerError(provider, finishReason === 'TIMEOUT' ? 'timeout' : 'server');
}

/** Classifies any other failure of a Cohere call (abort, reset, cut body, JSON that is not JSON) as an `LlmError`. */
export function toCohereLlmError(
  error: unknown,
  provider: string,
  signal: AbortSignal | undefined,
): LlmError {
  if (error instanceof LlmError) return error;
  const transport = classifyTransportError(error, provider, signal);
  if (transport) return transport;
  // A body or stream event that is not JSON: a provider fault, worth another try.
  return providerError(provider, 'server', { cause: error });
}
