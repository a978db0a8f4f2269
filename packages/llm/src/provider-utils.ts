import type { RateLimitSnapshot } from './chat-provider.js';
import type { LlmErrorKind } from './errors.js';

/** Anything with a case-insensitive `get(name)`: fetch `Headers`, or a plain record via `headersFromRecord`. */
export interface HeaderReader {
  get(name: string): string | null | undefined;
}

/**
 * Parses a rate-limit duration: plain seconds (`"20"`, `"0.5"`), OpenAI's Go-style durations
 * (`"6m0s"`, `"1.5s"`, `"250ms"`), or an HTTP date. Returns milliseconds.
 */
export function parseDurationMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length > 0 && parts.map((part) => part[0]).join('') === trimmed) {
    const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
    return Math.round(
      parts.reduce((total, part) => total + Number(part[1]) * (unitMs[part[2] ?? 's'] ?? 1000), 0),
    );
  }
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long the provider asked us to wait: `retry-after-ms`, then `retry-after` (seconds or date),
 * then the longest `x-ratelimit-reset-*` when a budget is exhausted.
 */
export function readRetryAfterMs(headers: HeaderReader | undefined): number | undefined {
  if (!headers) return undefined;
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds && /^\d+(\.\d+)?$/.test(milliseconds)) return Math.round(Number(milliseconds));
  const retryAfter = parseDurationMs(headers.get('retry-after'));
  if (retryAfter !== undefined) return retryAfter;
  const snapshot = readRateLimitHeaders(headers);
  return snapshot?.resetAt !== undefined ? Math.max(0, snapshot.resetAt - Date.now()) : undefined;
}

function readNumber(headers: HeaderReader, names: string[]): number | undefined {
  for (const name of names) {
    const value = headers.get(name);
    if (value !== null && value !== undefined && value !== '' && !Number.isNaN(Number(value)))
      return Number(value);
  }
  return undefined;
}

/**
 * Reads OpenAI/Groq `x-ratelimit-*` and Anthropic `anthropic-ratelimit-*` headers. `resetAt` is set only
 * when a budget is at zero (that is when the client needs it). `undefined` when no such header exists.
 */
export function readRateLimitHeaders(headers: HeaderReader, now = Date.now()): RateLimitSnapshot | undefined {
  const remainingRequests = readNumber(headers, [
    'x-ratelimit-remaining-requests',
    'anthropic-ratelimit-requests-remaining',
  ]);
  const remainingTokens = readNumber(headers, [
    'x-ratelimit-remaining-tokens',
    'anthropic-ratelimit-tokens-remaining',
    'anthropic-ratelimit-input-tokens-remaining',
  ]);
  if (remainingRequests === undefined && remainingTokens === undefined) return undefined;
  const resetOf = (relative: string, absolute: string): number | undefined => {
    const relativeMs = parseDurationMs(headers.get(relative), now);
    if (relativeMs !== undefined) return now + relativeMs;
    const date = headers.get(absolute);
    const parsed = date ? Date.parse(date) : Number.NaN;
    return Number.isNaN(parsed) ? undefined : parsed;
  };
  const resets: number[] = [];
  if (remainingRequests === 0) {
    const reset = resetOf('x-ratelimit-reset-requests', 'anthropic-ratelimit-requests-reset');
    if (reset !== undefined) resets.push(reset);
  }
  if (remainingTokens === 0) {
    const reset = resetOf('x-ratelimit-reset-tokens', 'anthropic-ratelimit-tokens-reset');
    if (reset !== undefined) resets.push(reset);
  }
  return { remainingRequests, remainingTokens, resetAt: resets.length > 0 ? Math.max(...resets) : undefined };
}

/** Wraps a plain header record (lower-case names) as a `HeaderReader`. */
export function headersFromRecord(record: Record<string, string | string[] | undefined>): HeaderReader {
  return {
    get(name) {
      const value = record[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    },
  };
}

/** The error kind an HTTP status means when the body says nothing more specific. */
export function kindFromStatus(status: number | undefined): LlmErrorKind {
  if (status === undefined) return 'network';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 413) return 'context_length';
  if (status === 429) return 'rate_limit';
  if (status === 503 || status === 529) return 'overloaded';
  if (status >= 500) return 'server';
  return 'bad_request';
}

/** A user-safe message for a kind: never the provider's raw text, which can echo prompts or keys. */
export function safeMessage(kind: LlmErrorKind, provider: string): string {
  const messages: Record<LlmErrorKind, string> = {
    rate_limit: 'is rate limiting requests',
    overloaded: 'is overloaded',
    server: 'had an internal error',
    timeout: 'did not answer in time',
    network: 'could not be reached or the connection broke',
    auth: 'rejected the credentials',
    bad_request: 'rejected the request as invalid',
    context_length: 'cannot fit the conversation in the model context window',
    content_filter: 'refused the content under its content policy',
    not_found: 'does not know the requested model',
    unsupported_feature: 'does not support a feature this request uses',
  };
  return `Provider ${provider} ${messages[kind]}.`;
}
