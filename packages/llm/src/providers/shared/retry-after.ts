import { parseDurationMs } from './parse-duration.js';
import { readRateLimitHeaders, type HeaderReader } from './rate-limit-headers.js';

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
