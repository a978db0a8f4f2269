import type { ProviderCallOptions, RateLimitSnapshot } from '../../chat-provider.js';
import { parseDurationMs } from './parse-duration.js';

/** Anything with a case-insensitive `get(name)`, such as fetch `Headers`. */
export interface HeaderReader {
  get(name: string): string | null | undefined;
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

/** Hands the call's `onRateLimit` hook the snapshot in a response's headers, when it has one. */
export function reportRateLimit(headers: HeaderReader | undefined, callOptions: ProviderCallOptions): void {
  if (!headers || !callOptions.onRateLimit) return;
  const snapshot = readRateLimitHeaders(headers);
  if (snapshot) callOptions.onRateLimit(snapshot);
}
