/**
 * Helpers every provider adapter shares, one concern per file. Adapters import them from here; the package
 * re-exports only the header readers (`parseDurationMs`, `readRateLimitHeaders`, `readRetryAfterMs`).
 */
export { toChatCompletion } from './chat-completion.js';
export { contentToText } from './content-text.js';
export { parseDataUrl } from './data-url.js';
export { estimatedUsage } from './estimated-usage.js';
export { invalidRequest } from './invalid-request.js';
export { linkAbortSignal } from './link-abort-signal.js';
export { parseDurationMs } from './parse-duration.js';
export { providerError, truncatedStreamError } from './provider-error.js';
export { readRateLimitHeaders, reportRateLimit, type HeaderReader } from './rate-limit-headers.js';
export { readRetryAfterMs } from './retry-after.js';
export { kindFromStatus, refineBadRequestKind } from './status-to-kind.js';
export { parseToolArguments } from './tool-arguments.js';
export { classifyTransportError } from './transport-error.js';
export { rejectUnsupportedFields, unsupportedFeature } from './unsupported-fields.js';
