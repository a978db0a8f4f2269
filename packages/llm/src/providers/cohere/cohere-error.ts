import type { ChatRequest } from '../../chat-types.js';
import { LlmError } from '../../errors.js';
import {
  classifyErrorResponse,
  classifyTransportError,
  kindFromStatus,
  providerError,
  serializationError,
} from '../shared/index.js';

/** Cohere's wording when its safety checks refuse a prompt or an answer. */
const blockedMessage = /blocked (input|output)|content moderation|usage guidelines/i;

/** Classifies a Cohere HTTP error response (status, headers and the `{ message }` body) as an `LlmError`. */
export function cohereHttpError(provider: string, status: number, headers: Headers, body: unknown): LlmError {
  const message =
    typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string'
      ? body.message
      : '';
  const kind = kindFromStatus(status);
  // Cohere refuses a prompt or an answer its safety checks block with a plain 400; only the wording tells.
  const blocked = kind === 'bad_request' && blockedMessage.test(message);
  return classifyErrorResponse(provider, {
    status,
    kind: blocked ? 'content_filter' : kind,
    message,
    headers,
  });
}

/** A stream that Cohere itself ended with `finish_reason` ERROR or TIMEOUT (the in-band error of its SSE). */
export function cohereStreamError(provider: string, finishReason: 'ERROR' | 'TIMEOUT'): LlmError {
  return providerError(provider, finishReason === 'TIMEOUT' ? 'timeout' : 'server');
}

/**
 * Classifies any other failure of a Cohere call (abort, reset, cut body, JSON that is not JSON) as an `LlmError`;
 * with the `request`, a body that could not be serialized is the caller's `bad_request`.
 */
export function toCohereLlmError(
  error: unknown,
  provider: string,
  signal: AbortSignal | undefined,
  request?: ChatRequest,
): LlmError {
  if (error instanceof LlmError) return error;
  const unsendable = serializationError(error, request, provider);
  if (unsendable) return unsendable;
  const transport = classifyTransportError(error, provider, signal);
  if (transport) return transport;
  // A body or stream event that is not JSON: a provider fault, worth another try.
  return providerError(provider, 'server', { cause: error });
}
