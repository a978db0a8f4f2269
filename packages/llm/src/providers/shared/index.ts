/**
 * Helpers every provider adapter shares, one concern per file. Adapters import them from here; the package
 * re-exports only the header readers (`parseDurationMs`, `readRateLimitHeaders`, `readRetryAfterMs`).
 */
export { toAlternatingTurns, type AlternatingTurn, type TurnBlockWriter } from './alternating-turns.js';
export { toChatCompletion } from './chat-completion.js';
export { ChatCompletionChunkBuilder } from './chat-completion-chunk.js';
export { contentToText } from './content-text.js';
export { contextWindowByPrefix } from './context-window.js';
export { parseDataUrl } from './data-url.js';
export { classifyErrorResponse, type ErrorResponse } from './error-response.js';
export { cancelledUsage, estimatedUsage } from './estimated-usage.js';
export { invalidRequest } from './invalid-request.js';
export { linkAbortSignal } from './link-abort-signal.js';
export { parseDurationMs } from './parse-duration.js';
export type { ProviderOptions } from './provider-options.js';
export { providerError, truncatedStreamError, unfinishedStreamError } from './provider-error.js';
export { readRateLimitHeaders, reportRateLimit, type HeaderReader } from './rate-limit-headers.js';
export { readRetryAfterMs } from './retry-after.js';
export { serializationError } from './serialization-error.js';
export { kindFromStatus, refineBadRequestKind } from './status-to-kind.js';
export { parseToolArguments } from './tool-arguments.js';
export { classifyTransportError } from './transport-error.js';
export { honouredFields, rejectUnsupportedFields, unsupportedFeature } from './unsupported-fields.js';
