import type { LlmError, LlmErrorKind } from '../../errors.js';
import { providerError } from './provider-error.js';
import type { HeaderReader } from './rate-limit-headers.js';
import { readRetryAfterMs } from './retry-after.js';
import { kindFromStatus, refineBadRequestKind } from './status-to-kind.js';

/** What a vendor's error (an HTTP error response or an in-band error event) says, read by its adapter. */
export interface ErrorResponse {
  /** The HTTP status, or the code the vendor put in the body; absent for an in-band error without one. */
  status?: number | undefined;
  /** The kind the vendor named (an error type, an RPC status); when absent the status decides. */
  kind?: LlmErrorKind | undefined;
  /** The vendor's message; read only to refine a `bad_request`. */
  message: string;
  /** A wait the body asked for (Google's `RetryInfo`); when absent the headers are read. */
  retryAfterMs?: number | undefined;
  headers?: HeaderReader | undefined;
  cause?: unknown;
}

/**
 * Classifies a vendor's error response: the kind it named or its status means, a `bad_request` refined from
 * the message, and the wait it asked for on a rate limit or overload (the only kinds a wait helps).
 */
export function classifyErrorResponse(provider: string, response: ErrorResponse): LlmError {
  let kind = response.kind ?? kindFromStatus(response.status);
  if (kind === 'bad_request') kind = refineBadRequestKind(response.message);
  const retryAfterMs =
    kind === 'rate_limit' || kind === 'overloaded'
      ? (response.retryAfterMs ?? readRetryAfterMs(response.headers))
      : undefined;
  return providerError(provider, kind, {
    ...(response.status === undefined ? {} : { status: response.status }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    cause: response.cause,
  });
}
