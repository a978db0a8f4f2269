import type { LlmErrorKind } from '../../errors.js';

/**
 * The error kind an HTTP status means when the body says nothing more specific; `undefined` (no response)
 * is `network`. A 504 is a gateway timing out in front of the vendor's model and a 499 is the vendor seeing
 * the request as cancelled: both are `timeout` (transient, retried), never the caller's `bad_request`.
 */
export function kindFromStatus(status: number | undefined): LlmErrorKind {
  if (status === undefined) return 'network';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 408 || status === 499 || status === 504) return 'timeout';
  if (status === 413) return 'context_length';
  if (status === 429) return 'rate_limit';
  if (status === 503 || status === 529) return 'overloaded';
  if (status >= 500) return 'server';
  return 'bad_request';
}

/** Provider phrases for "the prompt does not fit the context window", across Anthropic, Gemini and Cohere. */
const contextLengthMessage =
  /prompt is too long|context (window|length|limit)|too many tokens|input token count .* exceeds|exceeds the maximum number of tokens|maximum context/i;

/**
 * Provider phrases of a 400 that is the provider account's fault, not the request's (no credit, region not served):
 * classified as `auth` so the client falls over and rests the provider instead of failing the caller.
 */
const accountProblemMessage =
  /credit balance|location is not supported|billing (is )?(not|disabled)|account (is )?(disabled|suspended)/i;

/** Provider phrases for "this model does not accept a trailing assistant message". */
const prefillRejectedMessage =
  /prefill|must end with a user|end with a user role|final assistant content|last message.*(user|tool)/i;

/** Refines a 400's kind from the provider's message: context length, account problems, rejected prefill. */
export function refineBadRequestKind(message: string): LlmErrorKind {
  if (contextLengthMessage.test(message)) return 'context_length';
  if (accountProblemMessage.test(message)) return 'auth';
  if (prefillRejectedMessage.test(message)) return 'unsupported_feature';
  return 'bad_request';
}
