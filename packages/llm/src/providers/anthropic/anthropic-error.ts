import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';

import type { ChatRequest } from '../../chat-types.js';
import { LlmError, type LlmErrorKind } from '../../errors.js';
import {
  classifyErrorResponse,
  classifyTransportError,
  providerError,
  serializationError,
} from '../shared/index.js';

/** Anthropic `error.type` values and the kind each means (also used for in-band `event: error`, which has no status). */
const kindsByType: Record<string, { kind: LlmErrorKind; status: number }> = {
  invalid_request_error: { kind: 'bad_request', status: 400 },
  authentication_error: { kind: 'auth', status: 401 },
  permission_error: { kind: 'auth', status: 403 },
  not_found_error: { kind: 'not_found', status: 404 },
  request_too_large: { kind: 'context_length', status: 413 },
  rate_limit_error: { kind: 'rate_limit', status: 429 },
  api_error: { kind: 'server', status: 500 },
  timeout_error: { kind: 'timeout', status: 504 },
  overloaded_error: { kind: 'overloaded', status: 529 },
};

function errorMessageOf(error: APIError): string {
  const body: unknown = error.error;
  if (typeof body !== 'object' || body === null || !('error' in body)) return '';
  const inner: unknown = body.error;
  if (typeof inner !== 'object' || inner === null || !('message' in inner)) return '';
  return typeof inner.message === 'string' ? inner.message : '';
}

/**
 * Classifies any failure of an Anthropic call (HTTP error, in-band stream `error` event, abort, network) as an
 * `LlmError`. `retryAfterMs` comes from `retry-after-ms`, `retry-after`, or the exhausted `anthropic-ratelimit-*-reset`.
 * With the `request`, a body the SDK could not serialize is the caller's `bad_request`.
 */
export function toAnthropicLlmError(
  error: unknown,
  provider: string,
  signal?: AbortSignal,
  request?: ChatRequest,
): LlmError {
  if (error instanceof LlmError) return error;
  const unsendable = serializationError(error, request, provider);
  if (unsendable) return unsendable;
  if (error instanceof APIUserAbortError || error instanceof APIConnectionTimeoutError) {
    return providerError(provider, 'timeout', { cause: error });
  }
  if (error instanceof APIConnectionError) {
    return (
      classifyTransportError(error.cause ?? error, provider, signal) ??
      providerError(provider, 'network', { cause: error })
    );
  }
  if (error instanceof APIError) return classifyApiError(error as APIError, provider);
  if (error instanceof SyntaxError) {
    // The stream carried a chunk that is not JSON: a provider fault, worth another try.
    return providerError(provider, 'server', { cause: error });
  }
  return (
    classifyTransportError(error, provider, signal) ?? providerError(provider, 'server', { cause: error })
  );
}

function classifyApiError(error: APIError, provider: string): LlmError {
  const byType = error.type ? kindsByType[error.type] : undefined;
  return classifyErrorResponse(provider, {
    status: error.status ?? byType?.status,
    kind: byType?.kind,
    message: errorMessageOf(error),
    headers: error.headers,
    cause: error,
  });
}
