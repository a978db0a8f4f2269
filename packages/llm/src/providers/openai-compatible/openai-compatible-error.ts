import OpenAI from 'openai';
import type { ChatRequest } from '../../chat-types.js';
import { LlmError, type LlmErrorKind } from '../../errors.js';
import {
  kindFromStatus,
  providerError,
  readRetryAfterMs,
  refineBadRequestKind,
  serializationError,
} from '../shared/index.js';

interface OpenAIErrorBody {
  code?: unknown;
  type?: unknown;
  message?: unknown;
}

function kindFromBody(status: number | undefined, body: OpenAIErrorBody | undefined): LlmErrorKind {
  const kind = kindFromCode(status, body);
  // A 400 names a rejected prefill or an account problem only in its message, as with every other adapter.
  return kind === 'bad_request'
    ? refineBadRequestKind(typeof body?.message === 'string' ? body.message : '')
    : kind;
}

function kindFromCode(status: number | undefined, body: OpenAIErrorBody | undefined): LlmErrorKind {
  const code = typeof body?.code === 'string' ? body.code : '';
  const type = typeof body?.type === 'string' ? body.type : '';
  if (code === 'context_length_exceeded' || code === 'string_above_max_length') return 'context_length';
  if (code === 'content_filter' || code === 'content_policy_violation') return 'content_filter';
  if (code === 'model_not_found') return 'not_found';
  if (code === 'invalid_api_key') return 'auth';
  if (code === 'rate_limit_exceeded' || type === 'requests' || type === 'tokens') return 'rate_limit';
  // An error event inside a 200 stream has no status: the provider failed mid-answer.
  if (status === undefined) return type === 'invalid_request_error' ? 'bad_request' : 'server';
  return kindFromStatus(status);
}

/**
 * Classifies anything the `openai` SDK (or its fetch) throws into an `LlmError`; with the `request`, a body the SDK
 * could not serialize is the caller's `bad_request`.
 */
export function toOpenAICompatibleError(
  error: unknown,
  provider: string,
  signal?: AbortSignal,
  request?: ChatRequest,
): LlmError {
  if (error instanceof LlmError) return error;
  const unsendable = serializationError(error, request, provider);
  if (unsendable) return unsendable;
  if (error instanceof OpenAI.APIUserAbortError || signal?.aborted) {
    return new LlmError(`Provider ${provider} call was aborted.`, {
      kind: 'timeout',
      provider,
      cause: error,
    });
  }
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return providerError(provider, 'timeout', { cause: error });
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return providerError(provider, 'network', { cause: error });
  }
  if (error instanceof OpenAI.APIError) {
    const status = typeof error.status === 'number' ? error.status : undefined;
    const body = error.error as OpenAIErrorBody | undefined;
    const kind = kindFromBody(status, body);
    return providerError(provider, kind, {
      status,
      retryAfterMs: readRetryAfterMs(error.headers as Headers | undefined),
      cause: error,
      ...(kind === 'content_filter' && typeof body?.code === 'string' ? { reason: body.code } : {}),
    });
  }
  if (error instanceof SyntaxError) {
    return new LlmError(`Provider ${provider} sent a malformed response.`, {
      kind: 'server',
      provider,
      cause: error,
    });
  }
  return providerError(provider, 'network', { cause: error });
}
