import type {
  ChatCompletion,
  ChatContentPart,
  ChatMessage,
  ChatRequest,
  ChatToolCall,
  ChatUsage,
  FinishReason,
} from '../chat-types.js';
import { LlmError, type LlmErrorKind } from '../errors.js';
import { kindFromStatus, safeMessage } from '../provider-utils.js';
import { estimateTokens } from '../tokens.js';

/**
 * Small helpers shared by the Gemini, Anthropic and Cohere adapters (the ones that do not speak the OpenAI wire format).
 */

/** Request fields every non-OpenAI adapter accepts without passing them on: they do not change the answer. */
const fieldsWithoutEffect: ReadonlySet<string> = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'user',
  'safety_identifier',
  'prompt_cache_key',
  'service_tier',
  'store',
  'metadata',
]);

/** Throws `unsupported_feature` for the first request field that is set and that the adapter cannot honour. */
export function rejectUnsupportedFields(
  request: ChatRequest,
  honoured: ReadonlySet<string>,
  provider: string,
): void {
  for (const [field, value] of Object.entries(request)) {
    if (value === undefined || value === null) continue;
    if (fieldsWithoutEffect.has(field) || honoured.has(field)) continue;
    if (field === 'n' && value === 1) continue;
    if (field === 'parallel_tool_calls' && value === true) continue;
    throw unsupportedFeature(provider, `the request field "${field}"`);
  }
}

/** The typed error for a feature the provider cannot honour; never dropped silently. Raised before any call: no status. */
export function unsupportedFeature(provider: string, feature: string): LlmError {
  return new LlmError(`Provider ${provider} does not support ${feature}.`, {
    kind: 'unsupported_feature',
    provider,
  });
}

/** The caller sent something no provider could accept (e.g. tool arguments that are not JSON). Raised before any call. */
export function invalidRequest(provider: string, problem: string): LlmError {
  return new LlmError(`Invalid request: ${problem}.`, { kind: 'bad_request', provider });
}

/** Joins the text of a message's content; image parts are the caller's to handle before. */
export function contentToText(content: ChatMessage['content']): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content
    .filter((part): part is Extract<ChatContentPart, { type: 'text' }> => part.type === 'text')
    .map((part) => part.text)
    .join('');
}

/** Parses a JSON tool-call argument string into an object, as Anthropic and Gemini want it. */
export function parseToolArguments(argumentsJson: string, provider: string): Record<string, unknown> {
  if (argumentsJson.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(argumentsJson);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through to the typed error
  }
  throw invalidRequest(provider, 'tool call arguments must be a JSON object');
}

/** A `data:` URL split into its media type and base64 payload, or undefined for any other URL. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (!match?.[1] || match[2] === undefined) return undefined;
  return { mediaType: match[1], data: match[2] };
}

const networkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const networkMessage =
  /fetch failed|terminated|socket hang up|other side closed|ECONNRESET|ECONNREFUSED|network|connection/i;

function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 6 && !chain.includes(current)) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

/**
 * Classifies a failure that came with no provider response: an abort (our signal: deadline, idle timeout,
 * client gone) is `timeout`; a reset, refused or cut connection is `network`. Returns undefined when neither.
 */
export function classifyTransportError(
  error: unknown,
  provider: string,
  signal: AbortSignal | undefined,
): LlmError | undefined {
  const chain = errorChain(error);
  const aborted =
    signal?.aborted === true ||
    chain.some(
      (link) => link instanceof Error && (link.name === 'AbortError' || link.name === 'TimeoutError'),
    );
  if (aborted) {
    return providerError(provider, 'timeout', { cause: error });
  }
  const network = chain.some((link) => {
    if (!(link instanceof Error)) return false;
    const code = (link as Error & { code?: unknown }).code;
    return (typeof code === 'string' && networkCodes.has(code)) || networkMessage.test(link.message);
  });
  if (network) {
    return providerError(provider, 'network', { cause: error });
  }
  return undefined;
}

/** A stream that ended without the provider's end-of-message marker: the answer is truncated. */
export function truncatedStreamError(provider: string): LlmError {
  return new LlmError(`Provider ${provider} ended the stream before the answer was complete.`, {
    kind: 'network',
    provider,
  });
}

/** Links a caller's signal to a controller the adapter owns, so an early exit can cancel the HTTP call too. */
export function linkAbortSignal(signal: AbortSignal): { controller: AbortController; unlink: () => void } {
  const controller = new AbortController();
  const abort = (): void => controller.abort(signal.reason);
  if (signal.aborted) abort();
  else signal.addEventListener('abort', abort, { once: true });
  return { controller, unlink: () => signal.removeEventListener('abort', abort) };
}

/** Builds a classified error whose message is safe to show a user (no provider body, key or stack). */
export function providerError(
  provider: string,
  kind: LlmErrorKind,
  details: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
): LlmError {
  return new LlmError(safeMessage(kind, provider), { kind, provider, ...details });
}

/** The kind an HTTP status implies; a gateway timeout (504) and a cancelled request (499) are timeouts here. */
export function kindOfStatus(status: number): LlmErrorKind {
  return status === 504 || status === 499 ? 'timeout' : kindFromStatus(status);
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

/** Usage counted with our tokenizer, for a provider that reported none; marked `estimated`. */
export function estimatedUsage(request: ChatRequest, completionText: string): ChatUsage {
  const promptTokens = estimateTokens(request.messages);
  const completionTokens = estimateTokens(completionText);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    estimated: true,
  };
}

/** The OpenAI `chat.completion` of a provider's single-choice answer. */
export function toChatCompletion(answer: {
  id: string;
  model: string;
  text: string;
  toolCalls: ChatToolCall[];
  finishReason: FinishReason;
  usage: ChatUsage;
}): ChatCompletion {
  return {
    id: answer.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: answer.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: answer.text,
          ...(answer.toolCalls.length > 0 ? { tool_calls: answer.toolCalls } : {}),
        },
        finish_reason: answer.finishReason,
        logprobs: null,
      },
    ],
    usage: answer.usage,
  };
}
