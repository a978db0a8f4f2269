import {
  GoogleGenerativeAIAbortError,
  GoogleGenerativeAIError,
  GoogleGenerativeAIFetchError,
} from '@google/generative-ai';

import type { ChatRequest } from '../../chat-types.js';
import { LlmError, type LlmErrorKind } from '../../errors.js';
import {
  classifyErrorResponse,
  classifyTransportError,
  kindFromStatus,
  parseDurationMs,
  providerError,
  serializationError,
} from '../shared/index.js';

/** One entry of a Google API error's `details` (`google.rpc.*` messages tagged by `@type`). */
interface ErrorDetail {
  '@type'?: string;
  retryDelay?: string;
  reason?: string;
}

/** The `error` object of a Google API error body, also sent in-band inside a stream. */
export interface GeminiErrorBody {
  code?: number;
  message?: string;
  status?: string;
  details?: ErrorDetail[];
}

/** Google RPC status names and the kind each means, for errors that name one. */
const kindsByStatus: Record<string, LlmErrorKind> = {
  INVALID_ARGUMENT: 'bad_request',
  FAILED_PRECONDITION: 'bad_request',
  UNAUTHENTICATED: 'auth',
  PERMISSION_DENIED: 'auth',
  NOT_FOUND: 'not_found',
  RESOURCE_EXHAUSTED: 'rate_limit',
  INTERNAL: 'server',
  UNAVAILABLE: 'overloaded',
  DEADLINE_EXCEEDED: 'timeout',
};

/** Milliseconds from a `google.rpc.RetryInfo` detail's `retryDelay` (a protobuf Duration such as `"7s"` or `"0.5s"`). */
export function retryDelayMs(details: ErrorDetail[] | undefined): number | undefined {
  const retryInfo = details?.find((detail) => detail['@type']?.endsWith('google.rpc.RetryInfo'));
  return retryInfo?.retryDelay ? parseDurationMs(retryInfo.retryDelay) : undefined;
}

/** Classifies a Google API error (status code, RPC status, message and details) as an `LlmError`. */
export function geminiApiError(
  provider: string,
  error: GeminiErrorBody,
  context: { status?: number; headers?: Headers; cause?: unknown } = {},
): LlmError {
  const status = context.status ?? error.code;
  // Gemini answers a bad API key with 400 INVALID_ARGUMENT; the ErrorInfo reason tells it apart.
  const badKey = error.details?.some((detail) => detail.reason === 'API_KEY_INVALID') === true;
  return classifyErrorResponse(provider, {
    status,
    kind: badKey
      ? 'auth'
      : ((error.status ? kindsByStatus[error.status] : undefined) ?? kindFromStatus(status ?? 500)),
    message: error.message ?? '',
    retryAfterMs: retryDelayMs(error.details),
    headers: context.headers,
    cause: context.cause,
  });
}

/**
 * Classifies any failure of a Gemini call as an `LlmError`. The SDK keeps only the message of transport
 * failures, so those are told apart by the SDK's own wording. With the `request`, a body the SDK could not
 * serialize is the caller's `bad_request`.
 */
export function toGeminiLlmError(
  error: unknown,
  provider: string,
  signal: AbortSignal | undefined,
  headers?: Headers,
  request?: ChatRequest,
): LlmError {
  if (error instanceof LlmError) return error;
  const unsendable = serializationError(error, request, provider);
  if (unsendable) return unsendable;
  if (error instanceof GoogleGenerativeAIFetchError) {
    // The SDK keeps the HTTP status, the message and the details of the body, not its RPC status name.
    return geminiApiError(
      provider,
      { message: error.message, details: error.errorDetails },
      {
        ...(error.status === undefined ? {} : { status: error.status }),
        ...(headers ? { headers } : {}),
        cause: error,
      },
    );
  }
  if (error instanceof GoogleGenerativeAIAbortError || signal?.aborted)
    return providerError(provider, 'timeout', { cause: error });
  if (
    error instanceof SyntaxError ||
    (error instanceof GoogleGenerativeAIError && /parsing JSON/.test(error.message))
  ) {
    // A body or stream event that is not JSON: a provider fault, worth another try.
    return providerError(provider, 'server', { cause: error });
  }
  if (
    error instanceof GoogleGenerativeAIError &&
    /reading from the stream|Failed to parse stream|Error fetching/.test(error.message)
  ) {
    return providerError(provider, 'network', { cause: error });
  }
  return (
    classifyTransportError(error, provider, signal) ?? providerError(provider, 'server', { cause: error })
  );
}
